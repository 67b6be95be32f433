"""Every time a person reads is in their own zone, with the zone named: their account's zone,
else the one their browser reports, else UTC (named too)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from django.template import Context, Template
from django.test import Client, RequestFactory
from django.utils import translation

from parley.accounts.models import User
from parley.negotiation.actions.offers import do_make_offer
from parley.negotiation.policy import OfferKind
from parley.rooms.actions import do_post_entry
from parley.rooms.models import Entry
from parley.testing import ActiveCast, Cast, cid

WINTER_EVENING = datetime(2026, 12, 20, 18, 0, tzinfo=UTC)


def in_zone(user: User, zone_name: str) -> Client:
    user.time_zone = zone_name
    user.save(update_fields=["time_zone"])
    client = Client()
    client.force_login(user)
    return client


def render(source: str, **context: object) -> str:
    return Template(source).render(Context(context))


def test_a_time_renders_in_the_callers_zone_with_the_zone_named() -> None:
    tag = "{% local_time at %}"
    assert render(tag, at=WINTER_EVENING, reader_zone="Europe/Berlin") == (
        '<time datetime="2026-12-20T18:00:00+00:00" '
        'title="Sun 20 Dec 2026, 19:00 (Europe/Berlin)">Sun 20 Dec 2026, 19:00 (Europe/Berlin)</time>'
    )
    # API payloads hold ISO strings; they render the same way.
    assert "13:00 (America/New_York)" in render(
        tag, at="2026-12-20T18:00:00+00:00", reader_zone="America/New_York"
    )


def test_the_short_form_names_the_zone_and_keeps_the_full_one_on_hover() -> None:
    with time_machine.travel(WINTER_EVENING):
        html = render('{% local_time at "short" %}', at=WINTER_EVENING, reader_zone="Asia/Tokyo")
    assert ">21 Dec, 03:00 JST</time>" in html
    assert 'title="Mon 21 Dec 2026, 03:00 (Asia/Tokyo)"' in html


def test_a_zone_with_no_letters_of_its_own_shows_its_offset() -> None:
    with time_machine.travel(WINTER_EVENING):
        html = render('{% local_time at "short" %}', at=WINTER_EVENING, reader_zone="Asia/Dubai")
    assert ">20 Dec, 22:00 UTC+04:00</time>" in html


def test_without_a_request_or_zone_the_time_is_utc_and_says_so() -> None:
    assert "18:00 (UTC)" in render("{% local_time at %}", at=WINTER_EVENING)
    assert render("{% local_time at %}", at=None) == ""
    assert render("{% local_time at %}", at="not a time") == ""


def test_a_browser_reported_zone_is_used_until_the_account_names_one(cast: Cast) -> None:
    request = RequestFactory().get("/")
    request.user = cast.alice  # her account still has the default, UTC
    request.COOKIES["parley_tz"] = "America/New_York"
    assert "13:00 (America/New_York)" in render(
        "{% local_time at %}", at=WINTER_EVENING, request=request
    )
    request.COOKIES["parley_tz"] = "Not/AZone"
    assert "18:00 (UTC)" in render("{% local_time at %}", at=WINTER_EVENING, request=request)


def test_each_reader_sees_an_entrys_time_in_their_own_zone(active: ActiveCast) -> None:
    with time_machine.travel(WINTER_EVENING, tick=False):
        entry = do_post_entry(
            acting_user=active.alice,
            case_id=cid(active),
            room_id=active.room("joint").pk,
            body="Shall we meet on Monday?",
        )
    assert Entry.objects.get(pk=entry.pk).created_at == WINTER_EVENING
    url = f"/cases/{cid(active)}/rooms/{active.room('joint').pk}/"
    with time_machine.travel(WINTER_EVENING):
        alice = in_zone(active.alice, "America/New_York").get(url).content.decode()
        maya = in_zone(active.maya, "Europe/Berlin").get(url).content.decode()
    assert "20 Dec, 13:00 EST</time>" in alice
    assert "20 Dec, 19:00 CET</time>" in maya
    assert "2026-12-20T18:00:00+00:00" in alice and "2026-12-20T18:00:00+00:00" in maya


def test_a_party_in_new_york_and_a_mediator_in_berlin_read_one_offer_expiry_in_their_own_zones(
    active: ActiveCast,
) -> None:
    sides = list(active.case.sides.order_by("position")) if active.case else []
    with time_machine.travel(datetime(2026, 12, 18, 9, 0, tzinfo=UTC)):
        do_make_offer(
            acting_user=active.bob,
            case_id=cid(active),
            room_id=active.room("joint").pk,
            kind=OfferKind.SUM,
            amount="15000",
            payer_side_id=sides[1].pk,
            payee_side_id=sides[0].pk,
            expires_at=WINTER_EVENING,
        )
        url = f"/cases/{cid(active)}/negotiate/"
        alice = in_zone(active.alice, "America/New_York").get(url).content.decode()
        maya = in_zone(active.maya, "Europe/Berlin").get(url).content.decode()
    assert "Sun 20 Dec 2026, 13:00 (America/New_York)" in alice
    assert "Sun 20 Dec 2026, 19:00 (Europe/Berlin)" in maya
    assert "(Europe/Berlin)" not in alice and "(America/New_York)" not in maya


def test_the_profile_first_guesses_the_zone_the_browser_reports(cast: Cast) -> None:
    alice = Client()
    alice.force_login(cast.alice)
    alice.cookies["parley_tz"] = "America/New_York"
    html = alice.get("/account/").content.decode()
    assert '<option value="America/New_York" selected>' in html
    assert "Guessed from your browser" in html
    in_zone(cast.alice, "Asia/Tokyo")
    html = alice.get("/account/").content.decode()
    assert '<option value="Asia/Tokyo" selected>' in html
    assert "Guessed from your browser" not in html


def test_an_invitation_mail_names_the_zone_of_its_expiry(cast: Cast) -> None:
    from django.core import mail

    from parley.cases.actions import do_create_case, do_invite
    from parley.cases.policy import Role
    from parley.notifications.tasks import send_invitation

    case = do_create_case(acting_user=cast.maya, title="Harbour dispute")
    invitation, _ = do_invite(
        acting_user=cast.maya,
        case_id=case.pk,
        email=cast.alice.email,
        display_name=cast.alice.full_name,
        role=Role.PARTY,
    )
    mail.outbox.clear()
    send_invitation(invitation.pk)
    [message] = mail.outbox
    at = invitation.expires_at.astimezone(UTC)
    assert f"expires on {at:%a} {at.day} {at:%b %Y, %H:%M} (UTC)." in str(message.body)


@pytest.mark.parametrize(
    ("language", "full", "short"),
    [
        ("en-gb", "Sun 20 Dec 2026, 19:00 (Europe/Madrid)", "20 Dec, 19:00 CET"),
        ("es", "dom, 20 dic 2026, 19:00 (Europe/Madrid)", "20 dic, 19:00 CET"),
        ("de", "So., 20. Dez. 2026, 19:00 (Europe/Madrid)", "20. Dez., 19:00 CET"),
    ],
)
@time_machine.travel(WINTER_EVENING)
def test_r11_1_times_name_the_day_and_month_in_the_readers_language(
    language: str, full: str, short: str
) -> None:
    with translation.override(language):
        html = render('{% local_time at "short" %}', at=WINTER_EVENING, reader_zone="Europe/Madrid")
        mailed = render("{{ at|in_zone:'Europe/Madrid' }}", at=WINTER_EVENING)
    assert f'title="{full}">{short}</time>' in html
    assert mailed == full
