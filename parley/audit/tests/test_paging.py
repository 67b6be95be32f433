"""GET /cases/{id}/audit pages the chain like a room's timeline (R9.1): a reader walks from
the first event to the head with no gap, checks every link across pages, and each page costs
the same number of queries however long the chain."""

from __future__ import annotations

import itertools
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from parley.audit.chain import GENESIS, Link, Opening, verify
from parley.cases.models import Case
from parley.rooms.actions import do_post_entry
from parley.testing import ActiveCast, Api, cid


def post(cast: ActiveCast, n: int) -> None:
    for i in range(n):
        for user, room in ((cast.alice, "caucus_a"), (cast.bob, "joint")):
            do_post_entry(
                acting_user=user, case_id=cid(cast), room_id=cast.room(room).pk, body=f"{room} {i}"
            )


def walk(api: Api, case_id: int, limit: int) -> list[list[dict[str, Any]]]:
    pages: list[list[dict[str, Any]]] = []
    after = 0
    while True:
        status, page = api.get(f"/cases/{case_id}/audit?after={after}&limit={limit}")
        assert status == 200
        if not page:
            return pages
        pages.append(page)
        after = page[-1]["seq"]


def test_r9_1_paging_walks_from_the_first_event_to_the_head(active: ActiveCast) -> None:
    post(active, 12)
    case = Case.objects.get(pk=cid(active))
    pages = walk(Api(active.bob), case.pk, limit=7)
    links = [link for page in pages for link in page]
    assert links[0]["seq"] == 1 and links[0]["prev_hash"] == GENESIS  # the first event
    assert [link["seq"] for link in links] == list(range(1, case.audit_count + 1))
    assert all(len(page) == 7 for page in pages[:-1])
    # Each page's first link continues from the previous page's last hash.
    for before, page in itertools.pairwise(pages):
        assert page[0]["prev_hash"] == before[-1]["hash"]
    # What the pages hold verifies as one chain, with Bob's openings, to the case's head.
    openings = {
        link["seq"]: Opening(salt=link["opening"]["salt"], record=link["opening"]["record"])
        for link in links
        if link["opening"]
    }
    chain = [Link(k["seq"], k["commitment"], k["prev_hash"], k["hash"]) for k in links]
    verdict = verify(case.pk, chain, case.audit_head, case.audit_count, openings)
    assert verdict.ok, verdict.problem
    # Bob opens the joint room's events and not Alice's caucus posts.
    assert 0 < len(openings) < len(links)
    assert Api(active.olga).get(f"/cases/{case.pk}/audit?after=0&limit=7")[0] == 404


def test_r9_1_paging_back_from_the_head_reaches_the_first_event(active: ActiveCast) -> None:
    post(active, 12)
    case = Case.objects.get(pk=cid(active))
    api = Api(active.alice)
    pages: list[list[dict[str, Any]]] = []
    before = 10**9  # past the head: the newest page first
    while True:
        status, page = api.get(f"/cases/{case.pk}/audit?before={before}&limit=5")
        assert status == 200
        if not page:
            break
        pages.append(page)
        before = page[0]["seq"]
    assert pages[0][-1]["hash"] == case.audit_head  # it started at the head
    assert pages[-1][0]["seq"] == 1 and pages[-1][0]["prev_hash"] == GENESIS
    backwards = [link for page in reversed(pages) for link in page]
    assert backwards == [link for page in walk(api, case.pk, limit=5) for link in page]
    for newer, older in itertools.pairwise(pages):
        assert newer[0]["prev_hash"] == older[-1]["hash"]


def test_r9_1_a_page_costs_the_same_queries_however_long_the_chain(active: ActiveCast) -> None:
    api = Api(active.maya)
    path = f"/cases/{cid(active)}/audit?after=3&limit=10"

    def count() -> int:
        api.get(path)  # caches that fill once per process are not the page's cost
        with CaptureQueriesContext(connection) as captured:
            status, page = api.get(path)
        assert status == 200 and len(page) == 10
        return len(captured)

    post(active, 5)
    short = count()
    post(active, 40)
    assert count() == short
    path = f"/cases/{cid(active)}/audit?before=60&limit=10"
    assert count() == short
    # Bad positions are refused, never a 500; a page holds at least one link.
    for bad in ("before=99999999999999999999", "after=-1", "limit=1e3"):
        assert api.get(f"/cases/{cid(active)}/audit?{bad}")[0] == 422, bad
    status, page = api.get(f"/cases/{cid(active)}/audit?after=0&limit=0")
    assert status == 200 and [link["seq"] for link in page] == [1]
