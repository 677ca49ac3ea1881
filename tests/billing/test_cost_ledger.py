"""The cost ledger: every LLM call and priced message costed exactly once, in Decimal.

Each test builds the price book it prices against (the seeded book is cleared first), so every
expected amount below is worked out by hand from the rows in the test.
"""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.db import transaction

from billing.models import Budget, BudgetAction, CostEntry, CostKind, PriceEntry
from billing.selectors import budget_month_spend, budget_status, cost_totals, unpriced_count
from billing.services import (
    cost_record,
    cost_record_free,
    cost_record_llm_call,
    cost_record_sms,
    cost_record_voice_call,
    cost_record_whatsapp_message,
    phone_country,
    price_lookup,
)

AUG_15 = datetime(2026, 8, 15, 12, 0, tzinfo=UTC)
GERMAN_PHONE = "+4915112345678"
FRENCH_PHONE = "+33612345678"
US_PHONE = "+14155550123"


def price(provider, kind, sku, amount, *, per=1, valid_from="2026-08-01", unit="message"):
    return PriceEntry.objects.create(
        provider=provider,
        kind=kind,
        sku=sku,
        unit=unit,
        per_quantity=per,
        price=Decimal(amount),
        valid_from=date.fromisoformat(valid_from),
    )


def token_price(provider, kind, model, per_million, **kwargs):
    return price(provider, kind, model, per_million, per=1_000_000, unit="token", **kwargs)


@pytest.fixture
def price_book(db):
    """A small price book, instead of the seeded one, for hand-checked sums."""
    PriceEntry.objects.all().delete()
    token_price("groq", CostKind.LLM_INPUT_TOKEN, "llama-3.1-8b-instant", "0.05")
    token_price("groq", CostKind.LLM_OUTPUT_TOKEN, "llama-3.1-8b-instant", "0.08")
    token_price("anthropic", CostKind.LLM_INPUT_TOKEN, "claude-haiku-4-5", "1.00")
    token_price("anthropic", CostKind.LLM_OUTPUT_TOKEN, "claude-haiku-4-5", "5.00")
    token_price("anthropic", CostKind.LLM_CACHE_READ_TOKEN, "claude-haiku-4-5", "0.10")
    token_price("anthropic", CostKind.LLM_CACHE_WRITE_TOKEN, "claude-haiku-4-5", "1.25")
    price("whatsapp", CostKind.MESSAGE, "marketing:DE", "0.1131")
    price("whatsapp", CostKind.MESSAGE, "marketing:*", "0.0500")
    price("whatsapp", CostKind.MESSAGE, "utility:DE", "0.0456")
    price("twilio", CostKind.SMS_SEGMENT, "sms:US", "0.0079", unit="segment")
    price("twilio", CostKind.VOICE_MINUTE, "voice:DE", "0.0400", unit="minute")
    return PriceEntry.objects.all()


def only_row() -> CostEntry:
    (row,) = CostEntry.objects.all()
    return row


# --- LLM calls --------------------------------------------------------------------------------


def test_llm_call_costs_exactly_its_tokens_at_the_book_price(price_book):
    rows = cost_record_llm_call(
        source_key="llm:41",
        occurred_at=AUG_15,
        provider="groq",
        model="llama-3.1-8b-instant",
        input_tokens=1234,
        output_tokens=567,
        conversation_id=7,
        message_id=70,
        tier="fast",
    )

    by_key = {row.source_key: row for row, created in rows}
    assert set(by_key) == {"llm:41:input", "llm:41:output"}  # no rows for 0 cache tokens
    # 1,234 × 0.05 / 1M and 567 × 0.08 / 1M
    assert by_key["llm:41:input"].amount == Decimal("0.00006170")
    assert by_key["llm:41:input"].kind == CostKind.LLM_INPUT_TOKEN
    assert by_key["llm:41:output"].amount == Decimal("0.00004536")
    assert by_key["llm:41:output"].kind == CostKind.LLM_OUTPUT_TOKEN
    total = sum(row.amount for row in CostEntry.objects.all())
    assert total == Decimal("0.00010706")
    for row in CostEntry.objects.all():
        assert row.priced
        assert (row.conversation_id, row.message_id, row.tier) == (7, 70, "fast")
        assert isinstance(row.amount, Decimal)


