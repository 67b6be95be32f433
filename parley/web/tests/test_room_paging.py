"""A long room opens at its latest entries and pages back to its first, in a fixed number of
queries however long it is (R9.2: nothing written is out of reach)."""

from __future__ import annotations

import re

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from parley.rooms.models import Entry
from parley.rooms.policy import RoomKind
from parley.testing import ActiveCast, Cast, cid


def fill(cast: ActiveCast, room: str, n: int) -> list[int]:
    """`n` more entries in `room`, written by Alice and Bob in turn (stored directly: the
    page's reads are under test here, the posting path has its own tests)."""
    people = [cast.participant(cast.alice), cast.participant(cast.bob)]
    start = Entry.objects.filter(room=cast.room(room)).count()
    Entry.objects.bulk_create(
        Entry(
            case=cast.case,
            room=cast.room(room),
            author=people[i % 2],
            body=f"Entry number {start + i + 1}",
            privileged=True,
        )
        for i in range(n)
    )
    return list(
        Entry.objects.filter(room=cast.room(room)).order_by("pk").values_list("pk", flat=True)
    )


def signed_in(cast: Cast) -> Client:
    client = Client()
    client.force_login(cast.alice)
    return client


def ids_in(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'data-entry-id="(\d+)"', html)]


def earlier_link(html: str) -> str | None:
    found = re.search(r'class="earlier"><a href="[^"]*" hx-get="([^"]+)"', html)
    return found.group(1).replace("&amp;", "&") if found else None


def room_url(cast: ActiveCast) -> str:
    return f"/cases/{cid(cast)}/rooms/{cast.room('joint').pk}/"


def test_r9_2_a_room_of_1000_entries_opens_at_the_latest_and_pages_back_to_the_first(
    active: ActiveCast,
) -> None:
    all_ids = fill(active, "joint", 1000)
    alice = signed_in(active)
    html = alice.get(room_url(active)).content.decode()
    first_page = ids_in(html)
    assert first_page == all_ids[-50:]
    assert "Entry number 1000" in html and ">Entry number 1<" not in html
    seen = list(first_page)
    link = earlier_link(html)
    pages = 1
    while link is not None:
        part = alice.get(link)
        assert part.status_code == 200
        fragment = part.content.decode()
        seen = ids_in(fragment) + seen
        link = earlier_link(fragment)
        pages += 1
    assert seen == all_ids
    assert pages == 20
    assert "Entry number 1<" in fragment


def test_a_long_rooms_page_and_its_earlier_pages_cost_the_same_queries_at_any_length(
    active: ActiveCast,
) -> None:
    alice = signed_in(active)
    url = room_url(active)

    def count(path: str) -> int:
        alice.get(path)  # per-process caches fill once; they are not the page's cost
        with CaptureQueriesContext(connection) as captured:
            assert alice.get(path).status_code == 200
        return len(captured)

    ids = fill(active, "joint", 120)
    short_page, short_part = count(url), count(url + f"entries/?before={ids[-50]}")
    ids = fill(active, "joint", 880)
    assert count(url) == short_page
    assert count(url + f"entries/?before={ids[-50]}") == short_part


def test_without_script_show_earlier_is_a_page_that_offers_a_way_back_to_the_latest(
    active: ActiveCast,
) -> None:
    ids = fill(active, "joint", 60)
    html = signed_in(active).get(room_url(active) + f"?before={ids[10]}").content.decode()
    assert ids_in(html) == ids[:10]
    assert "You are reading earlier entries." in html
    assert f'href="{room_url(active)}#entries-end"' in html
    assert 'class="earlier"' not in html  # the first entry is on this page


def test_r3_6_earlier_pages_of_another_sides_caucus_are_the_same_404_as_missing_ones(
    active: ActiveCast,
) -> None:
    fill(active, "caucus_b", 60)
    alice = signed_in(active)
    theirs = f"/cases/{cid(active)}/rooms/{active.room('caucus_b').pk}/entries/?before=999999"
    missing = f"/cases/{cid(active)}/rooms/999999/entries/?before=999999"
    assert alice.get(theirs).status_code == alice.get(missing).status_code == 404
    assert active.room("caucus_b").kind == RoomKind.CAUCUS
