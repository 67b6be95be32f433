"""Shared pieces of the JSON API: the body parser, text, id and date types that refuse what
cannot be meant (NUL bytes, ids past a 64-bit integer, dates before the service existed), and
the error body."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Schema
from ninja.parser import Parser
from pydantic import AfterValidator, BeforeValidator, Field

from parley.limits import text_chars

# The largest id a database row can have (a signed 64-bit integer); larger numbers name nothing.
MAX_ID = 2**63 - 1
EARLIEST_YEAR = 2000
LATEST_YEAR = 2100


class BadBody(ValueError):
    """A JSON body Parley refuses before looking at its fields; `status` is the answer's."""

    def __init__(self, code: str, detail: str, status: int) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail
        self.status = status


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


class ObjectParser(Parser):
    """Every operation's JSON body is an object: a bare string or list is refused, never read
    as if it were the first field (django-ninja would otherwise feed `"hello world"` to a
    schema). NUL characters anywhere are refused too (PostgreSQL text cannot hold them)."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        try:
            data = json.loads(request.body)
        except (ValueError, UnicodeDecodeError):
            raise BadBody("bad_json", "The request body is not valid JSON.", 400) from None
        if not isinstance(data, dict):
            raise BadBody("bad_body", "The request body must be a JSON object ({...}).", 422)
        if _has_nul(data):
            raise BadBody(
                "bad_input", "The request holds a NUL character, which is not allowed.", 422
            )
        return data


def _plain_date(value: Any) -> Any:
    """Dates are written as YYYY-MM-DD (or an ISO date-time); a bare number is not a date."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise ValueError("write the date as YYYY-MM-DD")
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        raise ValueError("write the date as YYYY-MM-DD")
    return value


def _plausible(value: date | datetime) -> date | datetime:
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise ValueError(f"the date must fall between {EARLIEST_YEAR} and {LATEST_YEAR}")
    return value


Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Day = Annotated[date, BeforeValidator(_plain_date), AfterValidator(_plausible)]
Moment = Annotated[datetime, BeforeValidator(_plain_date), AfterValidator(_plausible)]


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("NUL characters are not allowed")
    return value


Text = Annotated[str, AfterValidator(_no_nul)]
ShortText = Annotated[str, Field(max_length=200), AfterValidator(_no_nul)]
LongText = Annotated[str, Field(max_length=text_chars()), AfterValidator(_no_nul)]


class Error(Schema):
    code: str
    detail: str


ERRORS = {400: Error, 401: Error, 403: Error, 404: Error, 409: Error, 422: Error}
