"""`/webhooks/<kind>/<slug>/`: one endpoint per channel account.

Verify and read the request in memory, then write the journal row and queue its recording in
one transaction, then answer. Nothing is acknowledged before the raw request is durable, and
every request gets a journal row, whatever its fate (rejected, ignored, failed, queued).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from channels_app.models import ChannelAccount, Verification, WebhookEvent, WebhookOutcome
from channels_app.providers import adapter_for
from channels_app.providers.base import BadPayload, SignatureInvalid, WebhookRequest
from channels_app.selectors import channel_account_for_webhook
from sbops.core.queue import enqueue

INGEST_WEBHOOK_TASK = "channels_app.tasks.ingest_webhook"
INGEST_TIMEOUT_SECONDS = 120

logger = logging.getLogger(__name__)

# headers and query parameters whose values are secrets: journaled as present, never in clear
REDACTED_HEADERS = {"authorization", "cookie", "x-telegram-bot-api-secret-token"}
REDACTED_QUERY = {"token", "hub.verify_token"}


def snapshot(request: HttpRequest, body: bytes) -> WebhookRequest:
    headers = {name.lower(): value for name, value in request.headers.items()}
    return WebhookRequest(
        method=request.method or "GET",
        url=public_url(request),
        headers=headers,
        body=body,
        query={key: request.GET.getlist(key) for key in request.GET},
    )


def public_url(request: HttpRequest) -> str:
    """The URL as the provider called it. Behind a proxy, set SBOPS_PUBLIC_BASE_URL (or trust
    the proxy's X-Forwarded-* headers with SBOPS_TRUST_PROXY)."""
    if settings.PUBLIC_BASE_URL:
        return settings.PUBLIC_BASE_URL.rstrip("/") + request.get_full_path()
    return request.build_absolute_uri()


def journal_url(url: str) -> str:
    parts = urlsplit(url)
    if not parts.query:
        return url
    pairs = [
        (key, "[redacted]" if key in REDACTED_QUERY else value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
    ]
    return urlunsplit(parts._replace(query=urlencode(pairs)))


def journal_headers(request: WebhookRequest) -> dict[str, str]:
    return {
        name: ("[redacted]" if name in REDACTED_HEADERS else value)
        for name, value in request.headers.items()
    }


@dataclass
class Decision:
    """What the endpoint answers, and how the journal row records it."""

    response: HttpResponse
    outcome: str
    verification: str = Verification.PENDING
    error: str = ""
    summary: dict[str, Any] = field(default_factory=dict)


def _refuse(status: int, reason: str, verification: str = Verification.PENDING) -> Decision:
    return Decision(
        JsonResponse({"error": reason}, status=status),
        WebhookOutcome.REJECTED,
        verification,
        reason,
    )


@csrf_exempt
def webhook(request: HttpRequest, kind: str, slug: str) -> HttpResponse:
    """Verify, check the body can be read, then journal and queue in one transaction.

    Recording (contacts, conversations, messages, statuses) is the worker's job: the provider
    gets its 200 as soon as the raw request and its task are durable, however busy we are.
    """
    adapter = adapter_for(kind)
    account = channel_account_for_webhook(kind, slug)
    limit = adapter.max_body_bytes if adapter else 64 * 1024
    declared = _declared_length(request)
    too_large = declared > limit
    body = b"" if too_large else _read_body(request, limit)
    too_large = too_large or len(body) > limit
    wrapped = snapshot(request, b"" if too_large else body)
    decision = _decide(
        wrapped, adapter, account, kind, slug, too_large, limit, max(declared, len(body))
    )
    with transaction.atomic():
        event = WebhookEvent.objects.create(
            account=account,
            kind=kind[:32],
            slug=slug[:80],
            method=wrapped.method,
            url=journal_url(wrapped.url)[:2000],
            headers=journal_headers(wrapped),
            body=wrapped.body,
            body_size=max(declared, len(body)),
            verification=decision.verification,
            outcome=decision.outcome,
            status_code=decision.response.status_code,
            error=decision.error,
            summary=decision.summary,
            processed_at=None if decision.outcome == WebhookOutcome.RECEIVED else timezone.now(),
        )
        if decision.outcome == WebhookOutcome.RECEIVED:
            enqueue(INGEST_WEBHOOK_TASK, event.pk, timeout=INGEST_TIMEOUT_SECONDS)
    return decision.response


def _decide(
    wrapped: WebhookRequest,
    adapter: Any,
    account: ChannelAccount | None,
    kind: str,
    slug: str,
    too_large: bool,
    limit: int,
    size: int,
) -> Decision:
    if adapter is None or account is None:
        return _refuse(404, f"no {kind} channel account with slug {slug!r}")
    if not account.enabled:
        return _refuse(404, f"channel account {slug!r} is disabled")
    if too_large:
        return _refuse(413, f"body of {size} bytes is over the {limit}-byte limit")
    if wrapped.method == "GET":
        response = adapter.handshake(wrapped, account)
        if response is None:
            return _refuse(405, "this endpoint takes POST")
        if response.status_code != 200:
            return Decision(
                response, WebhookOutcome.REJECTED, Verification.INVALID, "handshake refused"
            )
        return Decision(
            response, WebhookOutcome.ACCEPTED, Verification.VALID, summary={"handshake": True}
        )
    if wrapped.method != "POST":
        return _refuse(405, f"method {wrapped.method} not allowed")
    try:
        adapter.verify(wrapped, account)
    except BadPayload as exc:
        return _refuse(exc.status, exc.reason, Verification.INVALID)
    except SignatureInvalid as exc:
        return _refuse(403, f"signature check failed: {exc}", Verification.INVALID)
    # parse now only to answer a bad body with its reason; the worker parses the journal copy
    try:
        parsed = adapter.parse(wrapped, account)
    except BadPayload as exc:
        return Decision(
            JsonResponse({"error": exc.reason}, status=exc.status),
            WebhookOutcome.FAILED,
            Verification.VALID,
            exc.reason,
        )
    except Exception as exc:  # a parser bug: a dead letter to replay after the fix
        logger.exception("the %s parser failed on a verified request", kind)
        return Decision(
            JsonResponse(
                {"error": "the request could not be parsed; it is kept for replay"}, status=500
            ),
            WebhookOutcome.FAILED,
            Verification.VALID,
            f"parser error: {type(exc).__name__}: {exc}",
        )
    response = adapter.acknowledge(wrapped, parsed)
    if not parsed.item_count and not parsed.follow_ups:
        return Decision(
            response,
            WebhookOutcome.IGNORED,
            Verification.VALID,
            summary={"ignored": parsed.ignored},
        )
    return Decision(response, WebhookOutcome.RECEIVED, Verification.VALID)


def _declared_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _read_body(request: HttpRequest, limit: int) -> bytes:
    """Read at most limit + 1 bytes, whatever Content-Length claimed."""
    return request.read(limit + 1)
