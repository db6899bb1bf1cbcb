"""Views of the ``shop`` app; the interesting methods are decorated with ``@profile``."""

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet
from django.views.generic import ListView

from shop.models import Book
from shop.profiling import profile


@profile
def author_names(books: Iterable[Book]) -> list[str]:
    """Collect the distinct author names, one FK query per book (the N+1 pattern)."""
    seen: set[str] = set()
    names = []
    for book in books:
        name = book.author.name
        if name not in seen:
            seen.add(name)
            names.append(name)
    return names


class BookListView(ListView):
    """List every book with its author; deliberately without ``select_related``."""

    model = Book
    template_name = "shop/book_list.html"
    context_object_name = "books"

    @profile
    def get_queryset(self) -> QuerySet[Book]:
        queryset = super().get_queryset()
        return queryset.order_by("title")

    @profile
    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["authors"] = author_names(context["books"])
        context["book_count"] = len(context["books"])
        return context
