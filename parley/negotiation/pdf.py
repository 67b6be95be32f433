"""The settlement as a PDF (WeasyPrint), byte-identical across runs: fixed metadata dates taken
from the settlement itself, a fixed file identifier, no clock and no randomness."""

from __future__ import annotations

from datetime import UTC, datetime

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy
from weasyprint import HTML

from parley.cases.access import CaseContext
from parley.cases.record import PRIVILEGED_STAMP
from parley.negotiation.models import SettlementSignature, SettlementVersion
from parley.negotiation.policy import settlement_is_confidential

PUBLIC_STAMP = gettext_lazy("NOT CONFIDENTIAL: the outcome of this mediation is not confidential")
DRAFT_STAMP = format_lazy(
    "{} {}", gettext_lazy("DRAFT, NOT SIGNED BY EVERY PARTY."), PRIVILEGED_STAMP
)


def _w3c(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def settlement_html(ctx: CaseContext, version: SettlementVersion, zone_name: str = "UTC") -> str:
    """In the active language, with times in `zone_name` (the reader's), each zone named."""
    signatures = list(
        SettlementSignature.objects.filter(settlement=version)
        .select_related("participant")
        .order_by("signed_at", "pk")
    )
    signed_ids = {s.participant_id for s in signatures}
    settled = (
        ctx.case.outcome == "settled"
        and bool(ctx.parties())
        and all(p.pk in signed_ids for p in ctx.parties())
    )
    results_confidential = bool(ctx.agreement and ctx.agreement.results_confidential)
    if not settled:
        stamp = DRAFT_STAMP
    elif settlement_is_confidential(results_confidential, settled):
        stamp = PRIVILEGED_STAMP
    else:
        stamp = PUBLIC_STAMP
    modified = max([version.created_at] + [s.signed_at for s in signatures])
    return render_to_string(
        "negotiation/settlement_pdf.html",
        {
            "case": ctx.case,
            "version": version,
            "paragraphs": [p for p in version.text.split("\n\n") if p.strip()],
            "signatures": signatures,
            "unsigned": [p for p in ctx.parties() if p.pk not in signed_ids],
            "stamp": str(stamp),
            "zone": zone_name,
            "created": _w3c(version.created_at),
            "modified": _w3c(modified),
            "agreement_sha256": ctx.agreement.sha256 if ctx.agreement else "",
        },
    )


def settlement_pdf(ctx: CaseContext, version: SettlementVersion, zone_name: str = "UTC") -> bytes:
    html = settlement_html(ctx, version, zone_name)
    data: bytes = HTML(string=html, base_url=None).write_pdf(
        pdf_identifier=version.sha256[:32].encode("ascii")
    )
    return data


def settlement_pdf_response(
    ctx: CaseContext, version: SettlementVersion, zone_name: str
) -> HttpResponse:
    """The download, for the page and the API alike (the caller checked access), with times
    in the reader's zone."""
    data = settlement_pdf(ctx, version, zone_name)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="parley-{ctx.case.pk}-settlement-v{version.version}.pdf"'
    )
    response["Cache-Control"] = "private, no-store"
    return response
