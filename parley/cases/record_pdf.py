"""The participant's record as a PDF (R5.2), and the §7 report as a PDF (R5.4).

The record holds the same data as the JSON export, so exactly what its reader can see, every
item stamped. It is typeset by Typst in pieces of `PIECE_ENTRIES` entries, read from the
database a batch at a time, and the pieces are joined with pypdf: memory stays bounded and the
cost per entry stays flat however long the case is (`benchmarks/export.py`). WeasyPrint, which
sets the report and the settlement, needs about 10 ms per entry here, too slow for a record of
thousands. The same record gives the same bytes every time: no date, no random identifier.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Callable
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import IO, Any

import typst
from django.template.loader import render_to_string
from pypdf import PdfReader, PdfWriter
from weasyprint import HTML

from parley.accounts.models import User
from parley.cases.policy import Role
from parley.cases.record import Record, report_for, room_entries
from parley.meetings.times import local, zone_label, zone_of_user
from parley.rooms.policy import Instruction

# Entries per Typst piece. Typst keeps what it memoised for its last ten compilations, so its
# memory follows the size of ten pieces, not of the record: with 100 entries a piece, about
# 80 MiB (fonts included) against 270 MiB for 5,000 entries in one go, and no slower per entry
# (benchmarks/export.py).
PIECE_ENTRIES = 100
TEMPLATE = Path(__file__).parent / "templates" / "cases" / "record.typ"

Progress = Callable[[int], None]


@cache
def _source() -> bytes:
    return TEMPLATE.read_bytes()


def _canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def _when(iso: str, zone: str) -> str:
    """'2026-12-03 14:00 CET': in the reader's zone, named (as every page and mail does)."""
    at = local(datetime.fromisoformat(iso), zone)
    return f"{at:%Y-%m-%d %H:%M} {zone_label(at)}"


def _entry_view(item: dict[str, Any], zone: str) -> dict[str, Any]:
    source = item["source"]
    document = item.get("document")
    instruction = item["instruction"]
    return {
        "who": item["author"] or "Parley",
        "when": _when(item["created_at"], zone),
        "instruction": Instruction(instruction).label if instruction else None,
        "shared": f"Shared by {source['shared_by']} from {source['room']}" if source else None,
        "body": item["body"],
        # The fingerprint is listed under "Details for checking" at the end, not here.
        "document": f"Document {document['name']}" if document else None,
        "privileged": item["privileged"],
        "stamp": item["stamp"],
    }


def _head_view(head: dict[str, Any], zone: str) -> dict[str, Any]:
    case = head["case"]
    who = head["exported_by"]
    reference = f" · {case['reference']}" if case["reference"] else ""
    view: dict[str, Any] = {
        "title": case["title"],
        "meta": f"Case {case['id']}{reference} · status: {case['status']}",
        "about": (
            f"The record of what {who['name']} ({Role(who['role']).label.lower()}) can see. "
            "Entries written before the mediation ended are privileged and confidential "
            "mediation communications; entries written after it are not confidential. "
            f"Times are in {zone}."
        ),
        "outcome": None,
        "agreement": None,
    }
    outcome = head["outcome"]
    if outcome is not None:
        ended = f" · ended {_when(outcome['ended_at'], zone)}" if outcome["ended_at"] else ""
        said = (
            f"The mediation ended: {outcome['outcome'].replace('_', ' ')}"
            if outcome["outcome"]
            else "The mediation ended; its result is confidential and shown only to those "
            "who signed the agreement"
        )
        view["outcome"] = {
            "text": said + ended,
            "confidential": outcome["confidential"],
            "stamp": outcome["stamp"]
            or "NOT CONFIDENTIAL: the outcome of this mediation is not confidential",
        }
    agreement = head["agreement"]
    if agreement is not None:
        view["agreement"] = {
            "title": f"Agreement to mediate (version {agreement['version']})",
            "signatures": [
                f"Signed by {s['name']} ({Role(s['role']).label.lower()}) on {_when(s['signed_at'], zone)}"
                for s in agreement["signatures"]
            ],
        }
    return view


def details(head: dict[str, Any], hexdigest: str) -> list[str]:
    """The fingerprints a reader can check, at the end where they do not get in the way."""
    audit = head["audit"]
    lines = [
        f"This record's content (SHA-256): {hexdigest}",
        f"Audit chain: {audit['events']} events, head {audit['head']}",
    ]
    if head["agreement"] is not None:
        lines.append(f"Agreement to mediate (SHA-256): {head['agreement']['sha256']}")
    return lines


