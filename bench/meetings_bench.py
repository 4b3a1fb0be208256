"""Meetings benchmark: the agenda and the minutes page of a meeting with 30 items and 200 carried-over
actions, median and p95 server time and the number of queries, with the same pages of a 3-item meeting
beside them (the query count must not depend on the size of the meeting).

Run through ``python bench/run.py --only meetings`` (``make bench``); needs PostgreSQL. ``--quick``
reduces the number of requests to check the benchmark itself.
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import timedelta
from typing import Any

from bench import common

SECTION = "Meetings"

ITEMS = 30
CARRIED = 200
REQUESTS = 200


def _world() -> dict[str, Any]:
    """A PSP cooperation from the reference data with a coordinator (municipality) and a police key member."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from samspil.accounts.models import User
    from samspil.core.roles import Role
    from samspil.organisations.models import (
        Cooperation,
        CooperationGroup,
        CooperationOrganisation,
        CooperationType,
        Membership,
        Organisation,
    )

    municipality = Organisation.objects.filter(kind="municipality").order_by("id").first()
    police = Organisation.objects.filter(kind="police_district").order_by("id").first()
    region = Organisation.objects.filter(kind="region").order_by("id").first()
    if municipality is None or police is None or region is None:
        raise SystemExit("Reference data missing: migrate the bench database first.")
    cooperation = Cooperation.objects.create(
        type=CooperationType.PSP, name="PSP Mødeby (bænk)", municipality=municipality
    )
    for organisation in (municipality, police, region):
        CooperationOrganisation.objects.create(
            cooperation=cooperation, organisation=organisation, sector=organisation.sector
        )
    group = CooperationGroup.objects.create(
        cooperation=cooperation, kind="key_persons", name="Nøglepersongruppen"
    )
    users = {}
    for key, organisation, role in (
        ("coordinator", municipality, Role.COORDINATOR),
        ("police_officer", police, Role.KEY_MEMBER),
    ):
        user = User.objects.create_user(email=f"{key}@baenk.invalid", full_name=f"Bænk {key}", password=None)
        Membership.objects.create(user=user, organisation=organisation, cooperation=cooperation, role=role)
        TOTPDevice.objects.create(user=user, name="Godkenderapp", confirmed=True)
        users[key] = user
    return {
        "cooperation": cooperation,
        "group": group,
        "municipality": municipality,
        "police": police,
        "region": region,
        "users": users,
    }


def _meeting(world: dict[str, Any], *, items: int, carried: int) -> Any:
    """An open meeting with ``items`` cases on the agenda (minutes, decisions, actions on each, one in three
    restricted for the municipality) and ``carried`` open actions from an earlier meeting of its series."""
    from django.utils import timezone

    from samspil.cases.models import Case, Involvement, Task
    from samspil.core.scoping import unscoped
    from samspil.meetings.confidentiality import confidentiality_terms
    from samspil.meetings.models import (
        Action,
        AgendaItem,
        Attendance,
        Decision,
        Meeting,
        MeetingSeries,
        MinutesEntry,
    )

    cooperation = world["cooperation"]
    series, _created = MeetingSeries.objects.get_or_create(
        cooperation=cooperation, group=world["group"], defaults={"name": "Nøglepersongruppen"}
    )
    now = timezone.now()
    offset = Meeting.objects.filter(series=series).count() * 60
    earlier = Meeting.objects.create(
        series=series,
        cooperation=cooperation,
        status="closed",
        place="Rådhuset",
        starts_at=now - timedelta(days=40 + offset),
        closed_at=now,
    )
    meeting = Meeting.objects.create(
        series=series,
        cooperation=cooperation,
        status="open",
        place="Rådhuset",
        starts_at=now - timedelta(days=offset),
        chair=world["users"]["coordinator"],
    )
    with unscoped("building the benchmark's fictitious meeting"):
        cases = []
        for n in range(max(items, carried)):
            restricted = n % 3 == 0
            case = Case.objects.create(
                cooperation=cooperation,
                pseudonym=f"Borger B-{meeting.pk}-{n}",
                age_band="25-34",
                description="Bænkdata (fiktivt).",
                lead_organisation=world["police"] if restricted else world["municipality"],
            )
            organisations = (
                [world["police"], world["region"]]
                if restricted
                else [world["municipality"], world["police"], world["region"]]
            )
            Involvement.objects.bulk_create(
                [
                    Involvement(case=case, organisation=o, is_lead=o.pk == case.lead_organisation_id)
                    for o in organisations
                ]
            )
            cases.append(case)
        for n, case in enumerate(cases[:items]):
            item = AgendaItem.objects.create(
                meeting=meeting, case=case, status="accepted", order=n + 1, reason="Drøftes (fiktivt)."
            )
            MinutesEntry.objects.create(item=item, text="Referat (fiktivt). " * 20, version=1)
            MinutesEntry.objects.create(item=item, organisation=world["municipality"], text="Note (fiktivt).")
            Decision.objects.create(item=item, text="Beslutning (fiktivt).")
            task = Task.objects.create(
                case=case, title="Handling (fiktivt).", owner_organisation=world["police"], source="meeting"
            )
            Action.objects.create(
                item=item,
                meeting=meeting,
                case=case,
                organisation=world["police"],
                what="Handling (fiktivt).",
                task=task,
            )
        for n, case in enumerate(cases[:carried]):
            old_item = AgendaItem.objects.create(meeting=earlier, case=case, status="accepted", order=n + 1)
            task = Task.objects.create(
                case=case,
                title="Tidligere handling (fiktivt).",
                owner_organisation=world["police"],
                source="meeting",
            )
            Action.objects.create(
                item=old_item,
                meeting=earlier,
                case=case,
                organisation=world["police"],
                what="Tidligere handling (fiktivt).",
                task=task,
                due_date=timezone.localdate() + timedelta(days=n % 30),
            )
        for user, organisation in (
            (world["users"]["coordinator"], world["municipality"]),
            (world["users"]["police_officer"], world["police"]),
        ):
            Attendance.objects.create(
                meeting=meeting,
                user=user,
                organisation=organisation,
                status="present",
                acknowledged_at=now,
                acknowledged_terms_digest=confidentiality_terms().digest,
            )
    return meeting