def test_llm_call_with_cache_tokens_prices_each_kind(price_book):
    cost_record_llm_call(
        source_key="llm:42",
        occurred_at=AUG_15,
        provider="anthropic",
        model="anthropic/claude-haiku-4-5",  # a provider prefix is dropped
        input_tokens=2000,
        output_tokens=300,
        cache_read_tokens=10_000,
        cache_write_tokens=4096,
        conversation_id=7,
        tier="strong",
    )

    amounts = dict(CostEntry.objects.values_list("source_key", "amount"))
    assert amounts == {
        "llm:42:input": Decimal("0.00200000"),  # 2,000 × 1.00 / 1M
        "llm:42:output": Decimal("0.00150000"),  # 300 × 5.00 / 1M
        "llm:42:cache_read": Decimal("0.00100000"),  # 10,000 × 0.10 / 1M
        "llm:42:cache_write": Decimal("0.00512000"),  # 4,096 × 1.25 / 1M
    }
    assert set(CostEntry.objects.values_list("sku", flat=True)) == {"claude-haiku-4-5"}
    assert sum(amounts.values()) == Decimal("0.00962")


def test_llm_tokens_without_a_price_are_flagged_not_zeroed(price_book):
    cost_record_llm_call(
        source_key="llm:43",
        occurred_at=AUG_15,
        provider="groq",
        model="llama-3.1-8b-instant",
        input_tokens=1000,
        output_tokens=10,
        cache_read_tokens=500,  # the book has no cache-read price for this model
        conversation_id=None,
        tier="fast",
    )

    cache_row = CostEntry.objects.get(source_key="llm:43:cache_read")
    assert cache_row.priced is False
    assert cache_row.amount == Decimal("0")
    assert "no price for groq llm_cache_read_token llama-3.1-8b-instant" in cache_row.note
    assert CostEntry.objects.filter(priced=True).count() == 2
    assert unpriced_count(start=datetime(2026, 8, 1, tzinfo=UTC), end=AUG_15.replace(day=16)) == 1


def test_an_unknown_model_is_unpriced(price_book):
    rows = cost_record_llm_call(
        source_key="llm:44",
        occurred_at=AUG_15,
        provider="groq",
        model="brand-new-model",
        input_tokens=10,
        output_tokens=10,
        conversation_id=1,
        tier="fast",
    )

    assert [row.priced for row, _ in rows] == [False, False]


# --- the price in force -----------------------------------------------------------------------


def test_the_price_in_force_is_the_latest_one_not_after_the_day(price_book):
    token_price(
        "groq", CostKind.LLM_INPUT_TOKEN, "llama-3.1-8b-instant", "0.10", valid_from="2026-09-01"
    )
    kind, model = CostKind.LLM_INPUT_TOKEN, "llama-3.1-8b-instant"

    def price_at(moment):
        entry = price_lookup(provider="groq", kind=kind, sku=model, at=moment)
        return entry and entry.price

    assert price_at(datetime(2026, 7, 31, 23, 59, tzinfo=UTC)) is None
    assert price_at(datetime(2026, 8, 1, 0, 0, tzinfo=UTC)) == Decimal("0.05")
    assert price_at(datetime(2026, 8, 31, 23, 59, 59, tzinfo=UTC)) == Decimal("0.05")
    assert price_at(datetime(2026, 9, 1, 0, 0, tzinfo=UTC)) == Decimal("0.10")
    assert price_at(date(2027, 1, 1)) == Decimal("0.10")

    for key, moment in (("aug", AUG_15), ("sep", datetime(2026, 9, 2, tzinfo=UTC))):
        cost_record(
            source_key=key,
            occurred_at=moment,
            provider="groq",
            kind=kind,
            sku=model,
            quantity=1_000_000,
        )
    amounts = dict(CostEntry.objects.values_list("source_key", "amount"))
    assert amounts == {"aug": Decimal("0.05"), "sep": Decimal("0.10")}


def test_a_cost_before_any_price_is_unpriced_with_a_note(price_book):
    row, created = cost_record(
        source_key="early",
        occurred_at=datetime(2026, 7, 1, tzinfo=UTC),
        provider="groq",
        kind=CostKind.LLM_INPUT_TOKEN,
        sku="llama-3.1-8b-instant",
        quantity=100,
    )

    assert created
    assert row.priced is False
    assert row.amount == Decimal("0")
    assert row.note == "no price for groq llm_input_token llama-3.1-8b-instant on 2026-07-01"


