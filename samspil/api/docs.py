"""The interactive API documentation page, served under our strict CSP (nonce on every script)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from ninja.openapi.docs import Swagger

if TYPE_CHECKING:
    from ninja import NinjaAPI


class SamspilSwagger(Swagger):
    template = "api/docs.html"

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        settings = {**self.settings, "url": self.get_openapi_url(api, kwargs)}
        # Escaped like Django's json_script, so no value can close the <script> element early.
        encoded = json.dumps(settings).replace("<", "\\u003C").replace(">", "\\u003E").replace("&", "\\u0026")
        context = {"swagger_settings": encoded, "api": api}
        return render(request, self.template, context)
