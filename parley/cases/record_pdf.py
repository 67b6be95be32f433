"""The participant's record as a PDF (R5.2): the same data as the JSON export, so it holds
exactly what its reader can see, every item stamped."""

from __future__ import annotations

import hashlib
import json

from django.template.loader import render_to_string
from weasyprint import HTML

from parley.accounts.models import User
from parley.cases.record import export_for, report_for


def record_pdf(user: User, case_id: int) -> tuple[bytes, str]:
    """The PDF and a file name. Raises NotFound like the JSON export."""
    data = export_for(user, case_id)
    stable = {k: v for k, v in data.items() if k != "exported_at"}
    digest = hashlib.sha256(json.dumps(stable, sort_keys=True, default=str).encode()).hexdigest()
    html = render_to_string("cases/record_pdf.html", {"record": data, "digest": digest})
    pdf: bytes = HTML(string=html, base_url=None).write_pdf(
        pdf_identifier=digest[:32].encode("ascii")
    )
    return pdf, f"parley-case-{data['case']['id']}-record.pdf"


def report_pdf(user: User, case_id: int) -> tuple[bytes, str]:
    """The §7 report (R5.4) as a PDF: the same fixed fields as the page, with their hash."""
    report = report_for(user, case_id)
    html = render_to_string("cases/report_pdf.html", {"report": report, "standalone": True})
    pdf: bytes = HTML(string=html, base_url=None).write_pdf(
        pdf_identifier=report["sha256"][:32].encode("ascii")
    )
    return pdf, f"parley-case-{case_id}-report.pdf"
