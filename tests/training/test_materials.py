"""The materials library: uploads checked by content and size, served as attachments to participants only."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from samspil.audit import actions
from samspil.audit.models import AuditEvent
from samspil.training.models import EnrolmentStatus, Material

from ..conftest import World, verified_client
from .helpers import seat

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("_rels/.rels", "<Relationships/>")
        archive.writestr("word/document.xml", "<document/>")
    return buffer.getvalue()


def _upload(client: Client, course: Any, name: str, content: bytes, title: str = "Slides") -> Any:
    return client.post(
        reverse("training:material_upload", args=[course.pk]),
        {"title": title, "file": SimpleUploadedFile(name, content)},
    )


def test_upload__stores_a_pdf_under_a_random_name_outside_any_public_url(
    course: Any, admin_client: Client, media_root: Path
) -> None:
    response = _upload(admin_client, course, "Dag 1 slides.pdf", PDF)
    assert response.status_code == 302
    material = Material.objects.get()
    assert (material.original_name, material.content_type, material.size) == (
        "Dag 1 slides.pdf",
        "application/pdf",
        len(PDF),
    )
    stored = Path(material.file.path)
    assert stored.read_bytes() == PDF
    assert stored.is_relative_to(media_root)
    assert "slides" not in stored.name
    assert AuditEvent.objects.filter(action=actions.COURSE_MATERIAL_UPLOADED).scoped().count() == 1


def test_upload__accepts_a_word_document_by_its_content(course: Any, admin_client: Client) -> None:
    assert _upload(admin_client, course, "noter.docx", _docx()).status_code == 302
    assert Material.objects.get().content_type == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("slides.pdf", PNG, "Filens indhold passer ikke til navnet: den hedder .pdf men er en PNG-fil."),
        ("program.exe", b"MZ" + b"\x00" * 200, "Filtypen kan ikke lægges op."),
        ("noter.txt", b"bare tekst", "Filtypen kan ikke lægges op."),
        ("noter.pdf", _docx(), "Filens indhold passer ikke til navnet: den hedder .pdf men er en DOCX-fil."),
    ],
)
def test_upload__refuses_content_that_is_not_what_the_name_says(
    course: Any, admin_client: Client, media_root: Path, name: str, content: bytes, message: str
) -> None:
    response = _upload(admin_client, course, name, content, title="Mit materiale")
    html = response.content.decode()
    assert response.status_code == 400
    assert message in html
    assert 'value="Mit materiale"' in html
    assert Material.objects.count() == 0
    assert not media_root.exists() or not any(p.is_file() for p in media_root.rglob("*"))


def test_upload__refuses_a_file_over_the_limit(course: Any, admin_client: Client, settings: Any) -> None:
    settings.SAMSPIL_TRAINING_MAX_UPLOAD_MB = 1
    response = _upload(admin_client, course, "stor.pdf", PDF + b"0" * (1024 * 1024))
    assert response.status_code == 400
    assert "Filen er for stor. Den må højst fylde 1 MB." in response.content.decode()
    assert Material.objects.count() == 0


def test_upload__is_for_the_course_administrator_only(world: World, course: Any) -> None:
    response = _upload(verified_client(world.users["coordinator"]), course, "slides.pdf", PDF)
    assert response.status_code == 403
    assert Material.objects.count() == 0


def test_download__is_an_attachment_for_an_enrolled_participant(
    world: World, offering: Any, admin_client: Client
) -> None:
    _upload(admin_client, offering.course, "Dag 1 slides.pdf", PDF)
    material = Material.objects.get()
    seat(offering, world.users["police_officer"])
    response = verified_client(world.users["police_officer"]).get(
        reverse("training:material_download", args=[material.pk])
    )
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"] == 'attachment; filename="Dag 1 slides.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    event = AuditEvent.objects.filter(action=actions.COURSE_MATERIAL_DOWNLOADED).scoped().get()
    assert (event.actor_id, event.object_id) == (world.users["police_officer"].pk, str(material.pk))


@pytest.mark.parametrize("status", [EnrolmentStatus.WAITLISTED, EnrolmentStatus.CANCELLED, None])
def test_download__is_refused_without_a_seat(
    world: World, offering: Any, admin_client: Client, status: str | None
) -> None:
    _upload(admin_client, offering.course, "slides.pdf", PDF)
    if status is not None:
        seat(offering, world.users["police_officer"], status=status)
    client = verified_client(world.users["police_officer"])
    assert (
        client.get(reverse("training:material_download", args=[Material.objects.get().pk])).status_code == 403
    )
    assert client.get(reverse("training:material_list", args=[offering.course.pk])).status_code == 403
    assert AuditEvent.objects.filter(action=actions.COURSE_MATERIAL_DOWNLOADED).scoped().count() == 0


def test_delete__removes_the_row_and_the_file_once_committed(
    offering: Any, admin_client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    _upload(admin_client, offering.course, "slides.pdf", PDF)
    material = Material.objects.get()
    path = Path(material.file.path)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse("training:material_delete", args=[material.pk]))
    assert response.status_code == 302
    assert Material.objects.count() == 0
    assert not path.exists()
