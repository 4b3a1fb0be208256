"""A URLconf for tests/test_denials_audited.py: a view that writes, records a denial and raises."""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import include, path

from samspil.audit import actions
from samspil.audit.models import Outcome
from samspil.audit.services import audit_record
from samspil.organisations.models import CooperationGroup


def write_then_deny(request: HttpRequest) -> HttpResponse:
    cooperation_id = int(request.GET["cooperation"])
    CooperationGroup.objects.create(cooperation_id=cooperation_id, kind="other", name="Skal rulles tilbage")
    audit_record(action=actions.ACCESS_DENIED, request=request, outcome=Outcome.DENIED, detail={"path": request.path})
    raise PermissionDenied("no")


urlpatterns = [
    path("deny/", write_then_deny),
    path("konto/", include("samspil.accounts.urls")),
]
