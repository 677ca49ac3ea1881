"""From a journaled webhook to recorded messages, statuses and contact signals.

Each item is recorded in its own transaction: one bad item never costs the valid ones in the
same request. Items that fail leave the journal row as a dead letter naming them; a replay
records only what is still missing (recording is idempotent).
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import parse_qs, urlsplit

from django.db import transaction
from django.db.models import F
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


class IngestIncomplete(Exception):
    """Some items of a journaled request could not be recorded; the task is retried."""


def journaled_request(event: WebhookEvent) -> WebhookRequest:
    """The request as it arrived (secret headers and query values are redacted in the journal;
    parsing needs neither)."""
    return WebhookRequest(
        method=event.method,
        url=event.url,
        headers=dict(event.headers),
        body=bytes(event.body),
        query=parse_qs(urlsplit(event.url).query, keep_blank_values=True),
    )


def webhook_record_journaled(*, event: WebhookEvent) -> str:
    """Parse a verified, journaled request and record what it carries. Returns the outcome.

    Runs in the worker for every queued request, and again for a replayed dead letter.
    Recording is idempotent, so running it twice records nothing twice.
    """
    from channels_app.providers import adapter_for

    if event.verification != Verification.VALID or event.account is None:
        raise ValueError("only verified requests of a known account are recorded")
    try:
        parsed = adapter_for(event.kind).parse(journaled_request(event), event.account)
    except BadPayload as exc:
        webhook_event_finish(event=event, outcome=WebhookOutcome.FAILED, error=exc.reason)
        return event.outcome
    except Exception as exc:  # a parser bug: keep the dead letter to replay after the fix
        logger.exception("webhook %s: the %s parser failed", event.pk, event.kind)
        reason = f"parser error: {type(exc).__name__}: {exc}"
        webhook_event_finish(event=event, outcome=WebhookOutcome.FAILED, error=reason)
        return event.outcome
    return webhook_ingest(event=event, account=event.account, parsed=parsed)


def webhook_replay(*, event: WebhookEvent, actor: Any) -> str:
    """Record a journaled, verified request again, after a fix. Returns the new outcome.

    The signature is not checked again (secrets may have rotated since it was verified).
    """
    if event.verification != Verification.VALID or event.account is None:
        raise ValueError("only verified requests of a known account can be replayed")
    WebhookEvent.objects.filter(pk=event.pk).update(replay_count=F("replay_count") + 1)
    event.refresh_from_db()
    outcome = webhook_record_journaled(event=event)
    audit_record(actor=actor, action="webhook.replayed", target=event, data={"outcome": outcome})
    return outcome


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
