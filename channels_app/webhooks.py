"""`/webhooks/<kind>/<slug>/`: one endpoint per channel account.

Journal first, then verify, then parse, then record, then 200. Nothing is lost: the raw
request is in the journal before anything can fail, and a failure leaves a dead letter.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from channels_app.ingest import webhook_event_finish, webhook_process
from channels_app.models import ChannelAccount, Verification, WebhookEvent, WebhookOutcome
from channels_app.providers import adapter_for
from channels_app.providers.base import BadPayload, SignatureInvalid, WebhookRequest

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


@csrf_exempt
def webhook(request: HttpRequest, kind: str, slug: str) -> HttpResponse:
    adapter = adapter_for(kind)
    account = ChannelAccount.objects.filter(kind=kind, slug=slug).first()
    limit = adapter.max_body_bytes if adapter else 64 * 1024
    declared = _declared_length(request)
    too_large = declared > limit
    body = b"" if too_large else _read_body(request, limit)
    too_large = too_large or len(body) > limit
    wrapped = snapshot(request, body if not too_large else b"")
    event = WebhookEvent.objects.create(
        account=account,
        kind=kind[:32],
        slug=slug[:80],
        method=wrapped.method,
        url=journal_url(wrapped.url)[:2000],
        headers=journal_headers(wrapped),
        body=b"" if too_large else body,
        body_size=max(declared, len(body)),
    )

    def finish(
        status: int, outcome: str, reason: str = "", verification: str | None = None
    ) -> HttpResponse:
        webhook_event_finish(
            event=event,
            outcome=outcome,
            error=reason,
            status_code=status,
            verification=verification,
        )
        return JsonResponse({"error": reason} if reason else {"ok": True}, status=status)

    if adapter is None or account is None:
        return finish(404, WebhookOutcome.REJECTED, f"no {kind} channel account with slug {slug!r}")
    if not account.enabled:
        return finish(404, WebhookOutcome.REJECTED, f"channel account {slug!r} is disabled")
    if too_large:
        return finish(
            413,
            WebhookOutcome.REJECTED,
            f"body of {event.body_size} bytes is over the {limit}-byte limit",
        )
    if request.method == "GET":
        response = adapter.handshake(wrapped, account)
        if response is None:
            return finish(405, WebhookOutcome.REJECTED, "this endpoint takes POST")
        outcome = (
            WebhookOutcome.ACCEPTED if response.status_code == 200 else WebhookOutcome.REJECTED
        )
        webhook_event_finish(
            event=event,
            outcome=outcome,
            status_code=response.status_code,
            verification=Verification.VALID
            if response.status_code == 200
            else Verification.INVALID,
            summary={"handshake": True},
        )
        return response
    if request.method != "POST":
        return finish(405, WebhookOutcome.REJECTED, f"method {request.method} not allowed")
    try:
        adapter.verify(wrapped, account)
    except BadPayload as exc:
        return finish(exc.status, WebhookOutcome.REJECTED, exc.reason, Verification.INVALID)
    except SignatureInvalid as exc:
        return finish(
            403, WebhookOutcome.REJECTED, f"signature check failed: {exc}", Verification.INVALID
        )
    event.verification = Verification.VALID
    event.save(update_fields=["verification"])
    return process(event, account, wrapped, adapter)


def process(
    event: WebhookEvent, account: ChannelAccount, wrapped: WebhookRequest, adapter: Any
) -> HttpResponse:
    result = webhook_process(event=event, account=account, request=wrapped, adapter=adapter)
    if result.response is not None:
        return result.response
    return JsonResponse({"error": result.error}, status=result.status_code)


def _declared_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _read_body(request: HttpRequest, limit: int) -> bytes:
    """Read at most limit + 1 bytes, whatever Content-Length claimed."""
    return request.read(limit + 1)
