"""Who a person is in a case, and how a case moves through its life (R1, R2.3, R7).

Pure: no ORM, no HTTP. Everything else asks these functions.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import TextChoices
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parley.errors import BadInput, DomainError, Forbidden


class Role(TextChoices):
    MEDIATOR = "mediator", gettext_lazy("Mediator")
    PARTY = "party", gettext_lazy("Party")
    COUNSEL = "counsel", gettext_lazy("Counsel")
    SUPPORT = "support", gettext_lazy("Support person")
    OBSERVER = "observer", gettext_lazy("Observer")


SIDE_ROLES = frozenset({Role.PARTY, Role.COUNSEL, Role.SUPPORT})


class CaseStatus(TextChoices):
    SETUP = "setup", gettext_lazy("Being set up")
    SIGNING = "signing", gettext_lazy("Waiting for signatures")
    ACTIVE = "active", gettext_lazy("Active")
    TERMINATED = "terminated", gettext_lazy("Ended")


class CaseEvent(TextChoices):
    ISSUE_AGREEMENT = "issue_agreement"
    ALL_SIGNED = "all_signed"
    AGREEMENT_CHANGED = "agreement_changed"
    TERMINATE = "terminate"


class Outcome(TextChoices):
    SETTLED = "settled", gettext_lazy("Settled")
    NOT_SETTLED = "not_settled", gettext_lazy("Not settled")


class TerminationKind(TextChoices):
    PARTY = "party", gettext_lazy("Declared by a party to the mediator")
    MEDIATOR = "mediator", gettext_lazy("Declared by the mediator to all parties")
    SETTLEMENT = "settlement", gettext_lazy("Every party signed a settlement")


_TRANSITIONS: dict[tuple[CaseStatus, CaseEvent], CaseStatus] = {
    (CaseStatus.SETUP, CaseEvent.ISSUE_AGREEMENT): CaseStatus.SIGNING,
    (CaseStatus.SIGNING, CaseEvent.ALL_SIGNED): CaseStatus.ACTIVE,
    (CaseStatus.SIGNING, CaseEvent.AGREEMENT_CHANGED): CaseStatus.SIGNING,
    (CaseStatus.ACTIVE, CaseEvent.AGREEMENT_CHANGED): CaseStatus.SIGNING,
    # Voluntariness (clause 2): a party may walk away at any moment, signed or not.
    (CaseStatus.SETUP, CaseEvent.TERMINATE): CaseStatus.TERMINATED,
    (CaseStatus.SIGNING, CaseEvent.TERMINATE): CaseStatus.TERMINATED,
    (CaseStatus.ACTIVE, CaseEvent.TERMINATE): CaseStatus.TERMINATED,
}


def transition(status: CaseStatus, event: CaseEvent) -> CaseStatus:
    """The status after `event`, or a refusal. TERMINATED has no way out (R7.5)."""
    if status == CaseStatus.TERMINATED:
        raise DomainError(
            "case_terminated", _("This mediation has ended; that can no longer be done.")
        )
    try:
        return _TRANSITIONS[(status, event)]
    except KeyError:
        raise DomainError(
            "bad_transition",
            _("A case that is %(status)s cannot do that.")
            % {"status": str(CaseStatus(status).label).lower()},
        ) from None


def check_can_hold_role(existing_roles: set[Role], new_role: Role) -> None:
    """One role per person per case (R1.2)."""
    if existing_roles:
        held = next(iter(existing_roles))
        raise DomainError(
            "one_role_per_case",
            _(
                "This person already takes part in the case as %(role)s; "
                "a person holds one role in a case."
            )
            % {"role": str(Role(held).label).lower()},
        )
    if new_role == Role.MEDIATOR:
        raise DomainError("bad_role", _("A case has exactly one mediator, set when it is created."))


def check_side_for_role(role: Role, has_side: bool) -> None:
    if role in SIDE_ROLES and role != Role.PARTY and not has_side:
        raise DomainError(
            "side_required", _("Counsel and support persons attend for a side: pick one.")
        )
    if role == Role.OBSERVER and has_side:
        raise DomainError("no_side_for_observer", _("An observer attends on no side."))


def check_can_terminate(role: Role | None, status: CaseStatus) -> None:
    """Any party, or the mediator, may terminate (R7.1, R7.2); nobody else declares for them."""
    if status == CaseStatus.TERMINATED:
        raise DomainError("case_terminated", _("This mediation has already ended."))
    if role not in (Role.PARTY, Role.MEDIATOR):
        raise Forbidden(
            "not_allowed",
            _("Only a party or the mediator can end a mediation. Ask the party you attend for."),
        )


@dataclass(frozen=True)
class CourtOrder:
    court: str
    order_reference: str
    min_sessions: int = 0


def court_order_warning(order: CourtOrder | None, sessions_held: int) -> str | None:
    """A warning for a party about to terminate under an unmet court order (R7.4).

    It is only a warning: the software traps no one.
    """
    if order is None or sessions_held >= order.min_sessions:
        return None
    return (
        f"This mediation was ordered by {order.court} (order {order.order_reference}), which "
        f"requires at least {order.min_sessions} session(s) with every party present; {sessions_held} have been held. "
        "Ending it now may have consequences with the court. You may still end it."
    )


def outcome_is_confidential(results_confidential: bool) -> bool:
    """The outcome is public unless the agreement says otherwise (R5.3, client clause 1)."""
    return results_confidential


def outcome_visible(results_confidential: bool, reader_signed: bool | None) -> bool:
    """R5.3, R2.3: who may learn the outcome (settled or not). Public unless
    `results_confidential`; then privileged like the content: signed participants only.
    `reader_signed`: None for the operator, who is no participant (R1.3). Every path that
    tells the outcome (case API, exports, report, who ended it) asks this."""
    if not outcome_is_confidential(results_confidential):
        return True
    return bool(reader_signed)


# --- Names people give -------------------------------------------------------------------------

MAX_LABEL_CHARS = 100


def check_email(email: str) -> str:
    """One address, as typed: no line breaks or other control characters (an address with CR/LF
    in it would break, or forge, the headers of every mail sent to it)."""
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    email = email.strip().lower()
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in email):
        raise BadInput("bad_email", _("Enter one e-mail address, with no line breaks."))
    try:
        validate_email(email)
    except ValidationError:
        raise BadInput("bad_email", _("Enter a valid e-mail address.")) from None
    return email


def check_label(label: str) -> str:
    """A side's name is one line of visible text (it is shown in tabs, mails and reports)."""
    label = label.strip()
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in label):
        raise BadInput(
            "bad_label", _("A side's name is one line of plain text, with no control characters.")
        )
    if len(label) > MAX_LABEL_CHARS:
        raise BadInput(
            "bad_label",
            _("A side's name is at most %(MAX_LABEL_CHARS)s characters.")
            % {"MAX_LABEL_CHARS": MAX_LABEL_CHARS},
        )
    return label


