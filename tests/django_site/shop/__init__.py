"""The ``shop`` app: authors, books and a list view with an N+1 query pattern."""
