"""App configuration of ``shop``."""

from django.apps import AppConfig


class ShopConfig(AppConfig):
    """Configuration of the ``shop`` app."""

    name = "shop"
    default_auto_field = "django.db.models.BigAutoField"