def _client(user: Any) -> Any:
    from django.test import Client
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = Client()
    client.force_login(user)
    session = client.session
    session["otp_device_id"] = TOTPDevice.objects.get(user=user).persistent_id
    session.save()
    return client


def _measure(client: Any, url: str, requests: int) -> dict[str, float]:
    from django.db import connection

    for _ in range(5):
        assert client.get(url).status_code == 200
    queries: list[str] = []

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        assert client.get(url).status_code == 200
    times = []
    for _ in range(requests):
        began = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - began)
        assert response.status_code == 200
    return {
        "median_ms": statistics.median(times) * 1000,
        "p95_ms": statistics.quantiles(times, n=20)[18] * 1000,
        "queries": len(queries),
    }


def run(args: argparse.Namespace) -> str:
    from django.urls import reverse

    quick = getattr(args, "quick", False)
    requests = 20 if quick else REQUESTS
    facts = common.machine_facts()
    common.ensure_test_environment()
    world = _world()
    small = _meeting(world, items=3, carried=3)
    large = _meeting(world, items=ITEMS, carried=CARRIED)
    rows = []
    for persona in ("coordinator", "police_officer"):
        client = _client(world["users"][persona])
        for page, label in (("meetings:meeting_detail", "agenda"), ("meetings:minutes", "minutes")):
            few = _measure(client, reverse(page, args=[small.pk]), requests)
            many = _measure(client, reverse(page, args=[large.pk]), requests)
            rows.append(
                (
                    f"{label} ({persona})",
                    f"{few['median_ms']:.1f} / {few['p95_ms']:.1f} ms",
                    f"{many['median_ms']:.1f} / {many['p95_ms']:.1f} ms",
                    f"{few['queries']} / {many['queries']}",
                )
            )
    result_table = common.table(
        (
            "page (viewer)",
            "3 items, 3 carried: median / p95",
            f"{ITEMS} items, {CARRIED} carried: median / p95",
            "queries (3 / 30)",
        ),
        rows,
    )
    print(result_table)
    quick_note = "\n\n**Quick run (reduced sizes): not the reference figures.**" if quick else ""
    return f"""
Command: `python bench/run.py --only meetings`.{quick_note}

Measured {facts["date"]} on: {facts["nproc"]} cores, {facts["cpu"]}, {facts["memory"]} memory, PostgreSQL
{facts["postgresql"]} on the same machine, Python {facts["python"]}; load average at the end
{common.load_average()}.

{result_table}

How it is measured: an open meeting with {ITEMS} cases on the agenda (shared minutes, an internal note,
a decision and an action on each; one case in three involves only the police and psychiatry, so it is
"Begrænset" for the municipality's coordinator) and {CARRIED} open actions carried over from the previous
meeting of the series, beside a meeting with 3 items and 3 carried actions. Each page is requested
{requests} times through `django.test.Client` signed in with a verified second factor (the whole Django
stack in process, no network), after 5 warm-up requests; the time is per request, the query count is of
one request. The query count is the same for both sizes (also pinned by
`tests/meetings/test_query_counts.py`).
"""
