"""Typed shapes of what the API returns and accepts (they become the OpenAPI schema)."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Field, Schema


class OrganisationOut(Schema):
    id: int
    name: str
    kind: str
    sector: str


class CooperationRef(Schema):
    id: int
    name: str
    type: str


class MembershipOut(Schema):
    id: int
    role: str
    role_label: str
    organisation: OrganisationOut
    cooperation: CooperationRef | None


class MeOut(Schema):
    id: int
    full_name: str
    email: str
    memberships: list[MembershipOut]


class CooperationOut(Schema):
    id: int
    name: str
    type: str
    type_label: str
    municipality: OrganisationOut
    meetings_per_year: int


class ParticipantOut(Schema):
    organisation: OrganisationOut
    sector: str


class CooperationDetailOut(CooperationOut):
    organisations: list[ParticipantOut]


class AuditEventFilters(Schema):
    """The DPO's search criteria; the same rules as the search form on the audit page."""

    person: int | None = Field(None, description="Id of a member of your cooperations")
    citizen: int | None = Field(None, description="Citizen id")
    organisation: int | None = Field(None, description="Organisation id")
    action: str | None = Field(None, description="Action code, e.g. auth.login_failed")
    outcome: str | None = Field(None, description="allowed, denied or failed")
    date_from: date | None = Field(None, description="First day (local time), included")
    date_to: date | None = Field(None, description="Last day (local time), included")
    object_id: str | None = Field(None, max_length=64, description="Exact object id")
    page: int = Field(1, ge=1)

    def as_form_data(self) -> dict[str, str]:
        data = self.model_dump(exclude={"page"}, exclude_none=True)
        return {
            name: value.isoformat() if isinstance(value, date) else str(value) for name, value in data.items()
        }


class AuditEventOut(Schema):
    id: int
    occurred_at: datetime
    actor_id: int | None
    actor_name: str
    organisation_id: int | None
    organisation_name: str
    cooperation_id: int | None
    role: str
    role_label: str
    action: str
    action_label: str
    object_type: str
    object_id: str
    citizen_id: int | None
    purpose: str
    outcome: str
    outcome_label: str
    request_id: str


class AuditEventPage(Schema):
    count: int
    page: int
    pages: int
    page_size: int
    items: list[AuditEventOut]


class ErrorOut(Schema):
    detail: str


class FieldErrorsOut(Schema):
    detail: str
    errors: dict[str, list[str]]
