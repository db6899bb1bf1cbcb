"""URL routes of the profiling test site."""

from django.urls import path
from shop.views import BookListView

urlpatterns = [
    path("", BookListView.as_view(), name="book-list"),
]
