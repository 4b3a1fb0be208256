"""Every URL pattern and API operation against every persona (see tests/authz.py)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from samspil.api.urls import api

from .authz import API_MATRIX, MATRIX
from .conftest import PERSONAS, verified_client


def _url_patterns(resolver: URLResolver, names: str = "", routes: str = "") -> Iterator[tuple[str, str]]:
    """Every named URL pattern as (namespaced name, full route)."""
    for pattern in resolver.url_patterns:
        route = f"{routes}{pattern.pattern}"
        if isinstance(pattern, URLResolver):
            namespace = pattern.namespace
            yield from _url_patterns(pattern, f"{names}{namespace}:" if namespace else names, route)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{names}{pattern.name}", route


def _as_openapi_path(route: str) -> str:
    """'api/v1/cooperations/<id>' -> '/api/v1/cooperations/{id}', the form the OpenAPI schema uses."""
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)


def _api_operation_paths() -> set[str]:
    return set(api.get_openapi_schema()["paths"])


def test_matrix__covers_every_url_pattern() -> None:
    # API operations are covered by API_MATRIX (next test); every other pattern, including the API's
    # schema, docs page and base path, needs a row in MATRIX.
    operations = _api_operation_paths()
    patterns = _url_patterns(get_resolver())
    routes = {name for name, route in patterns if _as_openapi_path(route) not in operations}
    in_matrix = {route.name for route in MATRIX}
    assert routes - in_matrix == set(), "add these routes to tests/authz.py"
    assert in_matrix - routes == set(), "these matrix rows name routes that no longer exist"


def test_matrix__covers_every_api_operation() -> None:
    schema = api.get_openapi_schema()
    operations = {(method.upper(), path) for path, ops in schema["paths"].items() for method in ops}
    in_matrix = {(route.method, route.name) for route in API_MATRIX}
    assert operations == in_matrix
    # The schema's paths are the URL patterns' routes, so the test above leaves out exactly these.
    routes = {_as_openapi_path(route) for _name, route in _url_patterns(get_resolver())}
    assert {path for _method, path in operations} <= routes


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("route", MATRIX, ids=lambda r: r.name)
def test_route__answers_each_persona_as_the_matrix_says(world, route, persona) -> None:
    client = verified_client(world.user(persona))
    url = reverse(route.name, kwargs=route.kwargs(world)) + route.query
    response = client.generic(route.method, url, data=_encode(route.data(world)),
                              content_type="application/x-www-form-urlencoded") if route.method != "GET" \
        else client.get(url)
    assert response.status_code == route.status_for(persona), (route.name, persona)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("route", API_MATRIX, ids=lambda r: f"{r.method} {r.name}")
def test_api_operation__answers_each_persona_as_the_matrix_says(world, route, persona) -> None:
    client = verified_client(world.user(persona))
    path = route.name.format(**route.kwargs(world))
    response = client.generic(route.method, path + route.query)
    assert response.status_code == route.status_for(persona), (route.method, route.name, persona)


def _encode(data: dict) -> str:
    from urllib.parse import urlencode

    return urlencode(data, doseq=True)
