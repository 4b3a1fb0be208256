"""The REST API: a thin, typed adapter over services and selectors (django-ninja, OpenAPI).

Mounted at /api/v1/. Every operation needs a signed-in session with a verified second factor
(401 otherwise); the schema and docs page likewise.
"""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI

from .auth import VerifiedSessionAuth, docs_for_verified_users
from .docs import SamspilSwagger
from .endpoints import router

api = NinjaAPI(
    title="Samspil API",
    version="1",
    urls_namespace="api",
    auth=VerifiedSessionAuth(),
    docs=SamspilSwagger(),
    docs_decorator=docs_for_verified_users,
)


@api.exception_handler(PermissionDenied)
def permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    # Answered here (not raised on to Django) so the audited denial commits with the request.
    return api.create_response(request, {"detail": "Forbidden"}, status=403)


api.add_router("/", router)
