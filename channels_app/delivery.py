"""The one outbound choke point: every message, bot or staff, is delivered here.

In order: the message is still ours to send; the account is usable; platform rules (opt-out,
the WhatsApp 24-hour window, an address on this channel, length); the circuit breaker and the
throttles (a throttled message waits, it is never dropped); an attempt row with its
idempotency key committed BEFORE the provider call; the call; the outcome by the provider's
code: sent, retry later (backoff with full jitter, Retry-After honoured, bounded by attempts
and age), or failed with the reason staff see.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from billing.services import cost_record_free, cost_record_sms
from channels_app.models import ChannelAccount, DeliveryAttempt, MessageTemplate, SendOutcome
from channels_app.senders import sender_for
from channels_app.senders.base import Outgoing, SendResult
from channels_app.text_limits import SMS_BODY, TELEGRAM_TEXT, WHATSAPP_TEXT, sms_segments, split_for
from channels_app.whatsapp_templates import graph_components, send_refusal, validate_params
from channels_app.window import customer_service_window
from conversations.inbound import ContactSignal, Identity
from conversations.models import (
    Author,
    ChannelKind,
    ContactOptOut,
    DeliveryStatus,
    Direction,
    IdentityKind,
    Message,
)
from conversations.services import (
    attempt_key,
    contact_apply_signal,
    conversation_transition,
    message_delivery_result,
)
from conversations.states import ConversationState
from sbops.core.queue import enqueue_at
from sbops.core.resilience import (
    TELEGRAM_CHAT,
    WHATSAPP_RECIPIENT,
    CircuitBreaker,
    Rate,
    RateLimiter,
    RetryPolicy,
)

logger = logging.getLogger(__name__)

DELIVER_TASK = "channels_app.tasks.deliver"
RETRY = RetryPolicy(max_attempts=8, base_delay=2.0, max_delay=15 * 60.0, max_age=24 * 3600.0)
# waits this short are slept in the task (a throttle at 80/s waits milliseconds); longer
# ones go back to the queue
SLEEP_AT_MOST = 2.0
# an attempt whose answer was lost (the worker died mid-call) may still have been accepted:
# give the provider's status webhook this long to tell us before sending again
IN_FLIGHT_GRACE = timedelta(minutes=2)
ACCOUNT_RATES: dict[str, Rate] = {
    ChannelKind.WHATSAPP_CLOUD: Rate(limit=80, period=1.0),
    ChannelKind.TWILIO_WHATSAPP: Rate(limit=80, period=1.0),
    ChannelKind.TWILIO_SMS: Rate(limit=1, period=1.0, burst=1),  # a long code sends 1 SMS/s
    ChannelKind.TELEGRAM: Rate(limit=30, period=1.0),
    ChannelKind.EMAIL: Rate(limit=10, period=1.0),
}
RECIPIENT_RATES: dict[str, Rate] = {
    ChannelKind.WHATSAPP_CLOUD: WHATSAPP_RECIPIENT,
    ChannelKind.TWILIO_WHATSAPP: WHATSAPP_RECIPIENT,
    ChannelKind.TELEGRAM: TELEGRAM_CHAT,
}
LENGTH_RULES = {
    ChannelKind.WHATSAPP_CLOUD: WHATSAPP_TEXT,
    ChannelKind.TWILIO_WHATSAPP: WHATSAPP_TEXT,
    ChannelKind.TWILIO_SMS: SMS_BODY,
    ChannelKind.TELEGRAM: TELEGRAM_TEXT,
}
ADDRESS_IDENTITIES = {
    ChannelKind.WHATSAPP_CLOUD: (IdentityKind.WHATSAPP, IdentityKind.WHATSAPP_BSUID),
    ChannelKind.TWILIO_WHATSAPP: (IdentityKind.WHATSAPP,),
    ChannelKind.TWILIO_SMS: (IdentityKind.PHONE,),
    ChannelKind.TELEGRAM: (IdentityKind.TELEGRAM,),
    ChannelKind.EMAIL: (IdentityKind.EMAIL,),
}
MAX_SLEEP_BETWEEN_PARTS = 10.0


@dataclass(frozen=True)
class Refusal:
    outcome: str
    code: str
    reason: str


def account_rate(account: ChannelAccount) -> Rate:
    """The per-account limit: the admin's `rate_per_second` in the account's settings, else the
    platform default."""
    configured = (account.config or {}).get("rate_per_second")
    default = ACCOUNT_RATES.get(account.kind, Rate(limit=10, period=1.0))
    return Rate(limit=int(configured), period=1.0) if configured else default


def deliver_message(message_id: int) -> str:
    """Deliver one outbound message (the `deliver` task). Returns what happened, for the log."""
    message = Message.objects.select_related("conversation__contact").filter(pk=message_id).first()
    if message is None or message.direction != Direction.OUTBOUND:
        return "skipped: no such outbound message"
    if message.delivery_status not in (DeliveryStatus.QUEUED, DeliveryStatus.SENDING):
        return f"skipped: already {message.delivery_status}"
    account = ChannelAccount.objects.filter(pk=message.channel_account_id).first()
    if account is None or not account.enabled:
        return _finish(
            message,
            Refusal(SendOutcome.FAILED, "account", "the channel account is disabled or gone"),
        )
    if account.config.get("paused_reason"):
        return _later(message, 15 * 60, f"account paused: {account.config['paused_reason']}")
    in_flight = (
        message.delivery_attempts.filter(outcome=SendOutcome.IN_FLIGHT).order_by("-number").first()
    )
    if in_flight is not None:
        if timezone.now() - in_flight.started_at < IN_FLIGHT_GRACE:
            return _later(
                message,
                IN_FLIGHT_GRACE.total_seconds(),
                "waiting for the provider to report a lost attempt",
            )
        _close_attempt(
            in_flight,
            SendResult(
                SendOutcome.RETRY,
                code="lost",
                reason="no answer recorded (the worker stopped mid-call)",
            ),
        )
    refusal = _rules(message, account)
    if refusal:
        return _finish(message, refusal)
    recipient = _address(message, account)
    if not recipient:
        return _finish(
            message,
            Refusal(
                SendOutcome.RECIPIENT_INVALID,
                "no_address",
                f"the contact has no {account.get_kind_display()} address",
            ),
        )

    breaker = CircuitBreaker(f"account:{account.pk}", failure_threshold=5, reset_timeout=60)
    allowed, wait = breaker.allow()
    if not allowed:
        return _later(message, max(wait, 1.0), "the provider is failing: circuit open")
    wait = _throttle(account, recipient)
    if wait:
        return _later(message, wait, "throttled")

    template_payload = None
    if (message.metadata or {}).get("template"):
        template_payload, refusal = _template_payload(message, account)
        if refusal:
            return _finish(message, refusal)
    parts = _parts(message, account)
    attempt = _open_attempt(message)
    result = SendResult(SendOutcome.SENT)
    sent_ids: list[str] = []
    for index, text in enumerate(parts):
        outgoing = Outgoing(
            to=recipient,
            text=text,
            idempotency_key=f"{attempt.idempotency_key}-p{index}"
            if len(parts) > 1
            else attempt.idempotency_key,
            template=template_payload,
            subject=message.conversation.subject,
        )
        result = sender_for(account.kind)(account, outgoing)
        if not result.sent:
            break
        sent_ids.append(result.provider_message_id)
        if index + 1 < len(parts):
            time.sleep(min(_throttle(account, recipient), MAX_SLEEP_BETWEEN_PARTS))
    _close_attempt(attempt, result)
    if result.sent:
        breaker.record_success()
        details = {"parts": len(parts), "part_ids": sent_ids, **result.details}
        if account.kind == ChannelKind.TWILIO_SMS:
            info = sms_segments(message.body)
            details.update(sms_encoding=info.encoding, sms_segments=info.segments)
        message_delivery_result(
            message_id=message.pk,
            status=DeliveryStatus.SENT,
            provider_message_id=sent_ids[0],
            details=details,
        )
        return f"sent as {sent_ids[0]}" + (f" in {len(parts)} parts" if len(parts) > 1 else "")
    if result.outcome == SendOutcome.ACCOUNT_BROKEN:
        _pause_account(account, result)
        return _later(message, 15 * 60, f"account paused: {result.reason}")
    if result.outcome in (SendOutcome.RETRY, SendOutcome.RATE_LIMITED):
        if result.outcome == SendOutcome.RETRY:
            breaker.record_failure(result.reason)
        if RETRY.exhausted(attempt.number, message.created_at, timezone.now()):
            return _finish(
                message,
                Refusal(
                    SendOutcome.FAILED,
                    result.code,
                    f"gave up after {attempt.number} attempts: {result.reason}",
                ),
            )
        return _later(message, RETRY.delay(attempt.number, result.wait_seconds), result.reason)
    if result.outcome == SendOutcome.OPTED_OUT:
        _record_provider_opt_out(message, account, result)
    return _finish(message, Refusal(result.outcome, result.code, result.reason))


def _record_send_cost(
    message: Message, account: ChannelAccount, recipient: str, sent_ids: list[str], details: dict
) -> None:
    """The costs known at send time, once each (keyed by the provider's id). WhatsApp Cloud is
    priced from the `pricing` of its status webhooks (conversations.services)."""
    now = timezone.now()
    common = {"conversation_id": message.conversation_id, "message_id": message.pk}
    if account.kind == ChannelKind.TWILIO_SMS:
        cost_record_sms(
            source_key=f"twilio:{sent_ids[0]}",
            occurred_at=now,
            segments=int(details.get("sms_segments") or 1),
            recipient_phone=recipient,
            reported_price=details.get("price"),
            price_unit=details.get("price_unit") or "USD",
            **common,
        )
    elif account.kind == ChannelKind.TELEGRAM:
        for provider_id in sent_ids:
            cost_record_free(source_key=f"telegram:{provider_id}", occurred_at=now, **common)


def _template_payload(
    message: Message, account: ChannelAccount
) -> tuple[dict | None, Refusal | None]:
    """The Graph template object for a template message, or why it cannot go: only an APPROVED,
    enabled template whose parameters pass Meta's rules is sent."""
    spec = message.metadata["template"]
    if account.kind != ChannelKind.WHATSAPP_CLOUD:
        return None, Refusal(
            SendOutcome.FAILED,
            "template_unsupported",
            f"templates are not sent on {account.get_kind_display()} yet",
        )
    template = MessageTemplate.objects.filter(
        account=account, name=spec.get("name", ""), language=spec.get("language", "")
    ).first()
    if template is None:
        return None, Refusal(
            SendOutcome.FAILED,
            "template_unknown",
            f"no template {spec.get('name')!r} ({spec.get('language')}) on this account: sync the templates",
        )
    reason = send_refusal(template)
    if reason:
        return None, Refusal(SendOutcome.FAILED, "template_refused", reason)
    params = spec.get("params") or {}
    errors = validate_params(template, params)
    if errors:
        return None, Refusal(SendOutcome.FAILED, "template_params", "; ".join(errors))
    return {
        "name": template.name,
        "language": template.language,
        "components": graph_components(template, params),
    }, None


def window_closed_suggestions(message: Message, account: ChannelAccount) -> list[str]:
    """Approved templates staff could send instead, the customer's language first."""
    language = (message.conversation.contact.language or "").split("-")[0]
    names = []
    for template in MessageTemplate.objects.filter(account=account, enabled=True).order_by("name"):
        if send_refusal(template) is None:
            first = template.language.split("_")[0] == language
            names.append((0 if first else 1, f"{template.name} ({template.language})"))
    return [name for _rank, name in sorted(names)][:10]


# a bot writing more than this to one customer looks like a bot farm: a person takes over
VELOCITY_DEFAULT = (8, timedelta(minutes=5))


def _velocity_exceeded(message: Message, account: ChannelAccount) -> bool:
    """More bot messages to this customer on this account in the window than allowed
    (`velocity_per_5_minutes` in the account's settings)?"""
    if message.author != Author.BOT:
        return False
    limit = int((account.config or {}).get("velocity_per_5_minutes") or VELOCITY_DEFAULT[0])
    since = timezone.now() - VELOCITY_DEFAULT[1]
    recent = Message.objects.filter(
        conversation__contact_id=message.conversation.contact_id,
        channel_account_id=account.pk,
        direction=Direction.OUTBOUND,
        author=Author.BOT,
        created_at__gte=since,
    ).exclude(pk=message.pk)
    return recent.count() >= limit


def _rules(message: Message, account: ChannelAccount) -> Refusal | None:
    contact = message.conversation.contact
    if _velocity_exceeded(message, account):
        _hand_to_staff(message, "the bot wrote too often to this customer: a person decides")
        return Refusal(
            SendOutcome.FAILED,
            "velocity",
            "not sent: too many bot messages to this customer in 5 minutes; handed to staff",
        )
    if ContactOptOut.objects.filter(contact=contact, channel_kind=account.kind).exists():
        return Refusal(SendOutcome.OPTED_OUT, "opted_out", "the customer opted out of this channel")
    is_template = bool((message.metadata or {}).get("template"))
    window = customer_service_window(
        channel_kind=account.kind,
        last_inbound_at=message.conversation.last_inbound_at,
        now=timezone.now(),
    )
    if window.applies and not window.open and not is_template:
        suggestions = window_closed_suggestions(message, account)
        offer = (
            f"; for example {', '.join(suggestions[:3])}"
            if suggestions
            else " (none is approved yet)"
        )
        return Refusal(
            SendOutcome.WINDOW_CLOSED,
            "window_closed",
            "24-hour window closed: only an approved template can go" + offer,
        )
    return None


def _address(message: Message, account: ChannelAccount) -> str:
    contact = message.conversation.contact
    kinds = ADDRESS_IDENTITIES.get(account.kind, ())
    identities = {row.kind: row.external_id for row in contact.identities.filter(kind__in=kinds)}
    for kind in kinds:
        if identities.get(kind):
            return identities[kind]
    if account.kind in (ChannelKind.TWILIO_SMS, ChannelKind.TWILIO_WHATSAPP) and contact.phone:
        return contact.phone
    if account.kind == ChannelKind.EMAIL:
        return contact.email
    return ""


def _parts(message: Message, account: ChannelAccount) -> list[str]:
    rule = LENGTH_RULES.get(account.kind)
    if rule is None or (message.metadata or {}).get("template"):
        return [message.body]
    return split_for(rule, message.body) or [message.body]


def _throttle(account: ChannelAccount, recipient: str) -> float:
    """Take a slot of the account's and the recipient's limits; sleep short waits here, return a
    longer one for the queue. Slots are taken in order, so a long recipient wait costs the
    account one slot at most."""
    limiter = RateLimiter()
    for key, rate in (
        (f"send:account:{account.pk}", account_rate(account)),
        (f"send:recipient:{account.pk}:{recipient}", RECIPIENT_RATES.get(account.kind)),
    ):
        if rate is None:
            continue
        while True:
            wait = limiter.acquire_rate(key, rate)
            if not wait:
                break
            if wait > SLEEP_AT_MOST:
                return wait
            time.sleep(wait)
    return 0.0


def _open_attempt(message: Message, **fields: Any) -> DeliveryAttempt:
    """The next attempt row, committed before the call: a crash after it leaves a visible
    in-flight attempt. `fields` record an attempt that ends at once (a refusal)."""
    with transaction.atomic():
        number = message.delivery_attempts.count() + 1
        return DeliveryAttempt.objects.create(
            message=message,
            number=number,
            idempotency_key=attempt_key(message.pk, number),
            **fields,
        )


def _close_attempt(attempt: DeliveryAttempt, result: SendResult) -> None:
    attempt.outcome = result.outcome
    attempt.provider_message_id = result.provider_message_id[:255]
    attempt.error_code = result.code[:32]
    attempt.error_reason = result.reason[:500]
    attempt.wait_seconds = result.wait_seconds
    attempt.finished_at = timezone.now()
    attempt.save(
        update_fields=[
            "outcome",
            "provider_message_id",
            "error_code",
            "error_reason",
            "wait_seconds",
            "finished_at",
        ]
    )


def _finish(message: Message, refusal: Refusal) -> str:
    """A final outcome that is not a send: the message fails visibly, with the reason."""
    if not message.delivery_attempts.filter(
        outcome=refusal.outcome, error_code=refusal.code
    ).exists():
        _open_attempt(
            message,
            outcome=refusal.outcome,
            error_code=refusal.code[:32],
            error_reason=refusal.reason[:500],
            finished_at=timezone.now(),
        )
    message_delivery_result(
        message_id=message.pk,
        status=DeliveryStatus.FAILED,
        error_code=refusal.code,
        error_reason=refusal.reason,
        details={"outcome": refusal.outcome},
    )
    return f"failed: {refusal.reason}"


def _later(message: Message, seconds: float, reason: str) -> str:
    run_at = timezone.now() + timedelta(seconds=max(seconds, 1.0))
    enqueue_at(DELIVER_TASK, message.pk, run_at=run_at, name=f"deliver message {message.pk}")
    return f"waiting {seconds:.1f} s: {reason}"


def _pause_account(account: ChannelAccount, result: SendResult) -> None:
    """The provider refused the account itself (e.g. an expired token): stop sending through it
    and tell the admins; its messages wait instead of failing."""
    from django.core.mail import mail_admins

    from sbops.core.audit import audit_record

    reason = f"{result.code}: {result.reason}"[:300]
    with transaction.atomic():
        fresh = ChannelAccount.objects.select_for_update().get(pk=account.pk)
        if fresh.config.get("paused_reason"):
            return
        fresh.config = {
            **fresh.config,
            "paused_reason": reason,
            "paused_at": timezone.now().isoformat(),
        }
        fresh.save(update_fields=["config", "updated_at"])
        audit_record(
            actor=None, action="channel_account.paused", target=fresh, data={"reason": reason}
        )
    mail_admins(
        f"sbops: channel account {account.name} paused",
        f"Sending through {account.name} stopped: {reason}. Fix the credentials, then clear the pause in the admin.",
        fail_silently=True,
    )


def _hand_to_staff(message: Message, reason: str) -> None:
    conversation = message.conversation
    if conversation.state in (ConversationState.BOT,):
        conversation_transition(
            conversation_id=conversation.pk,
            to_state=ConversationState.WAITING_HUMAN,
            actor=None,
            reason=reason,
        )


def _record_provider_opt_out(message: Message, account: ChannelAccount, result: SendResult) -> None:
    identity_kind = ADDRESS_IDENTITIES.get(account.kind, (IdentityKind.PHONE,))[0]
    identity = message.conversation.contact.identities.filter(kind=identity_kind).first()
    if identity is None:
        return
    contact_apply_signal(
        channel_kind=account.kind,
        signal=ContactSignal(
            identity=Identity(identity.kind, identity.external_id),
            signal="opted_out",
            source=f"{account.kind.split('_')[0]}:{result.code}",
            occurred_at=timezone.now(),
        ),
    )


def delivery_summary(message: Message) -> list[dict[str, Any]]:
    """Every attempt of a message, for staff."""
    return list(
        message.delivery_attempts.values(
            "number", "outcome", "error_code", "error_reason", "started_at", "finished_at"
        )
    )
