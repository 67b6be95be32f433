"""Writes about cases and people: create, invite, accept, termination.

Every do_* runs in one transaction, holds the case row lock for check-then-change, writes its
audit event in that transaction, and publishes real-time events on commit.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from parley.accounts.models import User
from parley.audit.actions import record_event
from parley.audit.policy import EVERYONE, MEDIATOR, Audience, room_readers
from parley.cases.access import (
    CaseContext,
    access_case,
    check_mediator,
    enter_case,
    load_context,
    lock_case,
)
from parley.cases.invitations import INVITATION_SALT, invitation_token
from parley.cases.models import (
    Case,
    CorrectionStatus,
    Invitation,
    InvitationStatus,
    NameCorrection,
    Participant,
    Side,
)
from parley.cases.policy import (
    CaseEvent,
    CaseStatus,
    CourtOrder,
    Outcome,
    Role,
    TerminationKind,
    check_can_hold_role,
    check_can_terminate,
    check_email,
    check_label,
    check_side_for_role,
    court_order_warning,
    transition,
)
from parley.errors import BadInput, DomainError, Forbidden, NotFound
from parley.limits import entry_chars
from parley.meetings.queries import count_held_with_every_party
from parley.money import check_currency, default_currency
from parley.notifications.hooks import send_invitation_on_commit
from parley.realtime.publish import publish_on_commit
from parley.rooms.entries import add_entry
from parley.rooms.models import Entry, EntryKind, Room
from parley.rooms.policy import RoomKind
from parley.rooms.words import Part, stored, words
from parley.vault.keys import create_case_key


def do_create_case(
    *, acting_user: User, title: str, reference: str = "", currency: str | None = None
) -> Case:
    if not acting_user.can_mediate:
        raise Forbidden("not_a_mediator", _("Your account is not set up to mediate cases."))
    title = title.strip()
    if not title:
        raise BadInput("title_required", _("Give the case a title."))
    code = check_currency(currency or default_currency())
    with transaction.atomic():
        case = Case.objects.create(title=title, reference=reference.strip(), currency=code)
        create_case_key(case.pk)
        mediator = Participant.objects.create(
            case=case, user=acting_user, role=Role.MEDIATOR, display_name=acting_user.display_name
        )
        Room.objects.create(case=case, kind=RoomKind.JOINT)
        Room.objects.create(case=case, kind=RoomKind.NOTEBOOK)
        record_event(
            case,
            "case_created",
            actor_id=mediator.pk,
            salted={"title": title},
        )
    return case


def do_set_currency(*, acting_user: User, case_id: int, currency: str) -> Case:
    """The mediator chooses the case's currency during set-up. Once the case is active sums
    may have been offered in it, so it no longer changes."""
    code = check_currency(currency)
    with transaction.atomic():
        ctx, me = enter_case(acting_user, case_id)
        check_mediator(me)
        if ctx.case.status != CaseStatus.SETUP:
            raise DomainError(
                "currency_fixed",
                _("The currency is fixed once the agreement is signed: sums may be in it already."),
            )
        if ctx.case.currency != code:
            ctx.case.currency = code
            ctx.case.save(update_fields=["currency"])
            record_event(ctx.case, "currency_set", actor_id=me.pk, salted={"currency": code})
    return ctx.case


def do_invite(
    *,
    acting_user: User,
    case_id: int,
    email: str,
    display_name: str,
    role: Role,
    side_id: int | None = None,
    side_label: str = "",
    send_mail: bool = True,
) -> tuple[Invitation, str]:
    """Invite someone to a role (and side). A party invitation creates the party's side and its
    caucus and counsel rooms. Returns the invitation and its signed, expiring, single-use token."""
    email = check_email(email)
    side_label = check_label(side_label)
    display_name = " ".join(display_name.split())
    if not display_name:
        raise BadInput("name_required", _("Give the person's full name."))
    if role not in Role.values:
        raise BadInput("bad_role", _("Pick a role: party, counsel, support or observer."))
    role = Role(role)
    with transaction.atomic():
        ctx, me = enter_case(acting_user, case_id)
        case = ctx.case
        check_mediator(me)
        if case.status == CaseStatus.TERMINATED:
            raise DomainError("case_terminated", _("This mediation has ended."))
        existing = {
            Role(r)
            for r in Participant.objects.filter(case=case, user__email__iexact=email).values_list(
                "role", flat=True
            )
        }
        check_can_hold_role(existing, role)
        if Invitation.objects.filter(
            case=case, email=email, status=InvitationStatus.PENDING
        ).exists():
            raise DomainError("already_invited", _("This person already has a pending invitation."))
        side: Side | None = None
        if role == Role.PARTY:
            if side_id is not None:
                raise BadInput("bad_side", _("A party forms a new side of their own."))
            if case.status != CaseStatus.SETUP:
                raise DomainError(
                    "parties_fixed",
                    _(
                        "Parties are set before the agreement is issued; start a new case to add one."
                    ),
                )
            position = Side.objects.filter(case=case).count() + 1
            side = Side.objects.create(
                case=case, label=side_label.strip() or display_name, position=position
            )
            Room.objects.create(case=case, kind=RoomKind.CAUCUS, side=side)
            Room.objects.create(case=case, kind=RoomKind.COUNSEL, side=side)
        elif side_id is not None:
            side = Side.objects.filter(case=case, pk=side_id).first()
            if side is None:
                raise BadInput("bad_side", _("That side does not exist in this case."))
        check_side_for_role(role, side is not None)
        invitation = Invitation.objects.create(
            case=case,
            email=email,
            display_name=display_name,
            role=role,
            side=side,
            expires_at=timezone.now() + timedelta(days=settings.PARLEY_INVITATION_DAYS),
        )
        record_event(
            case,
            "invitation_created",
            actor_id=me.pk,
            subject_id=invitation.pk,
            # Who was invited at which address is the mediator's business until they join.
            content_hashes={"role": role.value},
            salted={"email": email},
            audience=MEDIATOR,
        )
        if send_mail:
            send_invitation_on_commit(invitation.pk)
    return invitation, invitation_token(invitation)


class InvitationUsed(DomainError):
    """A link already accepted: the page says so and offers to sign in."""

    status = 410

    def __init__(self) -> None:
        super().__init__(
            "invitation_used", "This invitation was already accepted. Sign in to continue."
        )


def read_invitation(token: str) -> Invitation:
    """The pending invitation a link names. An accepted one raises InvitationUsed; a bad,
    expired or revoked link is NotFound."""
    try:
        data = signing.loads(
            token,
            salt=INVITATION_SALT,
            max_age=timedelta(days=settings.PARLEY_INVITATION_DAYS),
        )
        invitation = Invitation.objects.select_related("case", "side").get(pk=data["i"])
    except (signing.BadSignature, KeyError, TypeError, Invitation.DoesNotExist):
        raise NotFound() from None
    if invitation.status == InvitationStatus.ACCEPTED:
        raise InvitationUsed()
    if invitation.status != InvitationStatus.PENDING or invitation.expires_at < timezone.now():
        raise NotFound()
    return invitation


def _pending_invitation(case: Case, invitation_id: int) -> Invitation:
    invitation = Invitation.objects.select_for_update().filter(case=case, pk=invitation_id).first()
    if invitation is None:
        raise NotFound()
    if invitation.status != InvitationStatus.PENDING:
        raise DomainError(
            "invitation_closed", _("This invitation was already accepted or revoked.")
        )
    return invitation


def do_resend_invitation(*, acting_user: User, case_id: int, invitation_id: int) -> Invitation:
    """A fresh mail with a fresh link, and a fresh expiry."""
    with transaction.atomic():
        ctx, me = enter_case(acting_user, case_id)
        case = ctx.case
        check_mediator(me)
        invitation = _pending_invitation(case, invitation_id)
        invitation.expires_at = timezone.now() + timedelta(days=settings.PARLEY_INVITATION_DAYS)
        invitation.mail_status = None
        invitation.save(update_fields=["expires_at", "mail_status"])
        record_event(
            case, "invitation_resent", actor_id=me.pk, subject_id=invitation.pk, audience=MEDIATOR
        )
        send_invitation_on_commit(invitation.pk)
    return invitation


def do_change_invitation_email(
    *, acting_user: User, case_id: int, invitation_id: int, email: str
) -> Invitation:
    """A typo in the address: the invitation goes to the new one (only its holder can accept)."""
    email = email.strip().lower()
    if "@" not in email or len(email) > 254:
        raise BadInput("bad_email", _("Enter a valid e-mail address."))
    with transaction.atomic():
        ctx, me = enter_case(acting_user, case_id)
        case = ctx.case
        check_mediator(me)
        invitation = _pending_invitation(case, invitation_id)
        if (
            Invitation.objects.filter(case=case, email=email, status=InvitationStatus.PENDING)
            .exclude(pk=invitation.pk)
            .exists()
        ):
            raise DomainError("already_invited", _("This person already has a pending invitation."))
        invitation.email = email
        invitation.expires_at = timezone.now() + timedelta(days=settings.PARLEY_INVITATION_DAYS)
        invitation.mail_status = None
        invitation.opened_at = None
        invitation.save(update_fields=["email", "expires_at", "mail_status", "opened_at"])
        record_event(
            case,
            "invitation_readdressed",
            actor_id=me.pk,
            subject_id=invitation.pk,
            # Like the invitation itself: the address is the mediator's business.
            salted={"email": email},
            audience=MEDIATOR,
        )
        send_invitation_on_commit(invitation.pk)
    return invitation


def do_revoke_invitation(*, acting_user: User, case_id: int, invitation_id: int) -> Invitation:
    """Its link stops working. A party's invitation stays: the party's side and rooms exist."""
    with transaction.atomic():
        ctx, me = enter_case(acting_user, case_id)
        case = ctx.case
        check_mediator(me)
        invitation = _pending_invitation(case, invitation_id)
        if invitation.role == Role.PARTY:
            raise DomainError(
                "party_invitation",
                _(
                    "A party's invitation cannot be revoked (their side is part of the case). "
                    "Change the address instead, or start a new case."
                ),
            )
        invitation.status = InvitationStatus.REVOKED
        invitation.save(update_fields=["status"])
        record_event(
            case, "invitation_revoked", actor_id=me.pk, subject_id=invitation.pk, audience=MEDIATOR
        )
    return invitation


def mark_invitation_opened(invitation: Invitation) -> None:
    """The link was opened (the set-up page shows "opened"). Not an act in the mediation."""
    if invitation.opened_at is None:
        Invitation.objects.filter(pk=invitation.pk, opened_at__isnull=True).update(
            opened_at=timezone.now()
        )


def do_accept_invitation(*, acting_user: User, token: str) -> Participant:
    invitation = read_invitation(token)
    if acting_user.email.lower() != invitation.email:
        raise Forbidden(
            "wrong_account",
            _("This invitation is for %(email)s. Sign in with that address to accept it.")
            % {"email": invitation.email},
        )
    with transaction.atomic():
        case = lock_case(invitation.case_id)
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.status != InvitationStatus.PENDING:
            raise NotFound()
        if case.status == CaseStatus.TERMINATED:
            raise DomainError("case_terminated", _("This mediation has ended."))
        existing = set(
            Participant.objects.filter(case=case, user=acting_user).values_list("role", flat=True)
        )
        check_can_hold_role({Role(r) for r in existing}, Role(invitation.role))
        try:
            with transaction.atomic():
                participant = Participant.objects.create(
                    case=case,
                    user=acting_user,
                    role=invitation.role,
                    side=invitation.side,
                    display_name=invitation.display_name,
                )
        except IntegrityError:
            raise DomainError(
                "one_role_per_case", _("You already take part in this case.")
            ) from None
        invitation.status = InvitationStatus.ACCEPTED
        invitation.accepted_at = timezone.now()
        invitation.participant = participant
        invitation.save(update_fields=["status", "accepted_at", "participant"])
        if not acting_user.full_name:
            acting_user.full_name = invitation.display_name
            acting_user.save(update_fields=["full_name"])
        record_event(case, "invitation_accepted", actor_id=participant.pk, subject_id=invitation.pk)
        ctx = load_context(case)
        publish_on_commit(
            ctx.everyone(),
            {"type": "participant_joined", "case": case.pk, "participant": participant.pk},
        )
    return participant


def court_order_of(ctx: CaseContext) -> CourtOrder | None:
    if ctx.agreement is None or not ctx.agreement.court_order:
        return None
    raw = ctx.agreement.court_order
    return CourtOrder(
        court=str(raw.get("court", "")),
        order_reference=str(raw.get("order_reference", "")),
        min_sessions=int(raw.get("min_sessions", 0)),
    )


def termination_warning(*, acting_user: User, case_id: int) -> str | None:
    case, me = access_case(acting_user, case_id)
    if me.role != Role.PARTY:
        return None
    return court_order_warning(
        court_order_of(load_context(case)), count_held_with_every_party(case)
    )


def _post_system(ctx: CaseContext, room: Room, body: str) -> Entry:
    """A notice about the end, privileged like everything written before it (R5.1)."""
    return add_entry(ctx, room, kind=EntryKind.SYSTEM, body=body, privileged=True)


def _finish(
    ctx: CaseContext,
    kind: TerminationKind,
    by: Participant | None,
    outcome: Outcome,
    *,
    declaration: Entry | None = None,
) -> None:
    """Precondition: the caller holds the case lock and has checked the transition.

    `declaration`: a party's declaration to the mediator, in its caucus. The chain is readable by
    every participant, but only the mediator (and the party's own side) may know who declared
    it (R7.1): the chain then names no actor and commits to the declarer with the declaration's
    salt, which only its readers hold."""
    case = ctx.case
    case.status = transition(CaseStatus(case.status), CaseEvent.TERMINATE)
    case.terminated_at = timezone.now()
    case.termination_kind = kind
    case.terminated_by = by
    case.outcome = outcome
    case.save(
        update_fields=["status", "terminated_at", "termination_kind", "terminated_by", "outcome"]
    )
    hashes = {"kind": kind.value, "outcome": outcome.value}
    audience = EVERYONE
    if declaration is not None:
        # R7.1: only the mediator and the declaring party's side (the readers of the caucus
        # it was declared in) may open who ended it; everyone learns the end from the case.
        audience = room_readers([declaration.room_id])
    record_event(
        case,
        "case_terminated",
        actor_id=by.pk if by else None,
        content_hashes=hashes,
        audience=audience,
    )
    publish_on_commit(ctx.everyone(), {"type": "terminated", "case": case.pk})


def do_terminate(
    *, acting_user: User, case_id: int, statement: str = "", confirm_court_order: bool = False
) -> Case:
    """R7.1 (a party declares it to the mediator) and R7.2 (the mediator declares it to all)."""
    if len(statement) > entry_chars():
        raise BadInput(
            "too_long",
            _("The statement may be at most %(limit)s characters.")
            % {"limit": number_format(entry_chars(), force_grouping=True)},
        )
    with transaction.atomic():
        ctx, me = enter_case(acting_user, case_id)
        case = ctx.case
        check_can_terminate(Role(me.role), CaseStatus(case.status))
        if me.role == Role.PARTY:
            warning = court_order_warning(court_order_of(ctx), count_held_with_every_party(case))
            if warning and not confirm_court_order:
                raise DomainError("court_order_unmet", warning)
            assert me.side_id is not None
            # Declared to the mediator: the mediator (and the party's own side) see who it was,
            # in the caucus; everyone else sees that the mediation ended.
            caucus = ctx.room_of(RoomKind.CAUCUS, me.side_id)
            statement_parts: list[Part] = (
                [" ", words(gettext_noop("Statement:")), " ", statement.strip()]
                if statement.strip()
                else []
            )
            notice = _post_system(
                ctx,
                caucus,
                stored(
                    words(
                        gettext_noop(
                            "%(name)s declared to the mediator that the mediation is terminated."
                        ),
                        name=me.display_name,
                    ),
                    *statement_parts,
                ),
            )
            _post_system(
                ctx, ctx.joint_room(), stored(words(gettext_noop("The mediation has ended.")))
            )
            _finish(ctx, TerminationKind.PARTY, me, Outcome.NOT_SETTLED, declaration=notice)
        else:
            _post_system(
                ctx,
                ctx.joint_room(),
                stored(
                    words(
                        gettext_noop(
                            "The mediator declared to all parties that the mediation is terminated."
                        )
                    ),
                    *([" ", statement.strip()] if statement.strip() else []),
                ),
            )
            _finish(ctx, TerminationKind.MEDIATOR, me, Outcome.NOT_SETTLED)
    return case


def end_settled(ctx: CaseContext) -> None:
    """R7.3: the settlement action ends the case when the last party signs.

    Precondition: the caller entered the case (it holds the case lock) in its transaction.
    """
    _post_system(
        ctx,
        ctx.joint_room(),
        stored(words(gettext_noop("Every party signed the settlement. The mediation has ended."))),
    )
    _finish(ctx, TerminationKind.SETTLEMENT, None, Outcome.SETTLED)


def _full_name(name: str) -> str:
    name = " ".join(str(name).split())
    if not name:
        raise BadInput("name_required", _("Write your full name."))
    if len(name) > 200:
        raise BadInput("too_long", _("A name may be at most 200 characters."))
    return name


def do_request_name_correction(*, acting_user: User, case_id: int, name: str) -> NameCorrection:
    """R11.1: a participant asks the mediator to write their name as `name` (they sign with the
    name as written). A second request replaces a pending one."""
    name = _full_name(name)
    with transaction.atomic():
        ctx, me = enter_case(acting_user, case_id)
        case = ctx.case
        if case.status == CaseStatus.TERMINATED:
            raise DomainError("case_terminated", _("This mediation has ended."))
        if me.role == Role.MEDIATOR:
            raise DomainError("mediator_only", _("As the mediator you write the names yourself."))
        if name.casefold() == " ".join(me.display_name.split()).casefold():
            raise BadInput("same_name", _("That is how your name is written already."))
        correction = NameCorrection.objects.filter(
            participant=me, status=CorrectionStatus.PENDING
        ).first()
        if correction is None:
            correction = NameCorrection(case=case, participant=me)
        correction.current_name = me.display_name
        correction.requested_name = name
        correction.created_at = timezone.now()
        correction.save()
        record_event(
            case,
            "name_correction_requested",
            actor_id=me.pk,
            subject_id=correction.pk,
            audience=Audience(people=(me.pk,), mediator=True),
            salted={"name": name},
        )
        publish_on_commit(
            [pk for pk, p in ctx.participants.items() if p.role == Role.MEDIATOR] + [me.pk],
            {"type": "name_correction", "case": case.pk},
        )
    return correction


def do_decide_name_correction(
    *, acting_user: User, case_id: int, correction_id: int, apply: bool
) -> NameCorrection:
    """The mediator writes the name as asked (apply) or keeps it (decline)."""
    with transaction.atomic():
        ctx, me = enter_case(acting_user, case_id)
        case = ctx.case
        check_mediator(me)
        correction = (
            NameCorrection.objects.select_for_update()
            .filter(case=case, pk=correction_id, status=CorrectionStatus.PENDING)
            .first()
        )
        if correction is None:
            raise NotFound()
        correction.status = CorrectionStatus.APPLIED if apply else CorrectionStatus.DECLINED
        correction.decided_at = timezone.now()
        correction.save(update_fields=["status", "decided_at"])
        if apply:
            Participant.objects.filter(pk=correction.participant_id).update(
                display_name=correction.requested_name
            )
        record_event(
            case,
            "name_corrected" if apply else "name_correction_declined",
            actor_id=me.pk,
            subject_id=correction.pk,
            audience=Audience(people=(correction.participant_id,), mediator=True),
            salted={"name": correction.requested_name},
        )
        publish_on_commit(
            [me.pk, correction.participant_id], {"type": "name_correction", "case": case.pk}
        )
    return correction
