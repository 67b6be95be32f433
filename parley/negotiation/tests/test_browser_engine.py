"""The engine off the request path, in a real browser against `parley serve` (the job consumer
in the server's own process, as `make run` starts it): ten heirs divide thirty items, the
mediator gives the engine 2 seconds on an instance that needs many more, watches its progress
while the page keeps answering, and gets the best division found with its optimality gap,
marked not certified."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from parley.negotiation.tests.test_proposal_jobs import HARD
from parley.testing import MAYA_TOTP_SECRET
from parley.web.tests.browser.conftest import (
    BIN,
    PASSWORD,
    Server,
    sign_in_page,
    start_server,
    stop_server,
)
from parley.web.tests.browser.people import assert_accessible

pytestmark = pytest.mark.browser

# Ten parties (each their own side), thirty items, every side's points; through the actions.
SETUP = """
import json
import django
django.setup()
from parley.accounts.models import User
from parley.agreements.actions import do_issue_agreement, do_sign
from parley.cases.actions import do_accept_invitation, do_invite
from parley.cases.builder import build_mediation
from parley.cases.policy import Role
from parley.negotiation.actions import do_rate, do_set_issues
from parley.negotiation.policy import IssueSetKind, IssueSpec

maya = User.objects.get(email="maya@example.com")
heirs = [
    User.objects.create_user(f"heir{i}@example.com", PASSWORD, full_name=f"Heir {i}")
    for i in range(1, 11)
]
case = build_mediation(maya, heirs[0], heirs[1], None, title="Estate of Ada",
                       side_labels=("Heir 1", "Heir 2"), stage="setup", send_mail=False)
for heir in heirs[2:]:
    _, token = do_invite(acting_user=maya, case_id=case.pk, email=heir.email,
                         display_name=heir.full_name, role=Role.PARTY,
                         side_label=heir.full_name, send_mail=False)
    do_accept_invitation(acting_user=heir, token=token)
agreement = do_issue_agreement(acting_user=maya, case_id=case.pk)
for person in [maya, *heirs]:
    do_sign(acting_user=person, case_id=case.pk, typed_name=person.full_name, consent=True,
            shown_sha256=agreement.sha256)
do_set_issues(acting_user=maya, case_id=case.pk, kind=IssueSetKind.ITEMS,
              issues=[IssueSpec(title=f"Item {g + 1}") for g in range(30)])
for heir, points in zip(heirs, HARD, strict=True):
    do_rate(acting_user=heir, case_id=case.pk, points=points)
print(json.dumps({"case": case.pk}))
"""


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """`parley serve` as `make run` runs it: jobs in the process it starts beside itself, not at once."""
    server = start_server(tmp_path_factory.mktemp("engine"), serve=True)
    yield server
    stop_server(server)


def estate(server: Server) -> int:
    done = subprocess.run(
        [
            str(BIN / "python"),
            "-c",
            f"PASSWORD = {PASSWORD!r}\nHARD = {json.dumps(HARD)}\n" + SETUP,
        ],
        env=server.env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return int(json.loads(done.stdout.strip().splitlines()[-1])["case"])


@pytest.fixture
def maya(browser: Any, served: Server) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1100, "height": 900}, base_url=served.url)
    context.set_default_timeout(15_000)
    page = context.new_page()
    sign_in_page(page, served.url, "maya@example.com", PASSWORD, MAYA_TOTP_SECRET)
    yield page
    context.close()


def test_r8_4_a_2_second_limit_shows_progress_then_the_best_division_with_its_gap(
    served: Server, maya: Page
) -> None:
    case_id = estate(served)
    maya.goto(f"/cases/{case_id}/negotiate/")
    maya.locator("#method-max_nash_welfare").check()
    maya.get_by_label(re.compile(r"^Time limit in seconds")).fill("2")
    maya.get_by_role("button", name="Ask the engine").click()
    # The request returns at once; the page shows the search as it runs.
    progress = maya.locator("#proposal-progress")
    expect(progress).to_contain_text("The engine is searching (Maximum Nash welfare)")
    expect(progress).to_contain_text("of at most 2 s")
    poll = maya.locator("#proposal-job").get_attribute("hx-get") or ""
    job_id = int(re.findall(r"/engine/(\d+)/$", poll)[0])
    assert_accessible(maya, "negotiation while the engine searches (mediator)")
    # The page stays responsive meanwhile: its forms answer, and the server answers another
    # page (the same page in a second tab, showing the same search).
    maya.get_by_text("Set out issues or items", exact=True).click()
    draft = maya.get_by_label(re.compile(r"^One per line"))
    draft.fill("still typing")
    expect(draft).to_have_value("still typing")
    other = maya.context.new_page()
    other.goto(f"/cases/{case_id}/negotiate/")
    expect(other.locator("#proposal-progress, #suggestion").first).to_be_visible()
    response = maya.request.get(f"/api/v1/cases/{case_id}/negotiation")
    assert response.status == 200
    # Then the best division found, with its gap, not presented as fair.
    suggestion = maya.locator("#suggestion")
    expect(suggestion).to_be_visible(timeout=30_000)
    certainty = maya.locator("#suggestion-certainty")
    expect(certainty).to_contain_text("Not certified.")
    expect(certainty).to_contain_text(re.compile(r"Optimality gap: (\d+\.\d\d %|unknown)"))
    expect(certainty).to_contain_text("the time limit ended the search")
    expect(suggestion.locator("li")).to_have_count(30)  # every item goes to someone
    expect(maya.locator("#proposal-progress")).to_have_count(0)
    assert_accessible(maya, "negotiation with a division not certified (mediator)")
    # The API tells the same: done, not certified, a gap.
    job = maya.request.get(f"/api/v1/cases/{case_id}/negotiation/suggest/{job_id}").json()
    assert (job["status"], job["suggestion"]["certainty"]) == ("done", "not_certified")
    assert job["seconds"] < 30
    other.close()
    assert "Traceback" not in Path(served.log).read_text()
