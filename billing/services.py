"""Writes to the cost ledger. Every priced thing is recorded here, once, in Decimal.

One row per `source_key`: a retried task, a redelivered status webhook or two workers racing
on the same message find the row already there and count nothing twice. A cost the price book
cannot price is still written, flagged `priced=False` with a note, never silently zero; a cost
that is free (Telegram, a WhatsApp service reply inside the window) is a priced row of 0.

The callers (delivery, status webhooks, the AI pipeline) live in apps above billing, so rows
carry plain references (conversation id, message id) and labels (channel kind, tier).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation, localcontext

import phonenumbers
from django.db import IntegrityError, transaction

from billing.models import CostEntry, CostKind, PriceEntry, Provider
from sbops.core.money import to_money

logger = logging.getLogger(__name__)

QUANTITY_PLACES = Decimal("0.000001")  # CostEntry.quantity has 6 decimal places
UNKNOWN_COUNTRY = "ZZ"  # phonenumbers' code for "no region"; the price book falls back to "*"
ANY_COUNTRY = "*"
WHATSAPP_FREE_TYPES = frozenset({"free_customer_service", "free_entry_point"})

_SOURCE_KEY_MAX = CostEntry._meta.get_field("source_key").max_length
_SKU_MAX = CostEntry._meta.get_field("sku").max_length
_NOTE_MAX = CostEntry._meta.get_field("note").max_length

# token kind -> (ledger kind, source key suffix)
_LLM_TOKEN_KINDS = (
    ("input", CostKind.LLM_INPUT_TOKEN),
    ("output", CostKind.LLM_OUTPUT_TOKEN),
    ("cache_read", CostKind.LLM_CACHE_READ_TOKEN),
    ("cache_write", CostKind.LLM_CACHE_WRITE_TOKEN),
)


# --- price book --------------------------------------------------------------------------


def _price_day(at: datetime | date) -> date:
    """The UTC calendar day of `at`: price rows are dated, ledger times are UTC."""
    if isinstance(at, datetime):
        if at.tzinfo is not None:
            at = at.astimezone(UTC)
        return at.date()
    return at


def _entry_in_force(*, provider: str, kind: str, sku: str, day: date) -> PriceEntry | None:
    return (
        PriceEntry.objects.filter(provider=provider, kind=kind, sku=sku, valid_from__lte=day)
        .order_by("-valid_from")
        .first()
    )


def price_lookup(*, provider: str, kind: str, sku: str, at: datetime | date) -> PriceEntry | None:
    """The price book entry in force at `at`: the latest `valid_from` not after that (UTC) day.

    For skus of the form `"<category>:<country>"` (`"marketing:DE"`, `"sms:US"`) with no entry
    for the country, the market-wide `"<category>:*"` entry is used. None when neither exists.
    """
    day = _price_day(at)
    entry = _entry_in_force(provider=provider, kind=kind, sku=sku, day=day)
    if entry is not None:
        return entry
    prefix, sep, country = sku.rpartition(":")
    if sep and prefix and country != ANY_COUNTRY:
        return _entry_in_force(provider=provider, kind=kind, sku=f"{prefix}:{ANY_COUNTRY}", day=day)
    return None


# --- input checks ------------------------------------------------------------------------


def _decimal(value: object, *, field: str) -> Decimal:
    """A finite Decimal from a Decimal, int or decimal string. Floats are refused."""
    if isinstance(value, bool):
        raise TypeError(f"{field}: expected a Decimal, int or decimal string, got a bool")
    if isinstance(value, float):
        raise TypeError(f"{field}: money and quantities must not be floats; pass a Decimal")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, str):
        try:
            result = Decimal(value.strip())
        except InvalidOperation:
            raise ValueError(f"{field}: {value!r} is not a decimal number") from None
    else:
        raise TypeError(f"{field}: expected a Decimal, int or decimal string, got {type(value)}")
    if not result.is_finite():
        raise ValueError(f"{field}: {value!r} is not a finite number")
    return result


def _count(value: object, *, field: str) -> int:
    """A whole, non-negative count (tokens, segments)."""
    if isinstance(value, float):
        raise TypeError(f"{field}: counts must not be floats")
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{field}: expected an int, got {type(value).__name__}")
    if value < 0:
        raise ValueError(f"{field}: must not be negative, got {value}")
    return value


def _join_notes(*notes: str) -> str:
    text = "; ".join(note for note in notes if note)
    return text if len(text) <= _NOTE_MAX else text[: _NOTE_MAX - 1] + "…"


def _check_common(*, source_key: str, occurred_at: datetime, provider: str, kind: str, sku: str):
    if not source_key or len(source_key) > _SOURCE_KEY_MAX:
        raise ValueError(f"source_key: must be 1 to {_SOURCE_KEY_MAX} characters")
    if not isinstance(occurred_at, datetime) or occurred_at.tzinfo is None:
        raise ValueError("occurred_at: must be a timezone-aware datetime")
    if provider not in Provider.values:
        raise ValueError(f"provider: unknown provider {provider!r}")
    if kind not in CostKind.values:
        raise ValueError(f"kind: unknown cost kind {kind!r}")
    if not sku or len(sku) > _SKU_MAX:
        raise ValueError(f"sku: must be 1 to {_SKU_MAX} characters")


# --- the ledger ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Charge:
    unit_price: Decimal
    per_quantity: int
    amount: Decimal
    currency: str
    priced: bool
    note: str


def _write_once(
    *,
    source_key: str,
    occurred_at: datetime,
    provider: str,
    kind: str,
    sku: str,
    quantity: Decimal,
    charge: _Charge,
    conversation_id: int | None,
    message_id: int | None,
    channel_kind: str,
    tier: str,
) -> tuple[CostEntry, bool]:
    """Insert the row unless `source_key` is already in the ledger.

    The insert runs in its own savepoint so that losing a race (IntegrityError on the unique
    `source_key`) leaves the caller's transaction usable; the winner's row is returned.
    """
    existing = CostEntry.objects.filter(source_key=source_key).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            entry = CostEntry.objects.create(
                source_key=source_key,
                occurred_at=occurred_at,
                provider=provider,
                kind=kind,
                sku=sku,
                quantity=quantity,
                unit_price=charge.unit_price,
                per_quantity=charge.per_quantity,
                amount=charge.amount,
                currency=charge.currency,
                priced=charge.priced,
                conversation_id=conversation_id,
                message_id=message_id,
                channel_kind=channel_kind,
                tier=tier,
                note=charge.note,
            )
    except IntegrityError:
        existing = CostEntry.objects.filter(source_key=source_key).first()
        if existing is None:  # the conflict was not on source_key: a real error
            raise
        return existing, False
    if not entry.priced:
        logger.warning("cost ledger: %s (%s)", entry.note, source_key)
    return entry, True


def cost_record(
    *,
    source_key: str,
    occurred_at: datetime,
    provider: str,
    kind: str,
    sku: str,
    quantity: Decimal | int,
    conversation_id: int | None = None,
    message_id: int | None = None,
    channel_kind: str = "",
    tier: str = "",
    reported_amount: Decimal | str | None = None,
    currency: str = "USD",
    note: str = "",
) -> tuple[CostEntry, bool]:
    """Record one cost, once. Returns `(row, created)`; `created` is False when `source_key`
    was already recorded (the existing row is returned unchanged, even under concurrency).

    The amount is the provider's reported charge when given (`reported_amount`, in `currency`;
    Twilio reports charges negative, "-0.00790", which is a cost of 0.00790), otherwise
    `quantity × price / per_quantity` from the price book entry in force at `occurred_at`,
    at ledger precision. With neither, the row is written with `priced=False`, amount 0 and a
    note naming the missing price, so owners see it.

    Preconditions: `occurred_at` is timezone-aware; quantity and amounts are Decimal, int or
    decimal strings; floats raise TypeError.
    """
    _check_common(
        source_key=source_key, occurred_at=occurred_at, provider=provider, kind=kind, sku=sku
    )
    quantity_value = _decimal(quantity, field="quantity")
    if quantity_value < 0:
        raise ValueError(f"quantity: must not be negative, got {quantity_value}")
    quantity_value = quantity_value.quantize(QUANTITY_PLACES)
    reported = (
        None
        if reported_amount is None or (isinstance(reported_amount, str) and not reported_amount)
        else _decimal(reported_amount, field="reported_amount")
    )

    if reported is not None:
        amount = to_money(abs(reported))
        unit_price = to_money(amount / quantity_value) if quantity_value else amount
        charge = _Charge(
            unit_price=unit_price,
            per_quantity=1,
            amount=amount,
            currency=currency.upper(),
            priced=True,
            note=_join_notes(note, "price reported by provider"),
        )
    else:
        entry = price_lookup(provider=provider, kind=kind, sku=sku, at=occurred_at)
        if entry is None:
            charge = _Charge(
                unit_price=Decimal("0"),
                per_quantity=1,
                amount=Decimal("0"),
                currency=currency.upper(),
                priced=False,
                note=_join_notes(
                    f"no price for {provider} {kind} {sku} on {_price_day(occurred_at)}", note
                ),
            )
        else:
            with localcontext() as context:
                context.prec = 50  # exact until the one rounding to ledger precision
                amount = to_money(quantity_value * entry.price / entry.per_quantity)
            charge = _Charge(
                unit_price=entry.price,
                per_quantity=entry.per_quantity,
                amount=amount,
                currency=entry.currency,
                priced=True,
                note=_join_notes(
                    note, "" if entry.sku == sku else f"priced as {entry.sku} (no {sku} price)"
                ),
            )

    return _write_once(
        source_key=source_key,
        occurred_at=occurred_at,
        provider=provider,
        kind=kind,
        sku=sku,
        quantity=quantity_value,
        charge=charge,
        conversation_id=conversation_id,
        message_id=message_id,
        channel_kind=channel_kind,
        tier=tier,
    )


def cost_record_free(
    *,
    source_key: str,
    occurred_at: datetime,
    provider: str = Provider.TELEGRAM,
    kind: str = CostKind.MESSAGE,
    sku: str = "message",
    quantity: Decimal | int = 1,
    conversation_id: int | None = None,
    message_id: int | None = None,
    channel_kind: str | None = None,
    tier: str = "",
    note: str = "free",
) -> tuple[CostEntry, bool]:
    """Record something that costs nothing (a Telegram message) as a priced row of 0, so the
    ledger still counts it and it is never mistaken for an unpriced cost."""
    _check_common(
        source_key=source_key, occurred_at=occurred_at, provider=provider, kind=kind, sku=sku
    )
    quantity_value = _decimal(quantity, field="quantity")
    if quantity_value < 0:
        raise ValueError(f"quantity: must not be negative, got {quantity_value}")
    return _write_once(
        source_key=source_key,
        occurred_at=occurred_at,
        provider=provider,
        kind=kind,
        sku=sku,
        quantity=quantity_value.quantize(QUANTITY_PLACES),
        charge=_Charge(
            unit_price=Decimal("0"),
            per_quantity=1,
            amount=Decimal("0"),
            currency="USD",
            priced=True,
            note=_join_notes(note or "free"),
        ),
        conversation_id=conversation_id,
        message_id=message_id,
        channel_kind=provider if channel_kind is None else channel_kind,
        tier=tier,
    )


def cost_record_llm_call(
    *,
    source_key: str,
    occurred_at: datetime,
    provider: str,
    model: str,
    input_tokens: int,
    output_tokens: int,
    cache_read_tokens: int = 0,
    cache_write_tokens: int = 0,
    conversation_id: int | None,
    message_id: int | None = None,
    tier: str,
    channel_kind: str = "",
) -> list[tuple[CostEntry, bool]]:
    """Record one LLM call: one row per token kind with a count above 0, keyed
    `<source_key>:input`, `:output`, `:cache_read`, `:cache_write`, priced by the model's
    price book rows (sku = model id; a `"<provider>/"` prefix is dropped).

    Precondition: the counts are disjoint, as Anthropic reports them: `input_tokens` are the
    uncached prompt tokens only. For OpenAI-shaped usage (Groq) pass
    `prompt_tokens - cached_tokens` as input and `cached_tokens` as cache reads.
    """
    counts = {
        "input": _count(input_tokens, field="input_tokens"),
        "output": _count(output_tokens, field="output_tokens"),
        "cache_read": _count(cache_read_tokens, field="cache_read_tokens"),
        "cache_write": _count(cache_write_tokens, field="cache_write_tokens"),
    }
    sku = model.removeprefix(f"{provider}/")
    results: list[tuple[CostEntry, bool]] = []
    with transaction.atomic():
        for token_kind, ledger_kind in _LLM_TOKEN_KINDS:
            if counts[token_kind] == 0:
                continue
            results.append(
                cost_record(
                    source_key=f"{source_key}:{token_kind}",
                    occurred_at=occurred_at,
                    provider=provider,
                    kind=ledger_kind,
                    sku=sku,
                    quantity=counts[token_kind],
                    conversation_id=conversation_id,
                    message_id=message_id,
                    channel_kind=channel_kind,
                    tier=tier,
                )
            )
    return results


def phone_country(phone: str) -> str:
    """ISO region code ("DE") of an E.164 number; WhatsApp's digits-only `recipient_id` and
    `whatsapp:+…` addresses are accepted. "ZZ" when the number has no known region."""
    digits = phone.strip().removeprefix("whatsapp:").strip()
    if not digits.startswith("+"):
        digits = f"+{digits}"
    try:
        number = phonenumbers.parse(digits, None)
    except phonenumbers.NumberParseException:
        return UNKNOWN_COUNTRY
    return phonenumbers.region_code_for_number(number) or UNKNOWN_COUNTRY


def cost_record_whatsapp_message(
    *,
    source_key: str,
    occurred_at: datetime,
    pricing: dict,
    recipient_phone: str,
    conversation_id: int | None,
    message_id: int | None,
    provider: str = Provider.WHATSAPP,
    channel_kind: str = "whatsapp_cloud",
) -> tuple[CostEntry, bool]:
    """Record a delivered WhatsApp message from the `pricing` object of its status webhook.

    `source_key` names the message (e.g. `"whatsapp:<wamid>"`), not the status: sent, delivered
    and read each carry `pricing`, and the message is charged once. The sku is
    `"<category>:<country of recipient_phone>"` (price book falls back to `"<category>:*"`).
    `pricing.type` free_customer_service / free_entry_point is a priced row of 0 with a note;
    `billable: false` counts as free only when `type` is absent (pre-PMP payloads), since
    `billable` is deprecated. No category, or no price, is an unpriced row.
    """
    country = phone_country(recipient_phone)
    category = str(pricing.get("category") or "").strip().lower() or "unknown"
    sku = f"{category}:{country}"
    pricing_type = str(pricing.get("type") or "").strip().lower()
    model = str(pricing.get("pricing_model") or "")
    label = ", ".join(part for part in (model, pricing_type) if part)
    is_free = pricing_type in WHATSAPP_FREE_TYPES or (
        not pricing_type and pricing.get("billable") is False
    )
    if is_free:
        return cost_record_free(
            source_key=source_key,
            occurred_at=occurred_at,
            provider=provider,
            kind=CostKind.MESSAGE,
            sku=sku,
            conversation_id=conversation_id,
            message_id=message_id,
            channel_kind=channel_kind,
            note=f"free ({pricing_type or 'billable: false'})",
        )
    return cost_record(
        source_key=source_key,
        occurred_at=occurred_at,
        provider=provider,
        kind=CostKind.MESSAGE,
        sku=sku,
        quantity=1,
        conversation_id=conversation_id,
        message_id=message_id,
        channel_kind=channel_kind,
        note=f"pricing {label}" if label else "",
    )


def cost_record_sms(
    *,
    source_key: str,
    occurred_at: datetime,
    segments: int,
    recipient_phone: str,
    reported_price: str | None,
    conversation_id: int | None,
    message_id: int | None,
    price_unit: str = "USD",
    channel_kind: str = "twilio_sms",
) -> tuple[CostEntry, bool]:
    """Record an SMS sent through Twilio: the reported `price` ("-0.00790", in `price_unit`)
    when known, else the price book's `"sms:<country>"` per segment × `segments`."""
    segment_count = _count(segments, field="segments")
    if segment_count == 0 and not reported_price:
        raise ValueError("segments: must be at least 1 when no price is reported")
    return cost_record(
        source_key=source_key,
        occurred_at=occurred_at,
        provider=Provider.TWILIO,
        kind=CostKind.SMS_SEGMENT,
        sku=f"sms:{phone_country(recipient_phone)}",
        quantity=segment_count,
        conversation_id=conversation_id,
        message_id=message_id,
        channel_kind=channel_kind,
        reported_amount=reported_price or None,
        currency=price_unit,
    )


def cost_record_voice_call(
    *,
    source_key: str,
    occurred_at: datetime,
    minutes: Decimal,
    recipient_phone: str,
    reported_price: str | None,
    conversation_id: int | None,
    message_id: int | None,
    price_unit: str = "USD",
    channel_kind: str = "twilio_voice",
) -> tuple[CostEntry, bool]:
    """Record a voice call through Twilio: the reported `price` when known, else the price
    book's `"voice:<country>"` per minute × `minutes` (the billed minutes: Twilio rounds each
    call up to a whole minute; the caller passes what it was billed for)."""
    minute_count = _decimal(minutes, field="minutes")
    return cost_record(
        source_key=source_key,
        occurred_at=occurred_at,
        provider=Provider.TWILIO,
        kind=CostKind.VOICE_MINUTE,
        sku=f"voice:{phone_country(recipient_phone)}",
        quantity=minute_count,
        conversation_id=conversation_id,
        message_id=message_id,
        channel_kind=channel_kind,
        reported_amount=reported_price or None,
        currency=price_unit,
    )
