from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .home import panels_for


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html", {"panels": panels_for(request)})


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness and database readiness for the load balancer; no personal data."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return JsonResponse({"status": "ok"})
    except Exception:  # pragma: no cover - exercised only with a broken database
        return JsonResponse({"status": "database unavailable"}, status=503)
