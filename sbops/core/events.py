"""Live events: a durable row first, then a push to the channel layer after commit.

Services call `send_event_on_commit`; nothing else emits events. The row is written inside the
caller's transaction, so an event exists exactly when the change it announces exists. The push
happens after commit; if it fails (layer down, full), browsers still get the event by replay
from the log when they reconnect or poll, so nothing shown live is ever lost.
"""

from __future__ import annotations

import logging
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from sbops.core.models import InboxEvent

logger = logging.getLogger(__name__)

DEFAULT_STREAM = "inbox"
# handler name on consumers: "event.push" dispatches to `event_push`
PUSH_TYPE = "event.push"


def stream_group(stream: str) -> str:
    return f"events.{stream}"


def event_as_dict(event: InboxEvent) -> dict[str, Any]:
    return {
        "id": event.pk,
        "op": event.op,
        "at": event.created_at.isoformat(),
        **event.payload,
    }


def send_event_on_commit(
    op: str, payload: dict[str, Any], *, stream: str = DEFAULT_STREAM, using: str = "default"
) -> InboxEvent:
    """Record the event now; push it to the live group once the transaction commits.

    `payload` must be JSON-safe and must not carry the keys id, op or at.
    """
    reserved = {"id", "op", "at"} & payload.keys()
    if reserved:
        raise ValueError(f"event payload may not use reserved keys: {sorted(reserved)}")
    event = InboxEvent.objects.using(using).create(stream=stream, op=op, payload=payload)
    message = event_as_dict(event)
    transaction.on_commit(lambda: _push(stream, message), using=using)
    return event


def _push(stream: str, message: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(stream_group(stream), {"type": PUSH_TYPE, "event": message})
    except Exception:  # the log has it; clients replay what the push missed
        logger.exception("live push of event %s failed; clients will replay it", message["id"])


def events_after(stream: str, after_id: int, limit: int = 500) -> list[dict[str, Any]]:
    """Events of a stream with id > after_id, oldest first."""
    rows = InboxEvent.objects.filter(stream=stream, pk__gt=after_id).order_by("pk")[:limit]
    return [event_as_dict(row) for row in rows]


def latest_event_id(stream: str) -> int:
    last = InboxEvent.objects.filter(stream=stream).order_by("-pk").values_list("pk", flat=True)
    return last.first() or 0
