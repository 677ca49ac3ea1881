"""The price book, the cost ledger and budgets. Money is Decimal throughout.

Cost rows carry plain references (conversation id, message id) and labels (channel, tier) so
that billing never depends on the apps above it.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from sbops.core.money import MONEY_DECIMAL_PLACES, MONEY_MAX_DIGITS


class Provider(models.TextChoices):
    GROQ = "groq", "Groq"
    ANTHROPIC = "anthropic", "Anthropic"
    WHATSAPP = "whatsapp", "WhatsApp (Meta)"
    TWILIO = "twilio", "Twilio"
    TELEGRAM = "telegram", "Telegram"
    EMAIL = "email", "Email"
    SANDBOX = "sandbox", "Sandbox"


class CostKind(models.TextChoices):
    LLM_INPUT_TOKEN = "llm_input_token", "LLM input tokens"
    LLM_OUTPUT_TOKEN = "llm_output_token", "LLM output tokens"
    LLM_CACHE_READ_TOKEN = "llm_cache_read_token", "LLM cache-read tokens"
    LLM_CACHE_WRITE_TOKEN = "llm_cache_write_token", "LLM cache-write tokens"
    TRANSCRIPTION_SECOND = "transcription_second", "Transcription seconds"
    MESSAGE = "message", "Message"
    SMS_SEGMENT = "sms_segment", "SMS segment"
    VOICE_MINUTE = "voice_minute", "Voice minute"


def money_field(**kwargs: object) -> models.DecimalField:
    return models.DecimalField(
        max_digits=MONEY_MAX_DIGITS, decimal_places=MONEY_DECIMAL_PLACES, **kwargs
    )


class PriceEntry(models.Model):
    """A price quoted per `per_quantity` units (e.g. $0.59 per 1,000,000 tokens).

    The entry in force for a sku at a time is the one with the latest `valid_from` not after it.
    """

    provider = models.CharField(max_length=32, choices=Provider.choices)
    kind = models.CharField(max_length=32, choices=CostKind.choices)
    sku = models.CharField(
        max_length=120,
        help_text="Model id, '<category>:<country>' for messages, 'sms:<country>', 'voice:<country>'.",
    )
    unit = models.CharField(max_length=16, default="token")
    per_quantity = models.PositiveIntegerField(default=1)
    price = money_field(validators=[MinValueValidator(Decimal("0"))])
    currency = models.CharField(max_length=3, default="USD")
    valid_from = models.DateField()
    note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "kind", "sku", "valid_from"], name="price_unique_per_day"
            ),
            models.CheckConstraint(condition=models.Q(price__gte=0), name="price_not_negative"),
        ]
        indexes = [
            models.Index(fields=["provider", "kind", "sku", "-valid_from"], name="price_lookup")
        ]
        ordering = ["provider", "kind", "sku", "-valid_from"]
        verbose_name_plural = "price entries"

    def __str__(self) -> str:
        return f"{self.provider} {self.sku} {self.kind}: {self.price} {self.currency}/{self.per_quantity} {self.unit}"


class CostEntry(models.Model):
    """One ledger row. `source_key` is unique, so a retried task never counts a cost twice."""

    occurred_at = models.DateTimeField(db_index=True)
    kind = models.CharField(max_length=32, choices=CostKind.choices)
    provider = models.CharField(max_length=32, choices=Provider.choices)
    sku = models.CharField(max_length=120)
    quantity = models.DecimalField(max_digits=20, decimal_places=6)
    unit_price = money_field(
        help_text="Price per `per_quantity` units, as found in the price book."
    )
    per_quantity = models.PositiveIntegerField(default=1)
    amount = money_field()
    currency = models.CharField(max_length=3, default="USD")
    priced = models.BooleanField(
        default=True, help_text="False when no price was found: amount is 0 and owners are told."
    )
    source_key = models.CharField(max_length=200, unique=True)
    # plain references and labels: billing does not import the apps above it
    conversation_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    message_id = models.BigIntegerField(null=True, blank=True)
    channel_kind = models.CharField(max_length=32, blank=True)
    tier = models.CharField(max_length=32, blank=True)
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["occurred_at", "provider"], name="cost_day_provider"),
        ]
        ordering = ["-occurred_at"]
        verbose_name_plural = "cost entries"

    def __str__(self) -> str:
        return f"{self.provider} {self.sku} {self.amount} {self.currency}"


class BudgetAction(models.TextChoices):
    ALERT_ONLY = "alert_only", "Alert only"
    FAST_TIER_ONLY = "fast_tier_only", "Stop using the strong model"
    NO_LLM = "no_llm", "Rules and curated answers only"
    HUMAN_ONLY = "human_only", "Hand everything to staff"


class Budget(models.Model):
    name = models.CharField(max_length=100, default="Monthly AI and messaging budget")
    monthly_limit = money_field(validators=[MinValueValidator(Decimal("0"))])
    currency = models.CharField(max_length=3, default="USD")
    soft_alert_percent = models.PositiveSmallIntegerField(
        default=80, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    action_when_exceeded = models.CharField(
        max_length=32, choices=BudgetAction.choices, default=BudgetAction.FAST_TIER_ONLY
    )
    enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(soft_alert_percent__gte=1, soft_alert_percent__lte=100),
                name="budget_alert_percent_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}: {self.monthly_limit} {self.currency}/month"
