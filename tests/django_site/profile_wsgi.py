"""Profile the whole Django request flow (middleware + view + template) under ``kernprof -l``.

Run from this folder: ``kernprof -l profile_wsgi.py``. Goes through the internal WSGI
handler's ``get_response`` so middlewares run, unlike ``profile_view.py``.
"""

import os


def main() -> None:
    """Set up Django and an in-memory database, then handle one request."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "django_site.settings")
    import django

    django.setup()

    from django.core.servers.basehttp import get_internal_wsgi_application
    from django.test.client import RequestFactory
    from shop.seed import create_schema, seed

    create_schema()
    user = seed()

    request = RequestFactory().get("/")
    request.session = {}
    request._cached_user = user

    app = get_internal_wsgi_application()
    response = app.get_response(request)
    assert response.status_code == 200, response.status_code
    assert "Server-Timing" in response, "middleware did not run"
    assert b"Book 199" in response.content


if __name__ == "__main__":
    main()