def test_a_country_without_its_own_price_falls_back_to_the_market_wide_one(price_book):
    german = price_lookup(provider="whatsapp", kind="message", sku="marketing:DE", at=AUG_15)
    french = price_lookup(provider="whatsapp", kind="message", sku="marketing:FR", at=AUG_15)
    no_fallback = price_lookup(provider="whatsapp", kind="message", sku="utility:FR", at=AUG_15)

    assert german.price == Decimal("0.1131")
    assert french.sku == "marketing:*"
    assert french.price == Decimal("0.0500")
    assert no_fallback is None


# --- WhatsApp ---------------------------------------------------------------------------------


def whatsapp(pricing: dict, *, phone: str = GERMAN_PHONE, key: str = "whatsapp:wamid.1"):
    return cost_record_whatsapp_message(
        source_key=key,
        occurred_at=AUG_15,
        pricing=pricing,
        recipient_phone=phone,
        conversation_id=5,
        message_id=50,
    )


def test_whatsapp_template_is_priced_by_category_and_recipient_country(price_book):
    row, created = whatsapp(
        {"billable": True, "pricing_model": "PMP", "category": "marketing", "type": "regular"}
    )

    assert created
    assert (row.sku, row.amount, row.priced) == ("marketing:DE", Decimal("0.1131"), True)
    assert (row.provider, row.kind, row.channel_kind) == ("whatsapp", "message", "whatsapp_cloud")
    assert (row.conversation_id, row.message_id) == (5, 50)


def test_whatsapp_country_fallback_is_priced_and_says_so(price_book):
    row, _ = whatsapp(
        {"pricing_model": "PMP", "category": "marketing", "type": "regular"}, phone="33612345678"
    )

    assert (row.sku, row.amount, row.priced) == ("marketing:FR", Decimal("0.0500"), True)
    assert "priced as marketing:*" in row.note


def test_whatsapp_status_redeliveries_charge_the_message_once(price_book):
    pricing = {"pricing_model": "PMP", "category": "utility", "type": "regular"}
    for _status in ("sent", "delivered", "read", "delivered"):
        whatsapp(pricing, key="whatsapp:wamid.ONCE")

    assert CostEntry.objects.count() == 1
    assert only_row().amount == Decimal("0.0456")


def test_free_whatsapp_service_reply_is_priced_zero_with_a_note(price_book):
    row, _ = whatsapp(
        {
            "billable": False,
            "pricing_model": "PMP",
            "category": "service",
            "type": "free_customer_service",
        }
    )

    assert row.priced is True  # free is a known price, not an unknown one
    assert row.amount == Decimal("0")
    assert "free" in row.note and "free_customer_service" in row.note
    assert unpriced_count(start=AUG_15.replace(day=1), end=AUG_15.replace(day=31)) == 0


def test_free_entry_point_and_old_billable_false_payloads_are_free(price_book):
    entry_point, _ = whatsapp(
        {"pricing_model": "PMP", "category": "marketing", "type": "free_entry_point"}, key="a"
    )
    legacy, _ = whatsapp(
        {"billable": False, "pricing_model": "CBP", "category": "service"}, key="b"
    )

    assert (entry_point.priced, entry_point.amount) == (True, Decimal("0"))
    assert "free_entry_point" in entry_point.note
    assert (legacy.priced, legacy.amount) == (True, Decimal("0"))


def test_unknown_whatsapp_category_is_flagged_unpriced(price_book):
    row, _ = whatsapp({"pricing_model": "PMP", "category": "marketing_lite", "type": "regular"})
    missing, _ = whatsapp({"pricing_model": "PMP"}, key="no-category")

    assert (row.priced, row.amount) == (False, Decimal("0"))
    assert "no price for whatsapp message marketing_lite:DE" in row.note
    assert missing.priced is False
    assert missing.sku == "unknown:DE"


def test_recipient_country_comes_from_the_phone_number():
    assert phone_country("+4915112345678") == "DE"
    assert phone_country("4915112345678") == "DE"  # WhatsApp's recipient_id has no "+"
    assert phone_country("whatsapp:+5511987654321") == "BR"
    assert phone_country("+14155550123") == "US"
    assert phone_country("not a number") == "ZZ"


