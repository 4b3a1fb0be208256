"""Who may call the API: a signed-in person who has passed the second factor, nobody else."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja.security import APIKeyCookie


def is_signed_in_and_verified(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated and user.is_verified())  # type: ignore[union-attr]


class VerifiedSessionAuth(APIKeyCookie):
    """The browser session of a user with a verified second factor; CSRF checked on unsafe methods.

    Anything else gets 401 (JSON) from ninja. The session cookie's name is read per request, so the
    production ``__Host-`` name and test overrides are both honoured.
    """

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest) -> str | None:
        super()._get_key(request)  # the CSRF check for POST, PUT, PATCH and DELETE
        return request.COOKIES.get(settings.SESSION_COOKIE_NAME)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        return request.user if is_signed_in_and_verified(request) else None


def docs_for_verified_users(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The OpenAPI schema and docs page only for verified users: the page sends others to login,
    the JSON schema answers 401 like the operations do."""
    is_schema = getattr(view, "func", view).__name__ == "openapi_json"

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if is_signed_in_and_verified(request):
            return view(request, *args, **kwargs)
        if is_schema:
            return JsonResponse({"detail": "Unauthorized"}, status=401)
        return redirect_to_login(request.get_full_path())

    return wrapped
