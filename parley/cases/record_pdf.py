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
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from pypdf import PdfReader, PdfWriter
from weasyprint import HTML

from parley.accounts.models import User
from parley.cases.policy import CaseStatus, Outcome, Role
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


def language_name(code: str) -> str:
    """A language's name in the reader's language ("Spanish", "Español"...)."""
    try:
        return str(translation.get_language_info(code)["name_translated"])
    except KeyError:
        return code


def _entry_view(item: dict[str, Any], zone: str) -> dict[str, Any]:
    source = item["source"]
    document = item.get("document")
    instruction = item["instruction"]
    return {
        "who": item["author"] or "Parley",
        "when": _when(item["created_at"], zone),
        "instruction": str(Instruction(instruction).label) if instruction else None,
        "shared": _("Shared by %(who)s from %(room)s")
        % {"who": source["shared_by"], "room": source["room"]}
        if source
        else None,
        "body": item["body"],
        # The fingerprint is listed under "Details for checking" at the end, not here.
        "document": _("Document %(name)s") % {"name": document["name"]} if document else None,
        "privileged": item["privileged"],
        "stamp": item["stamp"],
    }


def _head_view(head: dict[str, Any], zone: str) -> dict[str, Any]:
    case = head["case"]
    who = head["exported_by"]
    reference = f" · {case['reference']}" if case["reference"] else ""
    view: dict[str, Any] = {
        "title": case["title"],
        "meta": _("Case %(id)s%(reference)s · status: %(status)s")
        % {
            "id": case["id"],
            "reference": reference,
            "status": str(CaseStatus(case["status"]).label).lower(),
        },
        "about": _(
            "The record of what %(name)s (%(role)s) can see. Entries written before the "
            "mediation ended are privileged and confidential mediation communications; entries "
            "written after it are not confidential. Times are in %(zone)s."
        )
        % {"name": who["name"], "role": str(Role(who["role"]).label).lower(), "zone": zone},
        "outcome": None,
        "agreement": None,
    }
    outcome = head["outcome"]
    if outcome is not None:
        ended = (
            _(" · ended %(when)s") % {"when": _when(outcome["ended_at"], zone)}
            if outcome["ended_at"]
            else ""
        )
        said = (
            _("The mediation ended: %(outcome)s")
            % {"outcome": str(Outcome(outcome["outcome"]).label).lower()}
            if outcome["outcome"]
            else _(
                "The mediation ended; its result is confidential and shown only to those "
                "who signed the agreement"
            )
        )
        view["outcome"] = {
            "text": said + ended,
            "confidential": outcome["confidential"],
            "stamp": outcome["stamp"]
            or _("NOT CONFIDENTIAL: the outcome of this mediation is not confidential"),
        }
    agreement = head["agreement"]
    if agreement is not None:
        view["agreement"] = {
            "title": _("Agreement to mediate (version %(version)s)")
            % {"version": agreement["version"]},
            "signatures": [
                _("Signed by %(name)s (%(role)s) on %(when)s, the text in %(language)s")
                % {
                    "name": s["name"],
                    "role": str(Role(s["role"]).label).lower(),
                    "when": _when(s["signed_at"], zone),
                    "language": language_name(s["language"]),
                }
                for s in agreement["signatures"]
            ],
        }
    return view


def details(head: dict[str, Any], hexdigest: str) -> list[str]:
    """The fingerprints a reader can check, at the end where they do not get in the way."""
    audit = head["audit"]
    lines = [
        _("This record's content (SHA-256): %(hash)s") % {"hash": hexdigest},
        _("Audit chain: %(events)s events, head %(head)s")
        % {"events": audit["events"], "head": audit["head"]},
    ]
    if head["agreement"] is not None:
        for language, sha in head["agreement"]["sha256_by_language"].items():
            lines.append(
                _("Agreement to mediate, the text in %(language)s (SHA-256): %(hash)s")
                % {"language": language_name(language), "hash": sha}
            )
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
        self.title = _("Record of %(title)s") % {"title": case["title"]}
        self.caseline = _("Parley record · case %(id)s") % {"id": case["id"]}
        # Typst's own language (hyphenation), and the record's fixed words, in the language
        # of the person who asked for it.
        self.lang = (translation.get_language() or "en").split("-")[0]
        self.words = {
            "page": _("page {n}"),
            "outcome": _("Outcome"),
            "nothing": _("Nothing written here."),
            "continued": _(" (continued)"),
            "end": _("End of the record"),
            "pages": _("This record has {n} pages."),
            "details": _("Details for checking"),
        }

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
            "lang": self.lang,
            "words": self.words,
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
                        _("Document %(name)s: SHA-256 %(hash)s")
                        % {"name": document["name"], "hash": document["sha256"]}
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
        "summary": _("%(entries)s in %(rooms)s.")
        % {
            "entries": ngettext("%(n)s entry", "%(n)s entries", entries) % {"n": entries},
            "rooms": ngettext("%(n)s room", "%(n)s rooms", len(record.rooms))
            % {"n": len(record.rooms)},
        },
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
