"""The scoping guard: personal-data models cannot be read unscoped by accident.

A model whose manager is ``PersonalDataManager`` hands out querysets marked *unscoped*. Evaluating
one raises ``UnscopedQueryError`` while ``settings.SAMSPIL_SCOPING_GUARD`` is on (tests, development).
Selectors mark what they return with ``.scoped()`` after applying the user's limits; related managers
(``citizen.cases.all()``) count as scoped because they hang off an object that was itself fetched in
scope. System work that really needs everything (sealing the audit chain, retention) says so with
``with unscoped("reason"):``.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Self

from django.conf import settings
from django.db import models

_unscoped_reason: contextvars.ContextVar[str | None] = contextvars.ContextVar("samspil_unscoped", default=None)


class UnscopedQueryError(RuntimeError):
    pass


@contextmanager
def unscoped(reason: str) -> Iterator[None]:
    """Allow unscoped reads of personal-data models inside the block; ``reason`` documents why."""
    if not reason:
        raise ValueError("Say why the query is unscoped.")
    token = _unscoped_reason.set(reason)
    try:
        yield
    finally:
        _unscoped_reason.reset(token)


class ScopedQuerySet(models.QuerySet):
    _samspil_scoped = False

    def scoped(self) -> Self:
        """Mark this queryset as limited to what its user may see (selectors call this)."""
        clone = self._chain()  # type: ignore[attr-defined]
        clone._samspil_scoped = True
        return clone

    def _clone(self) -> Self:
        clone = super()._clone()  # type: ignore[misc]
        clone._samspil_scoped = self._samspil_scoped
        return clone

    def _check_scope(self) -> None:
        if not getattr(settings, "SAMSPIL_SCOPING_GUARD", False):
            return
        if self._samspil_scoped or _unscoped_reason.get() is not None or self._hints.get("instance"):  # type: ignore[attr-defined]
            return
        raise UnscopedQueryError(
            f"Unscoped query on {self.model.__name__}: read personal data through a selector "
            f"(it calls .scoped()), or wrap system work in unscoped('why')."
        )

    def _fetch_all(self) -> None:
        if self._result_cache is None:
            self._check_scope()
        super()._fetch_all()

    def iterator(self, chunk_size: int | None = None) -> Iterator[Any]:
        self._check_scope()
        return super().iterator(chunk_size=chunk_size)

    def count(self) -> int:
        if self._result_cache is None:
            self._check_scope()
        return super().count()

    def exists(self) -> bool:
        if self._result_cache is None:
            self._check_scope()
        return super().exists()

    def aggregate(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        self._check_scope()
        return super().aggregate(*args, **kwargs)

    def update(self, **kwargs: Any) -> int:
        self._check_scope()
        return super().update(**kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        self._check_scope()
        return super().delete()


class PersonalDataManager(models.Manager.from_queryset(ScopedQuerySet)):  # type: ignore[misc]
    """Default manager of every model that holds personal data."""
