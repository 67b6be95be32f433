"""The engine off the request path (R8.4): a proposal is a job the mediator starts and reads;
one per case at a time; a search stopped by its time limit is not presented as fair."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import timedelta
from typing import Any

from django.test import Client
from django.utils import timezone

from parley.negotiation.engine import Allocation, max_nash_welfare
from parley.negotiation.models import ProposalJob
from parley.negotiation.policy import ProposalJobStatus
from parley.negotiation.suggest import Certainty, certainty_of
from parley.negotiation.tasks import run_proposal
from parley.negotiation.tests.helpers import ask_engine, base
from parley.negotiation.tests.test_proposals import rate_both
from parley.testing import ActiveCast, Api

Capture = Callable[..., AbstractContextManager[Any]]
NOT_FOUND = {"code": "not_found", "detail": "Not found."}
ITEMS = {"kind": "items", "issues": [{"title": "House"}, {"title": "Car"}, {"title": "Boat"}]}

# Ten heirs whose tastes follow one market (seeded like benchmarks/negotiation.py's correlated
# class): the search needs many seconds to prove its answer, so a short limit stops it.
HARD = [
    [3, 2, 3, 4, 27, 1, 2, 6, 1, 0, 1, 6, 2, 2, 0, 1, 2, 7, 0, 1, 0, 6, 4, 1, 2, 2, 3, 0, 8, 3],
    [4, 3, 4, 2, 20, 2, 2, 5, 1, 2, 1, 6, 2, 2, 2, 2, 2, 7, 1, 6, 0, 5, 2, 0, 2, 1, 3, 1, 7, 3],
    [4, 4, 2, 2, 24, 1, 1, 5, 2, 0, 1, 6, 2, 2, 2, 0, 2, 7, 3, 1, 0, 5, 2, 2, 3, 1, 3, 3, 7, 3],
    [3, 1, 2, 3, 8, 2, 1, 5, 2, 0, 1, 25, 4, 1, 0, 1, 2, 8, 1, 3, 0, 6, 3, 0, 2, 1, 5, 1, 7, 2],
    [5, 4, 3, 2, 8, 0, 3, 4, 2, 0, 1, 22, 2, 1, 0, 1, 2, 7, 3, 1, 1, 5, 2, 0, 4, 1, 3, 1, 9, 3],
    [3, 3, 5, 2, 7, 1, 2, 6, 2, 0, 1, 22, 2, 1, 0, 3, 2, 10, 3, 1, 0, 5, 2, 0, 3, 1, 3, 1, 7, 2],
    [3, 2, 2, 2, 8, 1, 2, 4, 3, 0, 1, 7, 2, 4, 2, 1, 2, 21, 1, 2, 1, 6, 2, 0, 3, 1, 3, 3, 8, 3],
    [4, 1, 2, 5, 7, 1, 2, 23, 2, 0, 1, 6, 1, 2, 0, 1, 2, 8, 1, 3, 2, 6, 2, 1, 2, 1, 5, 0, 7, 2],
    [3, 2, 3, 4, 24, 1, 3, 5, 1, 0, 2, 7, 1, 1, 0, 1, 3, 7, 1, 3, 3, 5, 2, 2, 2, 1, 3, 1, 7, 2],
    [3, 2, 3, 2, 7, 1, 1, 4, 2, 0, 0, 6, 3, 3, 1, 1, 2, 25, 1, 1, 4, 6, 2, 3, 2, 1, 4, 1, 7, 2],
]


def rate_items(cast: ActiveCast) -> None:
    assert Api(cast.maya).put(f"{base(cast)}/issues", ITEMS)[0] == 200
    assert Api(cast.alice).put(f"{base(cast)}/ratings", {"points": [60, 30, 10]})[0] == 200
    assert Api(cast.bob).put(f"{base(cast)}/ratings", {"points": [40, 20, 40]})[0] == 200


def test_r8_4_asking_the_engine_queues_a_job_that_only_the_mediator_reads(
    active: ActiveCast,
) -> None:
    rate_both(active)
    maya = Api(active.maya)
    # Outside a committed request the job stays queued: the answer is the job, not the result.
    status, job = maya.post(f"{base(active)}/suggest", {"method": "nash", "time_limit": 2})
    assert (status, job["status"], job["suggestion"]) == (202, "queued", None), job
    assert job["time_limit"] == 2.0
    path = f"{base(active)}/suggest/{job['id']}"
    status, body = Api(active.alice).get(path)
    assert (status, body["code"]) == (403, "mediator_only")
    assert Api(active.carol).get(path)[1]["code"] == "mediator_only"
    assert Api(active.olga).get(path) == (404, NOT_FOUND)
    assert maya.get(f"{base(active)}/suggest/{job['id'] + 1}") == (404, NOT_FOUND)
    # One job per case at a time.
    status, body = maya.post(f"{base(active)}/suggest", {"method": "egalitarian"})
    assert (status, body["code"]) == (409, "proposal_running")
    run_proposal(job["id"])  # jobs run at once under pytest
    status, done = maya.get(path)
    assert (status, done["status"]) == (200, "done")
    assert done["suggestion"]["terms"][:2] == ["Payment: 8,000 over a year", "Apology: No apology"]
    assert done["suggestion"]["certainty"] == "certified"
    # Once it is done, the mediator may ask again.
    assert maya.post(f"{base(active)}/suggest", {"method": "egalitarian"})[0] == 202


def test_r8_4_the_time_limit_is_the_mediators_within_bounds(active: ActiveCast) -> None:
    rate_both(active)
    maya = Api(active.maya)
    for seconds in (0.5, 31, -1):
        status, _ = maya.post(f"{base(active)}/suggest", {"method": "nash", "time_limit": seconds})
        assert status == 422, seconds
    status, job = maya.post(f"{base(active)}/suggest", {"method": "nash"})
    assert (status, job["time_limit"]) == (202, 30.0)


def test_r8_4_the_engine_refuses_before_queueing(active: ActiveCast) -> None:
    rate_items(active)
    maya = Api(active.maya)
    status, body = maya.post(f"{base(active)}/suggest", {"method": "nash"})
    assert (status, body["code"]) == (422, "bad_method")
    assert not ProposalJob.objects.exists()


def test_r8_4_a_job_lost_with_its_worker_does_not_block_the_case(active: ActiveCast) -> None:
    rate_both(active)
    maya = Api(active.maya)
    _, job = maya.post(f"{base(active)}/suggest", {"method": "nash", "time_limit": 5})
    ProposalJob.objects.filter(pk=job["id"]).update(
        status=ProposalJobStatus.RUNNING, started_at=timezone.now() - timedelta(minutes=10)
    )
    status, again = maya.post(f"{base(active)}/suggest", {"method": "nash"})
    assert status == 202, again
    lost = maya.get(f"{base(active)}/suggest/{job['id']}")[1]
    assert lost["status"] == "failed"
    assert "Ask again" in lost["error"]


def test_r8_4_the_result_is_stored_encrypted(
    active: ActiveCast, django_capture_on_commit_callbacks: Capture
) -> None:
    rate_items(active)
    status, job = ask_engine(
        active, django_capture_on_commit_callbacks, {"method": "max_nash_welfare"}
    )
    assert status == 200 and job["suggestion"]["found"], job
    assert any("Boat" in t for t in job["suggestion"]["terms"])
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT result FROM negotiation_proposaljob")
        (raw,) = cursor.fetchone()
    assert raw.startswith("v1:") and "Boat" not in raw


def test_r8_4_a_search_stopped_by_its_limit_is_not_presented_as_fair() -> None:
    alloc = max_nash_welfare(HARD, time_limit=0.5)
    assert not alloc.optimal
    certainty, note = certainty_of(alloc)
    assert certainty == Certainty.NOT_CERTIFIED
    assert note.startswith("Not certified: the time limit ended the search")
    if alloc.ef1:
        assert "It is envy-free up to one item." in note
    else:
        assert "do not present it as fair" in note


def test_r8_4_a_disputed_division_says_so() -> None:
    disputed = Allocation(
        bundles=((0,), (1,)),
        values=(5, 5),
        positive_parties=(0, 1),
        nash_product=25,
        log_gap=float("inf"),
        optimal=False,
        ef1=False,
        disputed=True,
    )
    certainty, note = certainty_of(disputed)
    assert certainty == Certainty.DISPUTED
    assert note.startswith("Disputed:") and "not envy-free up to one item" in note


def test_r8_4_the_page_shows_the_job_to_the_mediator_only(
    active: ActiveCast, django_capture_on_commit_callbacks: Capture
) -> None:
    rate_items(active)
    maya = Client()
    maya.force_login(active.maya)
    page = f"/cases/{active.case.pk}/negotiate/"
    with django_capture_on_commit_callbacks(execute=True):
        response = maya.post(page + "engine/", {"method": "max_nash_welfare", "time_limit": "2"})
    assert response.status_code == 302
    html = maya.get(page).content.decode()
    assert "The engine suggests (Maximum Nash welfare)" in html
    assert "Certified: proven the best by this method, and envy-free up to one item" in html
    job = ProposalJob.objects.get()
    part = maya.get(f"{page}engine/{job.pk}/")
    assert part.status_code == 200 and "The engine suggests" in part.content.decode()
    alice = Client()
    alice.force_login(active.alice)
    assert "The engine suggests" not in alice.get(page).content.decode()
    assert alice.get(f"{page}engine/{job.pk}/").status_code != 200
    olga = Client()
    olga.force_login(active.olga)
    assert olga.get(f"{page}engine/{job.pk}/").status_code == 404
