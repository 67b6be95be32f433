"""Record exports as jobs (R5.2): exactly what the requester may see, as PDF and JSON, made off
the request path with progress, one at a time per person and case, downloadable by the
requester alone, sealed at rest and deleted after their time (R11.3, R11.4)."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import time_machine
from django.core.files.storage import default_storage
from django.test import Client
from pypdf import PdfReader

from parley.accounts.models import User
from parley.cases.actions import do_terminate
from parley.cases.record import export_for, open_record
from parley.cases.record_pdf import record_pdf_bytes, write_record_pdf
from parley.cases.retention import enforce_retention
from parley.notifications.models import ExportJob, ExportStatus
from parley.notifications.tasks import sweep_exports
from parley.rooms.actions import do_post_entry
from parley.testing import ActiveCast, Api, cid

Capture = Callable[..., AbstractContextManager[Any]]
NOT_FOUND = (404, {"code": "not_found", "detail": "Not found."})

ALICE_CAUCUS = "Alice's bottom line is seven thousand"
BOB_CAUCUS = "Bob would go to nine thousand"
JOINT = "Bob says hello to everyone"
COUNSEL_A = "Carol advises Alice privately"
NOTEBOOK = "Maya's private note"


def text_of(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def write(cast: ActiveCast) -> int:
    case_id = cid(cast)
    for user, room, body in (
        (cast.alice, "caucus_a", ALICE_CAUCUS),
        (cast.bob, "caucus_b", BOB_CAUCUS),
        (cast.bob, "joint", JOINT),
        (cast.carol, "counsel_a", COUNSEL_A),
        (cast.maya, "notebook", NOTEBOOK),
    ):
        do_post_entry(acting_user=user, case_id=case_id, room_id=cast.room(room).pk, body=body)
    return case_id


def export(user: User, case_id: int, fmt: str, capture: Capture) -> tuple[dict[str, Any], bytes]:
    """Asks for an export, lets the job run as it would after the commit, and downloads it."""
    api = Api(user)
    with capture(execute=True):
        status, job = api.post(f"/cases/{case_id}/exports", {"format": fmt})
    assert status == 202, job
    status, job = api.get(f"/exports/{job['id']}")
    assert (status, job["status"]) == (200, "ready"), job
    response = api.client.get(job["download"])
    assert response.status_code == 200
    return job, b"".join(response.streaming_content)  # type: ignore[attr-defined]


def test_r5_2_each_person_s_export_holds_exactly_their_view_as_pdf_and_json(
    active: ActiveCast, django_capture_on_commit_callbacks: Capture
) -> None:
    case_id = write(active)
    sees = {
        "alice": (active.alice, {ALICE_CAUCUS, JOINT, COUNSEL_A}),
        "bob": (active.bob, {BOB_CAUCUS, JOINT}),
        "carol": (active.carol, {ALICE_CAUCUS, JOINT, COUNSEL_A}),
        # R3.3: not the counsel rooms; R3.4: never the notebook, not even to the mediator.
        "maya": (active.maya, {ALICE_CAUCUS, BOB_CAUCUS, JOINT}),
    }
    everything = {ALICE_CAUCUS, BOB_CAUCUS, JOINT, COUNSEL_A, NOTEBOOK}
    for name, (user, visible) in sees.items():
        job, pdf = export(user, case_id, "pdf", django_capture_on_commit_callbacks)
        assert job["format"] == "pdf" and job["done"] == job["total"] == len(visible), name
        text = text_of(pdf)
        assert {t for t in everything if t in text} == visible, name
        assert text.count("PRIVILEGED AND CONFIDENTIAL: mediation communication") == len(visible)
        _, raw = export(user, case_id, "json", django_capture_on_commit_callbacks)
        data = json.loads(raw)
        # The job's file is the same record the immediate export gives, entry for entry.
        assert {k: v for k, v in data.items() if k != "exported_at"} == {
            k: v for k, v in export_for(user, case_id).items() if k != "exported_at"
        }
        bodies = {e["body"] for room in data["rooms"] for e in room["entries"]}
        assert bodies == visible, name


def test_r5_2_one_export_runs_per_person_per_case(active: ActiveCast) -> None:
    case_id = write(active)
    alice = Api(active.alice)
    # The job is queued but its worker has not started (on_commit callbacks not run).
    status, first = alice.post(f"/cases/{case_id}/exports", {"format": "pdf"})
    assert (status, first["status"]) == (202, "queued")
    status, refused = alice.post(f"/cases/{case_id}/exports", {"format": "json"})
    assert status == 409 and refused["code"] == "export_running"
    assert f"number {first['id']}" in refused["detail"]
    # The page says so too, and the list shows the job being made.
    client = Client()
    client.force_login(active.alice)
    response = client.post(f"/cases/{case_id}/record/", {"format": "pdf"}, follow=True)
    assert "is still being made" in response.content.decode()
    assert [j["id"] for j in alice.get(f"/cases/{case_id}/exports")[1]] == [first["id"]]
    # Someone else's export of the same case is theirs to ask for.
    assert Api(active.bob).post(f"/cases/{case_id}/exports", {"format": "pdf"})[0] == 202
    # Once it has run, Alice may ask again.
    from parley.notifications.tasks import generate_export

    generate_export(first["id"])  # jobs run at once under pytest
    assert alice.get(f"/exports/{first['id']}")[1]["status"] == "ready"
    assert alice.post(f"/cases/{case_id}/exports", {"format": "json"})[0] == 202


def test_r5_2_progress_is_saved_as_the_pdf_is_made_and_shown_on_the_page(
    active: ActiveCast,
) -> None:
    case_id = cid(active)
    for n in range(7):
        do_post_entry(
            acting_user=active.bob,
            case_id=case_id,
            room_id=active.room("joint").pk,
            body=f"Joint entry {n}",
        )
    seen: list[int] = []
    out = io.BytesIO()
    write_record_pdf(open_record(active.bob, case_id), out, progress=seen.append, piece_entries=3)
    assert seen == [3, 6, 7]
    # Pages are numbered on across the pieces, and the end says how many there are.
    reader = PdfReader(io.BytesIO(out.getvalue()))
    pages = len(reader.pages)
    last = " ".join((reader.pages[-1].extract_text() or "").split())
    assert f"page {pages}" in last and f"This record has {pages} pages." in last
    assert "7 entries in 3 rooms." in last  # joint, his caucus, his counsel room
    # Fingerprints wait at the end, under "Details for checking", not in the reader's way.
    assert "Details for checking This record's content (SHA-256):" in last
    first = " ".join((reader.pages[0].extract_text() or "").split())
    assert re.search(r"[0-9a-f]{64}", first) is None
    # A job being made shows how far it got on the page, which polls for more.
    job = ExportJob.objects.create(
        requested_by=active.bob,
        case_id=case_id,
        format="pdf",
        status=ExportStatus.RUNNING,
        done=3,
        total=7,
    )
    client = Client()
    client.force_login(active.bob)
    page = client.get(f"/cases/{case_id}/record/").content.decode()
    assert "Being made: 3 of 7 entries" in page
    assert f'hx-get="/cases/{case_id}/record/progress/"' in page
    shown = Api(active.bob).get(f"/exports/{job.pk}")[1]
    assert (shown["status"], shown["done"], shown["total"]) == ("running", 3, 7)
    job.status = ExportStatus.FAILED
    job.save(update_fields=["status"])
    fragment = client.get(f"/cases/{case_id}/record/progress/").content.decode()
    assert "hx-get" not in fragment  # nothing left to wait for: the polling stops


def test_r5_2_the_file_is_the_requester_s_alone(
    active: ActiveCast, django_capture_on_commit_callbacks: Capture
) -> None:
    case_id = write(active)
    job, pdf = export(active.alice, case_id, "pdf", django_capture_on_commit_callbacks)
    page_download = f"/cases/{case_id}/record/{job['id']}/download/"
    client = Client()
    client.force_login(active.alice)
    response = client.get(page_download)
    assert response.status_code == 200 and response.content == pdf
    assert response["Content-Type"] == "application/pdf"
    for other in (active.bob, active.carol, active.maya, active.olga):
        api = Api(other)
        assert api.get(f"/exports/{job['id']}") == NOT_FOUND
        assert api.client.get(job["download"]).json() == NOT_FOUND[1]
        assert api.get(f"/cases/{case_id}/exports")[1] == [] if other != active.olga else True
        client = Client()
        client.force_login(other)
        assert client.get(page_download).status_code == 404
    assert Api(active.olga).get(f"/cases/{case_id}/exports") == NOT_FOUND
    assert Api(active.olga).post(f"/cases/{case_id}/exports", {"format": "pdf"}) == NOT_FOUND
    assert Api(None).get(f"/exports/{job['id']}")[0] == 401


def test_r11_3_a_stored_export_is_sealed_and_deleted_after_its_time(
    active: ActiveCast, django_capture_on_commit_callbacks: Capture
) -> None:
    case_id = write(active)
    job, raw = export(active.alice, case_id, "json", django_capture_on_commit_callbacks)
    assert ALICE_CAUCUS.encode() in raw
    row = ExportJob.objects.get(pk=job["id"])
    assert row.file.name
    stored_name = row.file.name
    with default_storage.open(stored_name, "rb") as handle:
        stored = handle.read()
    assert ALICE_CAUCUS.encode() not in stored and b"seven thousand" not in stored
    assert row.expires_at is not None
    assert sweep_exports(row.expires_at - dt.timedelta(minutes=1)) == 0
    assert sweep_exports(row.expires_at) == 1
    assert not default_storage.exists(stored_name)
    status, after = Api(active.alice).get(f"/exports/{job['id']}")
    assert (status, after["status"], after["download"]) == (200, "expired", None)
    assert Api(active.alice).client.get(job["download"]).status_code == 404


def test_r11_4_after_crypto_shredding_exports_say_the_content_was_destroyed(
    active: ActiveCast, django_capture_on_commit_callbacks: Capture
) -> None:
    case_id = write(active)
    ready, _ = export(active.alice, case_id, "pdf", django_capture_on_commit_callbacks)
    ended = dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC)
    with time_machine.travel(ended, tick=False):
        do_terminate(acting_user=active.maya, case_id=case_id)
    Api(active.maya).post(f"/cases/{case_id}/retention", {"days": 0})
    with time_machine.travel(ended + dt.timedelta(days=1), tick=False):
        assert enforce_retention()["notices"] == 1  # never destroyed without the notice
        assert enforce_retention()["destroyed"] == 1
    gone = {
        "code": "content_destroyed",
        "detail": "Content destroyed under the retention policy on 2026-03-02.",
    }
    alice = Api(active.alice)
    assert alice.post(f"/cases/{case_id}/exports", {"format": "pdf"}) == (410, gone)
    assert alice.client.get(ready["download"]).status_code == 410
    client = Client()
    client.force_login(active.alice)
    page = client.get(f"/cases/{case_id}/record/")
    assert page.status_code == 410 and gone["detail"] in page.content.decode()


def test_r5_2_the_same_record_gives_the_same_pdf_bytes(active: ActiveCast) -> None:
    case_id = write(active)
    first = record_pdf_bytes(open_record(active.alice, case_id))
    second = record_pdf_bytes(open_record(active.alice, case_id))
    assert first == second
    assert re.search(rb"/CreationDate", first) is None


def test_r5_2_text_people_wrote_is_set_as_text_never_as_typst_markup(active: ActiveCast) -> None:
    case_id = cid(active)
    tricky = '#read("/etc/passwd") *not bold* $x^2$ <label> @ref\n#set page(width: 1cm)'
    do_post_entry(
        acting_user=active.alice, case_id=case_id, room_id=active.room("joint").pk, body=tricky
    )
    text = text_of(record_pdf_bytes(open_record(active.alice, case_id)))
    assert '#read("/etc/passwd") *not bold* $x^2$ <label> @ref #set page(width: 1cm)' in text
    assert "root:" not in text


def test_times_in_the_pdf_are_in_the_reader_s_zone_named(active: ActiveCast) -> None:
    case_id = write(active)
    active.alice.time_zone = "Asia/Tokyo"
    active.alice.save(update_fields=["time_zone"])
    text = text_of(record_pdf_bytes(open_record(active.alice, case_id)))
    assert "Times are in Asia/Tokyo." in text
    assert re.search(r"Alice Alvarez · \d{4}-\d\d-\d\d \d\d:\d\d JST", text)
    assert " UTC" not in text
