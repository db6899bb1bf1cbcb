"""Create the database tables and demo rows for the profiling scripts."""

from decimal import Decimal

from django.contrib.auth.models import User
from django.core.management import call_command

from shop.models import Author, Book


def create_schema() -> None:
    """Create all tables in the (in-memory) database; ``shop`` has no migrations."""
    call_command("migrate", run_syncdb=True, verbosity=0, interactive=False)


def seed(authors: int = 30, books: int = 200) -> User:
    """Insert ``authors`` authors and ``books`` books; return a fresh user."""
    author_rows = Author.objects.bulk_create(Author(name=f"Author {i:02d}") for i in range(authors))
    Book.objects.bulk_create(
        Book(
            title=f"Book {i:03d}",
            author=author_rows[i % authors],
            price=Decimal(5 + i % 40) + Decimal("0.99"),
        )
        for i in range(books)
    )
    user = User(username="reader")
    user.set_unusable_password()
    user.save()
    return user
