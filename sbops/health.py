"""`/healthz`: is every part this console needs alive? 200 when all are, 503 otherwise."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.cache import cache
from django.db import connections
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django_q.status import Stat


def check_database() -> str:
    for alias in connections:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")
    return "ok"


def check_cache() -> str:
    key = f"healthz:{uuid.uuid4().hex}"
    cache.set(key, "1", 10)
    if cache.get(key) != "1":
        raise RuntimeError("cache did not return what was just written")
    cache.delete(key)
    return "ok"


def check_channel_layer() -> str:
    layer = get_channel_layer()
    if layer is None:
        raise RuntimeError("no channel layer configured")

    async def round_trip() -> None:
        # a plain channel name (no "!"): process-local channels would leave a poller behind
        channel = f"healthz.{uuid.uuid4().hex}"
        receiving = asyncio.ensure_future(layer.receive(channel))
        try:
            # a pub/sub layer drops what is sent before the receiver subscribed: resend until heard
            for _ in range(40):
                await layer.send(channel, {"type": "healthz.ping"})
                done, _pending = await asyncio.wait({receiving}, timeout=0.05)
                if done:
                    break
            else:
                raise RuntimeError("no round trip through the channel layer within 2 s")
        finally:
            if not receiving.done():
                receiving.cancel()
        if receiving.result().get("type") != "healthz.ping":
            raise RuntimeError("channel layer returned a different message")

    async_to_sync(round_trip)()
    return "ok"


def check_worker() -> str:
    clusters = [stat for stat in Stat.get_all() if stat.status not in ("Stopped", "Stopping")]
    if not clusters:
        raise RuntimeError(
            "no task worker heartbeat: start one with `sbops run` or `manage.py qcluster`"
        )
    return f"ok ({len(clusters)} cluster{'s' if len(clusters) > 1 else ''})"


CHECKS: dict[str, Callable[[], str]] = {
    "database": check_database,
    "cache": check_cache,
    "channel_layer": check_channel_layer,
    "worker": check_worker,
}


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    results: dict[str, dict[str, object]] = {}
    healthy = True
    for name, check in CHECKS.items():
        started = time.perf_counter()
        try:
            results[name] = {"ok": True, "detail": check()}
        except Exception as exc:  # a health page reports every failure, it never raises
            healthy = False
            results[name] = {"ok": False, "detail": f"{type(exc).__name__}: {exc}"}
        results[name]["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return JsonResponse(
        {"status": "ok" if healthy else "unhealthy", "checks": results},
        status=200 if healthy else 503,
    )
