"""Domain errors: a stable machine-readable code and a sentence a person understands."""

from __future__ import annotations

from django.utils.translation import gettext


class DomainError(Exception):
    """A refused action. `status` is the HTTP status the API answers with."""

    status = 409

    def __init__(self, code: str, detail: str, *, status: int | None = None) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail
        if status is not None:
            self.status = status


class NotFound(DomainError):
    """Missing and forbidden look the same (R3.6): one code, one body."""

    status = 404

    def __init__(self) -> None:
        super().__init__("not_found", gettext("Not found."))


class Forbidden(DomainError):
    """For things the actor can already see but may not do (e.g. a party trying to share)."""

    status = 403


class BadInput(DomainError):
    status = 422
