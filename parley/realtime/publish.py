"""Send real-time events after commit, to an explicit list of recipients (Zulip's way)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)


def participant_group(participant_id: int) -> str:
    return f"participant.{participant_id}"


def send_now(recipient_ids: Iterable[int], event: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    recipients = sorted(set(recipient_ids))
    message = {"type": "parley.event", "event": event}

    async def send_all() -> None:
        # One hop into the event loop for all recipients, not one per recipient.
        for pid in recipients:
            try:
                await layer.group_send(participant_group(pid), message)
            except Exception:
                # The entry is committed; a reader that misses the push catches up on reconnect.
                logger.exception("could not push %s to participant %s", event.get("type"), pid)

    async_to_sync(send_all)()


def publish_on_commit(recipient_ids: Iterable[int], event: dict[str, Any]) -> None:
    """Recipients are computed by the caller from the policy; nothing here widens them."""
    recipients = sorted(set(recipient_ids))
    transaction.on_commit(lambda: send_now(recipients, event))