def record_digest_start(record: Record) -> Any:
    """SHA-256 over the record's content in canonical JSON: the head (without the time of the
    export), then each room's head followed by its entries."""
    stable = {k: v for k, v in record.head.items() if k != "exported_at"}
    return hashlib.sha256(_canonical(stable))


class _Typesetter:
    """Typesets pieces and joins them; pages are numbered on across pieces."""

    def __init__(self, record: Record) -> None:
        case = record.head["case"]
        self.compiler = typst.Compiler()
        self.writer = PdfWriter()
        self.pages = 0
        self.title = f"Record of {case['title']}"
        self.caseline = f"case {case['id']}"

    def piece(
        self,
        sections: list[dict[str, Any]],
        *,
        head: dict[str, Any] | None = None,
        end: dict[str, Any] | None = None,
    ) -> None:
        data = {
            "title": self.title,
            "caseline": self.caseline,
            "head": head,
            "sections": sections,
            "end": end,
        }
        pdf = self.compiler.compile(
            input=_source(),
            sys_inputs={"piece": json.dumps(data), "first_page": str(self.pages)},
        )
        assert isinstance(pdf, bytes)
        reader = PdfReader(io.BytesIO(pdf))
        self.pages += len(reader.pages)
        self.writer.append(reader)

    def write(self, out: IO[bytes]) -> None:
        self.writer.add_metadata({"/Title": self.title, "/Producer": "Parley"})
        self.writer.write(out)


def write_record_pdf(
    record: Record,
    out: IO[bytes],
    *,
    progress: Progress | None = None,
    piece_entries: int = PIECE_ENTRIES,
) -> str:
    """Typesets `record` into `out` and returns its digest; `progress(n)` after each piece,
    with the number of entries done so far."""
    digest = record_digest_start(record)
    typesetter = _Typesetter(record)
    # The zone the person chose for their account (a job has no browser to ask), else UTC.
    zone = zone_of_user(record.me.user) or "UTC"
    head: dict[str, Any] | None = _head_view(record.head, zone)
    sections: list[dict[str, Any]] = []
    in_piece = done = 0
    fingerprints: list[str] = []
    for room in record.rooms:
        digest.update(_canonical(record.room_head(room)))
        sections.append({"label": room.label, "continued": False, "entries": []})
        for batch in room_entries(record, room):
            for item in batch:
                digest.update(_canonical(item))
                sections[-1]["entries"].append(_entry_view(item, zone))
                document = item.get("document")
                if document:
                    fingerprints.append(
                        f"Document {document['name']}: SHA-256 {document['sha256']}"
                    )
                in_piece += 1
                if in_piece == piece_entries:
                    typesetter.piece(sections, head=head)
                    done += in_piece
                    if progress is not None:
                        progress(done)
                    head, in_piece = None, 0
                    sections = [{"label": room.label, "continued": True, "entries": []}]
    hexdigest: str = digest.hexdigest()
    entries = done + in_piece
    end = {
        "summary": f"{entries} {'entry' if entries == 1 else 'entries'} in "
        f"{len(record.rooms)} {'room' if len(record.rooms) == 1 else 'rooms'}.",
        "details": details(record.head, hexdigest) + fingerprints,
    }
    typesetter.piece(sections, head=head, end=end)
    if progress is not None:
        progress(entries)
    typesetter.write(out)
    return hexdigest


def record_pdf_bytes(record: Record) -> bytes:
    """The whole PDF in memory: for tests and small records; jobs write to a file."""
    out = io.BytesIO()
    write_record_pdf(record, out)
    return out.getvalue()


def report_pdf(user: User, case_id: int) -> tuple[bytes, str]:
    """The §7 report (R5.4) as a PDF: the same fixed fields as the page, with their hash."""
    report = report_for(user, case_id)
    html = render_to_string("cases/report_pdf.html", {"report": report, "standalone": True})
    pdf: bytes = HTML(string=html, base_url=None).write_pdf(
        pdf_identifier=report["sha256"][:32].encode("ascii")
    )
    return pdf, f"parley-case-{case_id}-report.pdf"
