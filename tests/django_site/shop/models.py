"""Models of the ``shop`` app."""

from django.db import models


class Author(models.Model):
    """A book author."""

    name = models.CharField(max_length=100)

    def __str__(self) -> str:
        return self.name


class Book(models.Model):
    """A book; ``author`` is the foreign key the list template walks for every row."""

    title = models.CharField(max_length=200)
    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="books")
    price = models.DecimalField(max_digits=6, decimal_places=2)

    def __str__(self) -> str:
        return self.title
