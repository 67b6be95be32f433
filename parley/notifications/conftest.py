from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.test import override_settings

from parley.notifications.hooks import forget_recent
from parley.notifications.queue import HUEY


@pytest.fixture(autouse=True)
def immediate_jobs(tmp_path: Path) -> Iterator[None]:
    """Jobs run at once, in this process, on their real code path (the activity mail's wait
    for reading is set to nothing here; test_activity sets it back where it is the subject);
    stored files go to a temporary media root. One test (test_consumer) runs a real consumer
    instead."""
    was = HUEY.immediate
    HUEY.immediate = True
    forget_recent()
    with override_settings(MEDIA_ROOT=tmp_path / "media", PARLEY_NOTIFY_UNREAD_SECONDS=0):
        yield
    HUEY.immediate = was
    forget_recent()
