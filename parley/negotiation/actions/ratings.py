"""Issues, items and private ratings (R8.4). The mediator sets out what is negotiated; each side
rates in its own caucus; ratings are that side's caucus content and are never shared."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from parley.accounts.models import User
from parley.audit.actions import record_event
from parley.audit.chain import salted_hash
from parley.audit.policy import room_readers
from parley.cases.access import check_mediator, enter_case
from parley.errors import BadInput, DomainError
from parley.negotiation.actions.offers import current_issue_set
from parley.negotiation.models import IssueSet, Rating
from parley.negotiation.policy import (
    IssueSetKind,
    IssueSpec,
    check_can_rate,
    check_issue_ratings,
    check_issue_set,
    check_item_points,
    check_negotiation_open,
)
from parley.realtime.publish import publish_on_commit
from parley.rooms.entries import add_entry, post_entry
from parley.rooms.models import EntryKind
from parley.rooms.policy import Instruction, RoomKind
from parley.rooms.words import Part, lines, stored, words

RATING_NOTICE = (
    "{who} recorded this side's private ratings (version {version} of the issues). Only this "
    "side and the mediator see them; they are never shared, and proposals do not reveal them."
)


def do_set_issues(
    *, acting_user: User, case_id: int, kind: IssueSetKind, issues: Sequence[IssueSpec]
) -> IssueSet:
    """A new version of the issues (or items). Ratings of the previous version stop counting."""
    if kind not in IssueSetKind.values:
        raise BadInput("bad_kind", _("Choose issues (with options) or items to divide."))
    kind = IssueSetKind(kind)
    check_issue_set(kind, issues)
    spec: list[dict[str, Any]] = [
        {"title": i.title.strip(), "options": [o.strip() for o in i.options]} for i in issues
    ]
    with transaction.atomic():
        ctx, me = enter_case(acting_user, case_id)
        check_mediator(me)
        check_negotiation_open(ctx.state)
        previous = current_issue_set(ctx)
        issue_set = IssueSet.objects.create(
            case=ctx.case,
            version=(previous.version + 1) if previous else 1,
            kind=kind,
            spec=spec,
        )
        if kind == IssueSetKind.ISSUES:
            items: list[Part] = [f"{i['title']}: {' / '.join(i['options'])}" for i in spec]
            intro = gettext_noop(
                "The mediator set out the issues and their options (version %(version)s):"
            )
        else:
            items = [str(i["title"]) for i in spec]
            intro = gettext_noop("The mediator listed the items to divide (version %(version)s):")
        add_entry(
            ctx,
            ctx.joint_room(),
            kind=EntryKind.SYSTEM,
            body=stored(
                words(intro, version=str(issue_set.version)),
                "\n",
                lines(items),
                "\n\n",
                words(
                    gettext_noop("Each side rates them privately in its caucus: 100 points in all.")
                ),
            ),
        )
        record_event(
            ctx.case,
            "issues_set",
            actor_id=me.pk,
            subject_id=issue_set.pk,
            salted={"spec": json.dumps(spec, sort_keys=True)},
            audience=room_readers([ctx.joint_room().pk]),
        )
        publish_on_commit(
            ctx.recipients(ctx.joint_room().pk),
            {"type": "issues", "case": ctx.case.pk, "version": issue_set.version},
        )
    return issue_set


def do_rate(
    *,
    acting_user: User,
    case_id: int,
    weights: Sequence[int] | None = None,
    scores: Sequence[Sequence[int]] | None = None,
    points: Sequence[int] | None = None,
) -> Rating:
    """Issues: `weights` (100 points across issues) and `scores` (0–100 per option).
    Items: `points` (100 points across items). Stored as a rating entry in the side's caucus,
    marked do-not-disclose, whose body holds no figure."""
    with transaction.atomic():
        ctx, me = enter_case(acting_user, case_id)
        check_can_rate(ctx.person(me), ctx.state)
        issue_set = current_issue_set(ctx)
        if issue_set is None:
            raise DomainError("no_issues", _("The mediator has not set out issues or items yet."))
        if issue_set.kind == IssueSetKind.ISSUES:
            counts = [len(i["options"]) for i in issue_set.spec]
            w, s = list(weights or []), [list(r) for r in (scores or [])]
            check_issue_ratings(counts, w, s)
            data: dict[str, object] = {"weights": w, "scores": s}
        else:
            p = list(points or [])
            check_item_points(len(issue_set.spec), p)
            data = {"points": p}
        assert me.side_id is not None
        caucus = ctx.room_of(RoomKind.CAUCUS, me.side_id)
        entry = post_entry(
            ctx,
            me,
            caucus.pk,
            body=RATING_NOTICE.format(who=me.display_name, version=issue_set.version),
            kind=EntryKind.RATING,
            instruction=Instruction.DO_NOT_DISCLOSE,
        )
        rating = Rating.objects.create(
            case=ctx.case,
            issue_set=issue_set,
            side_id=me.side_id,
            entry=entry,
            rated_by=me,
            data=data,
        )
        record_event(
            ctx.case,
            "ratings_recorded",
            actor_id=me.pk,
            subject_id=rating.pk,
            # Keyed with the rating entry's salt, which only this side and the mediator get:
            # one key for every side would let another side test a guess of these ratings by
            # recording the same figures itself and comparing the hashes in the chain.
            content_hashes={"ratings": salted_hash(entry.salt, json.dumps(data, sort_keys=True))},
            audience=room_readers([entry.room_id]),
        )
        publish_on_commit(
            ctx.recipients(caucus.pk),
            {"type": "ratings", "case": ctx.case.pk, "version": issue_set.version},
        )
    return rating