# --- Twilio SMS and voice, Telegram -----------------------------------------------------------


def test_twilio_negative_reported_price_is_stored_as_a_positive_charge(price_book):
    row, _ = cost_record_sms(
        source_key="twilio:SM1",
        occurred_at=AUG_15,
        segments=2,
        recipient_phone=US_PHONE,
        reported_price="-0.01580",
        conversation_id=3,
        message_id=30,
    )

    assert row.amount == Decimal("0.01580")
    assert row.priced is True
    assert row.unit_price == Decimal("0.00790")  # per segment
    assert (row.provider, row.kind, row.sku, row.quantity) == ("twilio", "sms_segment", "sms:US", 2)
    assert "reported by provider" in row.note


def test_sms_without_a_reported_price_uses_the_book_per_segment(price_book):
    row, _ = cost_record_sms(
        source_key="twilio:SM2",
        occurred_at=AUG_15,
        segments=3,
        recipient_phone=US_PHONE,
        reported_price=None,
        conversation_id=3,
        message_id=31,
    )
    unknown, _ = cost_record_sms(
        source_key="twilio:SM3",
        occurred_at=AUG_15,
        segments=1,
        recipient_phone=GERMAN_PHONE,
        reported_price=None,
        conversation_id=3,
        message_id=32,
    )

    assert (row.amount, row.priced, row.channel_kind) == (Decimal("0.0237"), True, "twilio_sms")
    assert (unknown.amount, unknown.priced) == (Decimal("0"), False)
    assert "no price for twilio sms_segment sms:DE" in unknown.note


def test_voice_call_is_priced_by_the_minute(price_book):
    booked, _ = cost_record_voice_call(
        source_key="twilio:CA1",
        occurred_at=AUG_15,
        minutes=Decimal("3"),
        recipient_phone=GERMAN_PHONE,
        reported_price=None,
        conversation_id=3,
        message_id=33,
    )
    reported, _ = cost_record_voice_call(
        source_key="twilio:CA2",
        occurred_at=AUG_15,
        minutes=Decimal("2"),
        recipient_phone=GERMAN_PHONE,
        reported_price="-0.0260",
        conversation_id=3,
        message_id=34,
    )

    assert (booked.kind, booked.sku, booked.amount) == ("voice_minute", "voice:DE", Decimal("0.12"))
    assert reported.amount == Decimal("0.026")


def test_telegram_messages_are_free_but_counted(price_book):
    row, created = cost_record_free(
        source_key="telegram:99", occurred_at=AUG_15, conversation_id=8, message_id=80
    )

    assert created
    assert (row.provider, row.channel_kind, row.amount, row.priced) == (
        "telegram",
        "telegram",
        Decimal("0"),
        True,
    )
    assert row.note == "free"


# --- once, and only in Decimal ----------------------------------------------------------------


def test_the_same_source_key_twice_is_one_row_and_keeps_the_first_price(price_book):
    def record():
        return cost_record(
            source_key="deliver:12",
            occurred_at=AUG_15,
            provider="whatsapp",
            kind=CostKind.MESSAGE,
            sku="utility:DE",
            quantity=1,
        )

    first, first_created = record()
    PriceEntry.objects.filter(sku="utility:DE").update(price=Decimal("9.99"))
    again, again_created = record()

    assert (first_created, again_created) == (True, False)
    assert again.pk == first.pk
    assert again.amount == Decimal("0.0456")
    assert CostEntry.objects.count() == 1


def test_a_repeat_inside_the_callers_transaction_leaves_it_usable(price_book):
    with transaction.atomic():
        cost_record_free(source_key="telegram:1", occurred_at=AUG_15)
        _, created = cost_record_free(source_key="telegram:1", occurred_at=AUG_15)
        cost_record_free(source_key="telegram:2", occurred_at=AUG_15)

    assert created is False
    assert CostEntry.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_ten_workers_recording_the_same_cost_at_once_write_one_row():
    # a transactional test may or may not find the seeded book: make the row it prices with
    PriceEntry.objects.all().delete()
    token_price("groq", CostKind.LLM_INPUT_TOKEN, "llama-3.1-8b-instant", "0.05")
    start = threading.Barrier(10)
    results: list[tuple[int, bool]] = []
    errors: list[BaseException] = []

    def worker() -> None:
        from django.db import connection

        try:
            start.wait()
            row, created = cost_record(
                source_key="llm:race:input",
                occurred_at=AUG_15,
                provider="groq",
                kind=CostKind.LLM_INPUT_TOKEN,
                sku="llama-3.1-8b-instant",
                quantity=1234,
            )
            results.append((row.pk, created))
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert CostEntry.objects.count() == 1
    assert len(results) == 10
    assert len({pk for pk, _ in results}) == 1
    assert sum(created for _, created in results) == 1
    assert only_row().amount == Decimal("0.00006170")


