"""The price book a fresh install starts with, and the rules that keep it usable for costing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from billing.models import PriceEntry
from billing.price_seed import PRICE_SEED

pytestmark = pytest.mark.django_db


def seed_key(row: dict) -> tuple[str, str, str, date]:
    return (row["provider"], row["kind"], row["sku"], date.fromisoformat(row["valid_from"]))


def test_migration_seeded_one_row_per_seed_entry():
    assert PriceEntry.objects.count() == len(PRICE_SEED)
    stored = set(PriceEntry.objects.values_list("provider", "kind", "sku", "valid_from"))
    assert stored == {seed_key(row) for row in PRICE_SEED}


def test_seeded_prices_are_exact_decimals():
    entries = {
        (entry.provider, entry.kind, entry.sku, entry.valid_from): entry
        for entry in PriceEntry.objects.all()
    }
    for row in PRICE_SEED:
        entry = entries[seed_key(row)]
        assert isinstance(entry.price, Decimal)
        # the exact figure of the seed string, not a float's neighbour of it
        assert entry.price == Decimal(row["price"]), row
        assert entry.price.normalize() == Decimal(row["price"]).normalize(), row
        assert entry.per_quantity == row["per_quantity"]
        assert entry.unit == row["unit"]
        assert entry.currency == row["currency"]


def test_small_prices_survive_exactly():
    entry = PriceEntry.objects.get(
        provider="groq", kind="llm_cache_read_token", sku="openai/gpt-oss-20b"
    )

    assert entry.price == Decimal("0.0375")
    # a million tokens at this price is exactly 0.0375, with no float residue
    assert entry.price * 1_000_000 / entry.per_quantity == Decimal("0.0375")


def test_same_sku_on_the_same_day_is_refused():
    existing = PriceEntry.objects.order_by("pk").first()

    with pytest.raises(IntegrityError), transaction.atomic():
        PriceEntry.objects.create(
            provider=existing.provider,
            kind=existing.kind,
            sku=existing.sku,
            valid_from=existing.valid_from,
            price=Decimal("9.99"),
        )

    assert (
        PriceEntry.objects.get(
            provider=existing.provider,
            kind=existing.kind,
            sku=existing.sku,
            valid_from=existing.valid_from,
        ).price
        == existing.price
    )


def test_same_sku_from_a_later_day_is_a_new_price():
    existing = PriceEntry.objects.order_by("pk").first()

    PriceEntry.objects.create(
        provider=existing.provider,
        kind=existing.kind,
        sku=existing.sku,
        valid_from=date(2027, 1, 1),
        price=Decimal("0.06"),
        per_quantity=existing.per_quantity,
    )

    assert PriceEntry.objects.filter(sku=existing.sku, kind=existing.kind).count() == 2


def test_negative_price_is_refused_by_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        PriceEntry.objects.create(
            provider="groq",
            kind="llm_input_token",
            sku="negative-model",
            valid_from=date(2026, 8, 1),
            price=Decimal("-0.01"),
        )

    assert not PriceEntry.objects.filter(sku="negative-model").exists()


def test_negative_price_is_refused_by_validation():
    entry = PriceEntry(
        provider="groq",
        kind="llm_input_token",
        sku="negative-model",
        valid_from=date(2026, 8, 1),
        price=Decimal("-0.01"),
    )

    with pytest.raises(ValidationError) as refused:
        entry.full_clean()

    assert "price" in refused.value.message_dict


def test_zero_price_is_allowed():
    # free WhatsApp service messages are a real price of zero, not a missing one
    free = PriceEntry.objects.get(provider="whatsapp", sku="service:*")

    assert free.price == Decimal("0")
