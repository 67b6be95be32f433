"""One entry limit, from the settings, whichever way the text arrives: the API, the page's form
and the socket refuse the same over-long entry and store nothing."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from pytest_django.fixtures import Settings

from parley.rooms.models import Entry
from parley.testing import ActiveCast, Api, build_case, make_cast, open_socket


@pytest.fixture
def short_limit(settings: Settings) -> int:
    settings.PARLEY_MAX_ENTRY_CHARS = 12
    return 12


def test_the_api_applies_the_configured_entry_limit(active: ActiveCast, short_limit: int) -> None:
    joint = active.room("joint")
    path = f"/cases/{active.case.pk}/rooms/{joint.pk}/entries"
    status, body = Api(active.alice).post(path, {"body": "x" * (short_limit + 1)})
    assert (status, body["code"]) == (422, "too_long")
    assert "12 characters" in body["detail"]
    assert Api(active.alice).post(path, {"body": "x" * short_limit})[0] == 201


def test_the_page_applies_the_configured_entry_limit(active: ActiveCast, short_limit: int) -> None:
    joint = active.room("joint")
    client = Api(active.alice).client
    url = f"/cases/{active.case.pk}/rooms/{joint.pk}/post/"
    before = Entry.objects.count()
    response = client.post(url, {"body": "x" * (short_limit + 1)}, follow=True)
    assert "at most 12 characters" in response.content.decode()
    assert Entry.objects.count() == before
    page = client.get(f"/cases/{active.case.pk}/rooms/{joint.pk}/")
    assert 'maxlength="12"' in page.content.decode()


@pytest.mark.django_db(transaction=True)
async def test_the_socket_applies_the_configured_entry_limit(short_limit: int) -> None:
    live = await sync_to_async(lambda: build_case(make_cast(), stage="active"))()
    joint = await sync_to_async(live.room)("joint")
    comm, connected, _ = await open_socket(live.alice, joint.case_id)
    assert connected
    post = {"type": "post", "room": joint.pk, "client_key": "long"}
    await comm.send_json_to({**post, "body": "x" * (short_limit + 1)})
    while (answer := await comm.receive_json_from(timeout=5))["type"] not in ("posted", "refused"):
        pass
    assert (answer["type"], answer["code"]) == ("refused", "too_long")
    assert not await sync_to_async(Entry.objects.filter(client_key="long").exists)()
    await comm.disconnect()