@pytest.mark.parametrize(
    "bad",
    [
        {"quantity": 0.5},
        {"quantity": 1, "reported_amount": 0.0079},
    ],
)
def test_floats_are_refused(price_book, bad):
    with pytest.raises(TypeError, match="float"):
        cost_record(
            source_key="float",
            occurred_at=AUG_15,
            provider="twilio",
            kind=CostKind.SMS_SEGMENT,
            sku="sms:US",
            **bad,
        )
    assert not CostEntry.objects.exists()


def test_floats_are_refused_by_the_wrappers(price_book):
    with pytest.raises(TypeError, match="float"):
        cost_record_voice_call(
            source_key="v",
            occurred_at=AUG_15,
            minutes=1.5,
            recipient_phone=GERMAN_PHONE,
            reported_price=None,
            conversation_id=1,
            message_id=1,
        )
    with pytest.raises(TypeError, match="float"):
        cost_record_llm_call(
            source_key="l",
            occurred_at=AUG_15,
            provider="groq",
            model="llama-3.1-8b-instant",
            input_tokens=12.0,
            output_tokens=1,
            conversation_id=1,
            tier="fast",
        )
    assert not CostEntry.objects.exists()


def test_bad_input_is_refused_with_the_field_named(price_book):
    common = {"source_key": "k", "provider": "groq", "kind": CostKind.LLM_INPUT_TOKEN, "sku": "m"}
    with pytest.raises(ValueError, match="occurred_at"):
        cost_record(occurred_at=datetime(2026, 8, 15), quantity=1, **common)
    with pytest.raises(ValueError, match="quantity"):
        cost_record(occurred_at=AUG_15, quantity=-1, **common)
    with pytest.raises(ValueError, match="reported_amount"):
        cost_record(occurred_at=AUG_15, quantity=1, reported_amount="n/a", **common)
    with pytest.raises(ValueError, match="provider"):
        cost_record(occurred_at=AUG_15, quantity=1, **{**common, "provider": "openai"})
    assert not CostEntry.objects.exists()


# --- budgets ----------------------------------------------------------------------------------


def spend(key: str, amount: str, at: datetime = AUG_15, **labels) -> None:
    cost_record(
        source_key=key,
        occurred_at=at,
        provider=labels.pop("provider", "twilio"),
        kind=labels.pop("kind", CostKind.SMS_SEGMENT),
        sku=labels.pop("sku", "sms:US"),
        quantity=1,
        reported_amount=amount,
        **labels,
    )


@pytest.fixture
def budget(db):
    Budget.objects.all().delete()
    return Budget.objects.create(
        monthly_limit=Decimal("100.00"),
        soft_alert_percent=80,
        action_when_exceeded=BudgetAction.FAST_TIER_ONLY,
    )


@pytest.mark.parametrize(
    ("spent", "percent", "soft_alert", "exceeded", "action"),
    [
        ("79.00", Decimal("79.00"), False, False, None),
        ("79.999", Decimal("80.00"), False, False, None),  # shown rounded, compared exactly
        ("80.00", Decimal("80.00"), True, False, None),
        ("101.00", Decimal("101.00"), True, True, BudgetAction.FAST_TIER_ONLY),
    ],
)
def test_budget_status_through_the_month(budget, spent, percent, soft_alert, exceeded, action):
    spend("this-month", spent)
    spend("last-month", "500.00", at=datetime(2026, 7, 31, 23, 0, tzinfo=UTC))
    spend("next-month", "500.00", at=datetime(2026, 9, 1, 0, 0, tzinfo=UTC))

    status = budget_status(at=AUG_15)

    assert status["spent"] == Decimal(spent)
    assert status["limit"] == Decimal("100.00")
    assert status["percent"] == percent
    assert status["soft_alert"] is soft_alert
    assert status["exceeded"] is exceeded
    assert status["action"] == action


