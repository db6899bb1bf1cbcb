"""A small custom middleware, profiled so the WSGI-style profile proves it ran."""

import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from shop.profiling import profile


class ServerTimingMiddleware:
    """Add a ``Server-Timing`` header with the time spent below this middleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    @profile
    def __call__(self, request: HttpRequest) -> HttpResponse:
        start = time.perf_counter()
        response = self.get_response(request)
        elapsed_ms = (time.perf_counter() - start) * 1000
        response["Server-Timing"] = f"app;dur={elapsed_ms:.1f}"
        return response
