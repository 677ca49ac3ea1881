"""The WebSocket that carries live events to staff browsers, with replay of what they missed.

Protocol: connect to ``/ws/events/?after=<last id seen>``. The server first sends every event
with a greater id (oldest first), then streams new ones; without ``after`` it only streams. Every frame is one event dict with an
increasing ``id``. A client may also send ``{"action": "replay", "after": <id>}`` at any time.
Non-staff connections are accepted and closed at once with code 4403, so the browser can tell
"not allowed" from "server away".
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from sbops.core.events import DEFAULT_STREAM, events_after, stream_group
from sbops.core.roles import user_is_staff_member

CLOSE_FORBIDDEN = 4403
REPLAY_PAGE = 500


class LiveEventsConsumer(AsyncJsonWebsocketConsumer):
    stream = DEFAULT_STREAM

    async def connect(self) -> None:
        self.last_id = 0
        self.group = stream_group(self.stream)
        user = self.scope.get("user")
        if user is None or not await database_sync_to_async(user_is_staff_member)(user):
            await self.accept()
            await self.close(code=CLOSE_FORBIDDEN)
            return
        # join first, then replay: an event committed in between arrives twice at most, and
        # `last_id` drops the second copy
        await self.channel_layer.group_add(self.group, self.channel_name)
        self.joined = True
        await self.accept()
        after = self._after_from_query()
        if after is not None:
            await self.replay(after)

    async def disconnect(self, code: int) -> None:
        if getattr(self, "joined", False):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if isinstance(content, dict) and content.get("action") == "replay":
            try:
                after = int(content.get("after", 0))
            except (TypeError, ValueError):
                await self.send_json({"op": "error", "reason": "after must be an integer id"})
                return
            await self.replay(after)

    async def replay(self, after: int) -> None:
        while True:
            page = await database_sync_to_async(events_after)(self.stream, after, REPLAY_PAGE)
            for event in page:
                await self._deliver(event)
            if len(page) < REPLAY_PAGE:
                return
            after = page[-1]["id"]

    async def event_push(self, message: dict[str, Any]) -> None:
        await self._deliver(message["event"])

    async def _deliver(self, event: dict[str, Any]) -> None:
        if event["id"] <= self.last_id:
            return
        self.last_id = event["id"]
        await self.send_json(event)

    def _after_from_query(self) -> int | None:
        """None when the client has seen nothing yet (it renders the page state, then goes live)."""
        query = parse_qs(self.scope.get("query_string", b"").decode())
        try:
            return max(0, int(query["after"][0]))
        except (KeyError, ValueError):
            return None
