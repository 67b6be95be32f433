"""Times on pages, in mail and in PDFs: in the reader's zone, always labelled.

    {% load parley_time %}
    {% local_time offer.expires_at %}          <time> in the reader's zone, zone named
    {% local_time entry.created_at "short" %}  "3 Dec, 14:00 CET", the full form on hover
    {{ moment|in_zone:"Europe/Berlin" }}        plain text, for mail and PDFs

Month and day names are in the active language (Babel's forms for it; English keeps
parley.meetings.times's). The reader's zone is `reader_zone` in the template's context when the caller set it (mail and
PDFs, which have no request), else the request's (parley.meetings.times.reader_zone: the
account's zone, else the browser's). A moment may be an aware datetime or an ISO 8601 string
with an offset (what the API payloads hold); anything else renders as nothing."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import template
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.safestring import SafeString

from parley.meetings.times import reader_zone, short_when, valid_zone, when

register = template.Library()


def _moment(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else None
    if isinstance(value, str) and value:
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return None
        return parsed if parsed.tzinfo is not None else None
    return None


def zone_for(context: template.Context) -> str:
    chosen = valid_zone(str(context.get("reader_zone") or ""))
    if chosen:
        return chosen
    request = context.get("request")
    return reader_zone(request) if isinstance(request, HttpRequest) else "UTC"


@register.simple_tag(takes_context=True)
def local_time(context: template.Context, value: Any, style: str = "full") -> SafeString:
    moment = _moment(value)
    if moment is None:
        return SafeString("")
    zone_name = zone_for(context)
    full = when(moment, zone_name)
    shown = short_when(moment, zone_name) if style == "short" else full
    return format_html('<time datetime="{}" title="{}">{}</time>', moment.isoformat(), full, shown)


@register.filter
def in_zone(value: Any, zone_name: str) -> str:
    moment = _moment(value)
    if moment is None:
        return ""
    return when(moment, valid_zone(zone_name) or "UTC")
