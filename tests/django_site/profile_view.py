"""Profile ``BookListView`` by calling it directly (no middleware), under ``kernprof -l``.

Run from this folder: ``kernprof -l profile_view.py``. Follows the "call the view
with a RequestFactory request and render it" recipe.
"""

import os


def main() -> None:
    """Set up Django and an in-memory database, then render the view once."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "django_site.settings")
    import django

    django.setup()

    from django.test.client import RequestFactory
    from shop.seed import create_schema, seed
    from shop.views import BookListView

    create_schema()
    user = seed()

    request = RequestFactory().get("/")
    request.session = {}
    request.user = user

    view = BookListView.as_view()
    response = view(request).render()
    assert response.status_code == 200, response.status_code
    assert b"Book 199" in response.content


if __name__ == "__main__":
    main()