def test_without_an_enabled_budget_nothing_is_exceeded(budget):
    budget.enabled = False
    budget.save()
    spend("big", "1000.00")

    status = budget_status(at=AUG_15)

    assert status["spent"] == Decimal("1000.00")
    assert (status["limit"], status["exceeded"], status["action"]) == (None, False, None)


def test_budget_month_follows_the_business_time_zone(db, settings):
    settings.TIME_ZONE = "Europe/Berlin"
    PriceEntry.objects.all().delete()
    # 23:30 UTC on 31 August is 01:30 on 1 September in Berlin
    spend("late-aug-utc", "1.50", at=datetime(2026, 8, 31, 23, 30, tzinfo=UTC))
    spend("mid-aug", "2.25")

    assert budget_month_spend(month=date(2026, 8, 1)) == Decimal("2.25")
    assert budget_month_spend(month=date(2026, 9, 20)) == Decimal("1.50")


# --- totals -----------------------------------------------------------------------------------


def test_cost_totals_are_summed_by_the_database_per_group(price_book, django_assert_num_queries):
    day1 = datetime(2026, 8, 14, 9, 0, tzinfo=UTC)
    day2 = datetime(2026, 8, 15, 18, 0, tzinfo=UTC)
    spend(
        "a",
        "0.00010706",
        day1,
        provider="groq",
        kind=CostKind.LLM_INPUT_TOKEN,
        sku="m",
        tier="fast",
    )
    spend(
        "b",
        "0.01500000",
        day2,
        provider="anthropic",
        kind=CostKind.LLM_INPUT_TOKEN,
        sku="m",
        tier="strong",
    )
    spend("c", "0.00790", day1, channel_kind="twilio_sms")
    spend("d", "0.01580", day2, channel_kind="twilio_sms")
    whatsapp({"category": "marketing", "type": "regular"}, key="e")  # 0.1131 on day2
    whatsapp({"category": "marketing_lite", "type": "regular"}, key="f")  # unpriced, day2
    spend("outside", "99", datetime(2026, 8, 16, 0, 0, tzinfo=UTC), provider="groq")
    start, end = datetime(2026, 8, 14, tzinfo=UTC), datetime(2026, 8, 16, tzinfo=UTC)

    with django_assert_num_queries(1):
        by_provider = cost_totals(start=start, end=end, group_by="provider")

    assert by_provider == [
        {
            "provider": "anthropic",
            "currency": "USD",
            "total": Decimal("0.015"),
            "entries": 1,
            "unpriced": 0,
        },
        {
            "provider": "groq",
            "currency": "USD",
            "total": Decimal("0.00010706"),
            "entries": 1,
            "unpriced": 0,
        },
        {
            "provider": "twilio",
            "currency": "USD",
            "total": Decimal("0.0237"),
            "entries": 2,
            "unpriced": 0,
        },
        {
            "provider": "whatsapp",
            "currency": "USD",
            "total": Decimal("0.1131"),
            "entries": 2,
            "unpriced": 1,
        },
    ]
    by_channel = {
        row["channel_kind"]: row["total"]
        for row in cost_totals(start=start, end=end, group_by="channel_kind")
    }
    assert by_channel == {
        "": Decimal("0.01510706"),
        "twilio_sms": Decimal("0.0237"),
        "whatsapp_cloud": Decimal("0.1131"),
    }
    by_tier = {
        row["tier"]: row["total"] for row in cost_totals(start=start, end=end, group_by="tier")
    }
    assert by_tier == {
        "": Decimal("0.1368"),
        "fast": Decimal("0.00010706"),
        "strong": Decimal("0.015"),
    }
    by_day = {row["day"]: row["total"] for row in cost_totals(start=start, end=end, group_by="day")}
    assert by_day == {
        date(2026, 8, 14): Decimal("0.00800706"),
        date(2026, 8, 15): Decimal("0.1439"),
    }
    assert all(
        isinstance(row["total"], Decimal)
        for row in cost_totals(start=start, end=end, group_by="day")
    )
    assert unpriced_count(start=start, end=end) == 1

    with pytest.raises(ValueError, match="group_by"):
        cost_totals(start=start, end=end, group_by="model")
