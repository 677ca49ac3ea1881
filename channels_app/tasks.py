"""django-q2 entry points of this app: take ids, load rows, make the outside call, call one service.

Queued by dotted path (`channels_app.tasks.<name>`): by the webhook endpoint, by
`channels_app.ingest` after commit, and by the schedules (`sbops schedules`).
"""

from __future__ import annotations

import logging
import random
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django_q.models import Schedule
from django_q.tasks import schedule

from channels_app import telegram_api
from channels_app.delivery import deliver_message
from channels_app.ingest import IngestIncomplete, webhook_record_journaled
from channels_app.media import MediaUnavailable, fetch_media
from channels_app.models import ChannelAccount, WebhookEvent, WebhookOutcome
from channels_app.webhooks import INGEST_TIMEOUT_SECONDS, INGEST_WEBHOOK_TASK
from conversations.models import MediaStatus, Message
from conversations.services import message_media_failed, message_media_stored
from sbops.core.queue import enqueue

logger = logging.getLogger(__name__)

DOWNLOAD_MEDIA_TASK = "channels_app.tasks.download_media"
MAX_ATTEMPTS = 5
RETRY_BASE_SECONDS = 2.0
RETRY_CAP_SECONDS = 15 * 60.0


def retry_delay(attempt: int) -> float:
    """Seconds to wait after failed attempt number `attempt` (1-based): doubling from
    RETRY_BASE_SECONDS up to RETRY_CAP_SECONDS, with jitter over the upper half so that many
    downloads failing together do not all come back at once."""
    ceiling = min(RETRY_CAP_SECONDS, RETRY_BASE_SECONDS * 2 ** max(attempt - 1, 0))
    return ceiling / 2 + random.uniform(0, ceiling / 2)


def download_media(message_id: int) -> str:
    """Download a message's attachment and keep it with the message.

    A failure that may pass (a 5xx, a timeout) is retried from a one-off schedule with
    backoff, up to MAX_ATTEMPTS; any other failure, or the last attempt, marks the
    attachment failed with the reason staff see. Returns what was done (for the task log).
    """
    message = Message.objects.filter(pk=message_id).first()
    if message is None:
        return "skipped: the message no longer exists"
    if message.media_status != MediaStatus.PENDING:
        return f"skipped: the attachment is {message.media_status}, not waiting for download"
    account = ChannelAccount.objects.filter(pk=message.channel_account_id).first()
    try:
        if account is None:
            raise MediaUnavailable("the message's channel account no longer exists", False)
        fetched = fetch_media(account, message.media)
    except MediaUnavailable as exc:
        return _download_failed(message, exc)
    with transaction.atomic(durable=True):
        message_media_stored(
            message_id=message.pk,
            name=fetched.filename,
            content=fetched.content,
            mime_type=fetched.mime_type,
        )
    return f"stored {len(fetched.content)} bytes of {fetched.mime_type}"


def _download_failed(message: Message, exc: MediaUnavailable) -> str:
    attempt = message.media_attempts + 1
    final = not exc.retryable or attempt >= MAX_ATTEMPTS
    with transaction.atomic(durable=True):
        message_media_failed(message_id=message.pk, error=exc.reason, final=final)
        if final:
            return f"failed for good after {attempt} attempt(s): {exc.reason}"
        delay = retry_delay(attempt)
        name = f"download media of message {message.pk}, attempt {attempt + 1}"
        if not Schedule.objects.filter(name=name).exists():
            schedule(
                DOWNLOAD_MEDIA_TASK,
                message.pk,
                name=name,
                schedule_type=Schedule.ONCE,
                next_run=timezone.now() + timedelta(seconds=delay),
            )
    logger.info(
        "media of message %s: attempt %s failed, retry in %.0f s", message.pk, attempt, delay
    )
    return f"attempt {attempt} failed, retrying in {delay:.0f} s: {exc.reason}"


def answer_telegram_callback(account_id: int, callback_query_id: str, text: str = "") -> str:
    """Answer a tapped inline button, so the customer's Telegram stops showing a spinner.

    Telegram only waits a short while: an answer that comes too late is dropped quietly, and
    no failure is retried (a late answer is worth nothing).
    """
    account = ChannelAccount.objects.filter(pk=account_id).first()
    if account is None:
        return "skipped: the channel account no longer exists"
    try:
        telegram_api.answer_callback_query(account, callback_query_id, text)
    except telegram_api.TelegramApiError as exc:
        if exc.query_too_old:
            return "ignored: the callback query was too old to answer"
        logger.warning(
            "Telegram account %s: answering callback query %s failed: %s",
            account_id,
            callback_query_id,
            exc.description,
        )
        return f"failed: {exc.description}"
    return "answered"


def register_telegram_webhook(account_id: int, url: str) -> Any:
    """setWebhook for the account: `url`, its secret token, the updates we handle.

    Returns Telegram's result (True). Raises ChannelAccount.DoesNotExist, or
    telegram_api.TelegramApiError with Telegram's reason.
    """
    account = ChannelAccount.objects.get(pk=account_id)
    return telegram_api.set_webhook(account, url)


# --- webhooks -------------------------------------------------------------------------------

STALLED_AFTER = timedelta(minutes=5)


def ingest_webhook(event_id: int) -> str:
    """Record what a journaled webhook request carries (queued by the endpoint).

    Items that fail leave the row a dead letter and raise, so the broker tries again later
    (recording is idempotent); after the last attempt the dead letter waits for staff.
    """
    event = WebhookEvent.objects.select_related("account").filter(pk=event_id).first()
    if event is None:
        return "skipped: the journal row no longer exists"
    if event.outcome not in (WebhookOutcome.RECEIVED, WebhookOutcome.FAILED):
        return f"skipped: already {event.outcome}"
    outcome = webhook_record_journaled(event=event)
    if outcome == WebhookOutcome.FAILED:
        raise IngestIncomplete(f"webhook {event_id}: {event.error}")
    return outcome


def requeue_stalled_webhooks() -> int:
    """Queue again requests journaled but still unrecorded after STALLED_AFTER (a worker that
    died mid-task, or a push to Redis lost with its process). Scheduled every minute."""
    cutoff = timezone.now() - STALLED_AFTER
    stalled = list(
        WebhookEvent.objects.filter(outcome=WebhookOutcome.RECEIVED, received_at__lt=cutoff)
        .order_by("pk")
        .values_list("pk", flat=True)[:500]
    )
    for event_id in stalled:
        with transaction.atomic():
            enqueue(INGEST_WEBHOOK_TASK, event_id, timeout=INGEST_TIMEOUT_SECONDS)
    return len(stalled)


# --- delivery ---------------------------------------------------------------------------------


def deliver(message_id: int) -> str:
    """Deliver one outbound message through the one choke point (channels_app.delivery)."""
    return deliver_message(message_id)
