"""From a journaled webhook to recorded messages, statuses and contact signals.

Each item is recorded in its own transaction: one bad item never costs the valid ones in the
same request. Items that fail leave the journal row as a dead letter naming them; a replay
records only what is still missing (recording is idempotent).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

from django.db import transaction
from django.db.models import F
from django.http import HttpResponse
from django.utils import timezone
from django_q.tasks import async_task

from channels_app.models import ChannelAccount, Verification, WebhookEvent, WebhookOutcome
from channels_app.providers.base import BadPayload, ParsedWebhook, WebhookRequest
from conversations.services import (
    contact_apply_signal,
    message_record_inbound,
    message_status_record,
)
from sbops.core.audit import audit_record

logger = logging.getLogger(__name__)

DOWNLOAD_MEDIA_TASK = "channels_app.tasks.download_media"


@dataclass
class ProcessResult:
    status_code: int
    error: str = ""
    response: HttpResponse | None = None  # the provider's expected acknowledgement


def webhook_process(
    *, event: WebhookEvent, account: ChannelAccount, request: WebhookRequest, adapter: Any
) -> ProcessResult:
    """Parse and record a verified request: on arrival, and again when a dead letter is replayed."""
    try:
        parsed = adapter.parse(request, account)
    except BadPayload as exc:
        webhook_event_finish(
            event=event,
            outcome=WebhookOutcome.FAILED,
            error=exc.reason,
            status_code=exc.status,
            verification=Verification.VALID,
        )
        return ProcessResult(status_code=exc.status, error=exc.reason)
    except Exception as exc:  # a parser bug: keep a dead letter to replay after the fix
        logger.exception("webhook %s: the %s parser failed", event.pk, event.kind)
        reason = f"parser error: {type(exc).__name__}: {exc}"
        webhook_event_finish(
            event=event, outcome=WebhookOutcome.FAILED, error=reason, status_code=500
        )
        return ProcessResult(
            status_code=500, error="the request could not be parsed; it is kept for replay"
        )
    outcome = webhook_ingest(event=event, account=account, parsed=parsed)
    if outcome == WebhookOutcome.FAILED:
        # the provider retries (recording is idempotent) and the dead letter waits in the admin
        event.status_code = 500
        event.save(update_fields=["status_code"])
        return ProcessResult(
            status_code=500, error="some items could not be recorded; see the journal"
        )
    response = adapter.acknowledge(request, parsed)
    event.status_code = response.status_code
    event.save(update_fields=["status_code"])
    return ProcessResult(status_code=response.status_code, response=response)


def webhook_replay(*, event: WebhookEvent, actor: Any) -> str:
    """Run a journaled, verified request through parsing and recording again (after a fix).

    Only requests whose signature was valid on arrival are replayed; the signature is not
    checked again (secrets may have rotated since). Returns the new outcome.
    """
    from channels_app.providers import adapter_for

    if event.verification != Verification.VALID or event.account is None:
        raise ValueError("only verified requests of a known account can be replayed")
    adapter = adapter_for(event.kind)
    request = WebhookRequest(
        method=event.method,
        url=event.url,
        headers=dict(event.headers),
        body=bytes(event.body),
        query=parse_qs(urlsplit(event.url).query, keep_blank_values=True),
    )
    WebhookEvent.objects.filter(pk=event.pk).update(replay_count=F("replay_count") + 1)
    event.refresh_from_db()
    webhook_process(event=event, account=event.account, request=request, adapter=adapter)
    audit_record(
        actor=actor, action="webhook.replayed", target=event, data={"outcome": event.outcome}
    )
    return event.outcome


def webhook_ingest(*, event: WebhookEvent, account: ChannelAccount, parsed: ParsedWebhook) -> str:
    """Record everything `parsed` carries; returns the journal outcome it set."""
    summary: dict[str, Any] = {
        "messages": 0,
        "duplicates": 0,
        "statuses": {},
        "signals": 0,
        "ignored": parsed.ignored,
    }
    errors: list[str] = []
    for index, inbound in enumerate(parsed.messages):
        try:
            message, created = message_record_inbound(
                channel_account_id=account.pk, channel_kind=account.kind, inbound=inbound
            )
        except Exception as exc:  # one item's failure must not lose the others
            logger.exception("webhook %s: message %s failed", event.pk, inbound.provider_message_id)
            errors.append(
                f"message[{index}] {inbound.provider_message_id}: {type(exc).__name__}: {exc}"
            )
            continue
        if created:
            summary["messages"] += 1
            if message is not None and message.media:
                message_id = message.pk
                transaction.on_commit(
                    lambda m=message_id: async_task(DOWNLOAD_MEDIA_TASK, m, timeout=120)
                )
        else:
            summary["duplicates"] += 1
    for index, status in enumerate(parsed.statuses):
        try:
            result = message_status_record(channel_account_id=account.pk, inbound=status)
        except Exception as exc:
            logger.exception(
                "webhook %s: status for %s failed", event.pk, status.provider_message_id
            )
            errors.append(
                f"status[{index}] {status.provider_message_id}: {type(exc).__name__}: {exc}"
            )
            continue
        summary["statuses"][result] = summary["statuses"].get(result, 0) + 1
    for index, signal in enumerate(parsed.signals):
        try:
            contact_apply_signal(channel_kind=account.kind, signal=signal)
            summary["signals"] += 1
        except Exception as exc:
            logger.exception("webhook %s: contact signal failed", event.pk)
            errors.append(f"signal[{index}] {signal.signal}: {type(exc).__name__}: {exc}")
    for follow_up in parsed.follow_ups:
        transaction.on_commit(
            lambda f=follow_up: async_task(f.task, account.pk, **f.kwargs)  # type: ignore[misc]
        )

    if errors:
        outcome = WebhookOutcome.FAILED
    elif parsed.item_count or parsed.follow_ups:
        outcome = WebhookOutcome.ACCEPTED
    else:
        outcome = WebhookOutcome.IGNORED
    webhook_event_finish(event=event, outcome=outcome, error="\n".join(errors), summary=summary)
    return outcome


def webhook_event_finish(
    *,
    event: WebhookEvent,
    outcome: str,
    error: str = "",
    summary: dict[str, Any] | None = None,
    status_code: int | None = None,
    verification: str | None = None,
) -> None:
    event.outcome = outcome
    event.error = error
    event.processed_at = timezone.now()
    fields = ["outcome", "error", "processed_at"]
    if summary is not None:
        event.summary = summary
        fields.append("summary")
    if status_code is not None:
        event.status_code = status_code
        fields.append("status_code")
    if verification is not None:
        event.verification = verification
        fields.append("verification")
    event.save(update_fields=fields)