# --- Retention (R11.4) -------------------------------------------------------------------------

NOTICE_DAYS = 14
DEFAULT_RETENTION_DAYS = 365
MAX_RETENTION_DAYS = 3650


class RetentionStep(TextChoices):
    NOTHING = "nothing"
    NOTICE = "notice"
    DESTROY = "destroy"


def check_retention_days(days: int) -> None:
    if not 0 <= days <= MAX_RETENTION_DAYS:
        raise BadInput(
            "bad_retention",
            _("Keep the content between 0 and %(MAX_RETENTION_DAYS)s days.")
            % {"MAX_RETENTION_DAYS": MAX_RETENTION_DAYS},
        )


def check_can_shorten(current: int, wanted: int) -> None:
    """The mediator may shorten the period the agreement set, never lengthen it."""
    check_retention_days(wanted)
    if wanted >= current:
        raise BadInput(
            "retention_not_shorter",
            _("The content is kept %(current)s days; the mediator can only shorten that.")
            % {"current": current},
        )


def effective_retention(agreed: int, mediator: int | None) -> int:
    return agreed if mediator is None else min(agreed, mediator)


def retention_due(terminated_at: datetime, days: int) -> datetime:
    return terminated_at + timedelta(days=days)


def retention_step(
    now: datetime,
    terminated_at: datetime | None,
    days: int,
    *,
    notice_sent: bool,
    destroyed: bool,
) -> RetentionStep:
    """What the daily job does for one case: nothing while it runs or is kept; the notice once,
    from 14 days before the end; then destroy the key. With 0 days the notice and the end come
    together: the content is gone after the report."""
    if terminated_at is None or destroyed:
        return RetentionStep.NOTHING
    due = retention_due(terminated_at, days)
    if now >= due and notice_sent:
        return RetentionStep.DESTROY
    if now >= due - timedelta(days=NOTICE_DAYS) and not notice_sent:
        return RetentionStep.NOTICE
    return RetentionStep.NOTHING
