"""Channel accounts: one business number, bot or mailbox on one provider."""

from __future__ import annotations

from django.db import models

from conversations.models import ChannelKind
from sbops.core.crypto import EncryptedJSONField

# The secrets each kind keeps in `credentials` (encrypted at rest). The admin shows a password
# input for each and never displays stored values back.
CREDENTIAL_FIELDS: dict[str, tuple[str, ...]] = {
    ChannelKind.WHATSAPP_CLOUD: ("access_token", "app_secret", "verify_token"),
    ChannelKind.TWILIO_SMS: ("account_sid", "auth_token"),
    ChannelKind.TWILIO_WHATSAPP: ("account_sid", "auth_token"),
    ChannelKind.TELEGRAM: ("bot_token", "secret_token"),
    ChannelKind.EMAIL: ("signing_key", "smtp_password"),
    ChannelKind.SANDBOX: ("signing_key",),
}
ALL_CREDENTIAL_FIELDS: tuple[str, ...] = tuple(
    dict.fromkeys(name for names in CREDENTIAL_FIELDS.values() for name in names)
)


class ChannelAccount(models.Model):
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=32, choices=ChannelKind.choices)
    slug = models.SlugField(
        max_length=80, unique=True, help_text="Used in the webhook URL: /webhooks/<kind>/<slug>/"
    )
    enabled = models.BooleanField(default=True)
    # sender identity shown to staff: +15551234567, @RestaurantBot, hola@example.com
    address = models.CharField(max_length=255, blank=True)
    credentials = EncryptedJSONField(help_text="Encrypted at rest; never displayed or exported.")
    config = models.JSONField(
        default=dict,
        blank=True,
        help_text="Non-secret settings: phone_number_id, waba_id, api_base_url, messaging tier, …",
    )
    uses_sandbox = models.BooleanField(
        default=False,
        help_text="Talks to the local provider fakes (demo); replies are labelled sandbox.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"

    @property
    def webhook_path(self) -> str:
        return f"/webhooks/{self.kind}/{self.slug}/"


class WebhookOutcome(models.TextChoices):
    RECEIVED = "received", "Queued for recording"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"
    IGNORED = "ignored", "Ignored (nothing we handle)"
    FAILED = "failed", "Failed (dead letter)"


class Verification(models.TextChoices):
    PENDING = "pending", "Not checked yet"
    VALID = "valid", "Valid"
    INVALID = "invalid", "Invalid"
    NOT_APPLICABLE = "n/a", "Not applicable"


class WebhookEvent(models.Model):
    """The journal: every request that reaches a webhook endpoint, written before it is parsed.

    A failed parse or processing leaves the row as a dead letter (outcome `failed`) that staff
    can replay after a fix; replays are idempotent because recording is.
    """

    account = models.ForeignKey(
        ChannelAccount,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="webhook_events",
    )
    kind = models.CharField(max_length=32)
    slug = models.CharField(max_length=80)
    received_at = models.DateTimeField(auto_now_add=True, db_index=True)
    method = models.CharField(max_length=8)
    # the URL as the provider called it (Twilio signs it)
    url = models.CharField(max_length=2000)
    headers = models.JSONField(default=dict, blank=True, help_text="secrets redacted")
    body = models.BinaryField(blank=True, default=b"")
    body_size = models.PositiveIntegerField(default=0)
    verification = models.CharField(
        max_length=16, choices=Verification.choices, default=Verification.PENDING
    )
    outcome = models.CharField(
        max_length=16, choices=WebhookOutcome.choices, default=WebhookOutcome.RECEIVED
    )
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    summary = models.JSONField(
        default=dict, blank=True, help_text="what the request carried and what became of it"
    )
    processed_at = models.DateTimeField(null=True, blank=True)
    replay_count = models.PositiveSmallIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["outcome", "received_at"], name="webhook_dead_letters")]
        ordering = ["-received_at", "-pk"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.kind}/{self.slug} {self.outcome}"

    @property
    def is_dead_letter(self) -> bool:
        return self.outcome == WebhookOutcome.FAILED


class SendOutcome(models.TextChoices):
    """What one attempt to hand a message to its provider came to (by the provider's code)."""

    SENT = "sent", "Sent (accepted by the provider)"
    RETRY = "retry", "Retry later"
    RATE_LIMITED = "rate_limited", "Rate limited: waiting"
    WINDOW_CLOSED = "window_closed", "24-hour window closed"
    OPTED_OUT = "opted_out", "Recipient opted out"
    RECIPIENT_INVALID = "recipient_invalid", "Recipient invalid"
    ACCOUNT_BROKEN = "account_broken", "Channel account broken"
    FAILED = "failed", "Failed permanently"
    IN_FLIGHT = "in_flight", "In flight (no answer recorded yet)"


class DeliveryAttempt(models.Model):
    """One try at handing an outbound message to its provider, written BEFORE the call.

    The idempotency key travels with the request where the provider echoes it back (WhatsApp
    `biz_opaque_callback_data`, the Twilio status callback URL), so an attempt whose answer was
    lost in a crash can be reconciled from the provider's status instead of sent again.
    """

    message = models.ForeignKey(
        "conversations.Message", on_delete=models.CASCADE, related_name="delivery_attempts"
    )
    number = models.PositiveSmallIntegerField()
    idempotency_key = models.CharField(max_length=80, unique=True)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(
        max_length=20, choices=SendOutcome.choices, default=SendOutcome.IN_FLIGHT
    )
    provider_message_id = models.CharField(max_length=255, blank=True)
    error_code = models.CharField(max_length=32, blank=True)
    error_reason = models.CharField(max_length=500, blank=True)
    wait_seconds = models.FloatField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["message", "number"], name="attempt_number_once")
        ]
        ordering = ["message", "number"]

    def __str__(self) -> str:
        return f"attempt {self.number} of message {self.message_id}: {self.outcome}"


class TemplateCategory(models.TextChoices):
    MARKETING = "MARKETING", "Marketing"
    UTILITY = "UTILITY", "Utility"
    AUTHENTICATION = "AUTHENTICATION", "Authentication"


class TemplateParameterFormat(models.TextChoices):
    POSITIONAL = "POSITIONAL", "Positional ({{1}}, {{2}}, …)"
    NAMED = "NAMED", "Named ({{first_name}}, …)"


class TemplateStatus(models.TextChoices):
    """Meta's template statuses (reference A6). Only APPROVED can be sent."""

    APPROVED = "APPROVED", "Approved"
    PENDING = "PENDING", "Pending review"
    REJECTED = "REJECTED", "Rejected"
    PAUSED = "PAUSED", "Paused (low quality)"
    DISABLED = "DISABLED", "Disabled"
    IN_APPEAL = "IN_APPEAL", "In appeal"
    PENDING_DELETION = "PENDING_DELETION", "Pending deletion"
    DELETED = "DELETED", "Deleted (no longer listed by WhatsApp)"
    LIMIT_EXCEEDED = "LIMIT_EXCEEDED", "Limit exceeded"
    ARCHIVED = "ARCHIVED", "Archived"
    FLAGGED = "FLAGGED", "Flagged"
    REINSTATED = "REINSTATED", "Reinstated"
    LOCKED = "LOCKED", "Locked"


class MessageTemplate(models.Model):
    """A WhatsApp message template of one account, as Meta last described it.

    Written only by the sync (`channels_app.template_sync`) and the status webhook; `enabled`
    is our own switch on top of Meta's status. Rows are never deleted by the sync: a template
    Meta no longer lists is marked DELETED, so messages sent with it keep their reference.
    """

    account = models.ForeignKey(
        ChannelAccount, on_delete=models.CASCADE, related_name="message_templates"
    )
    provider_template_id = models.CharField(max_length=64, blank=True, db_index=True)
    name = models.CharField(max_length=512)
    language = models.CharField(max_length=16)
    category = models.CharField(max_length=32, choices=TemplateCategory.choices)
    status = models.CharField(max_length=32, choices=TemplateStatus.choices)
    parameter_format = models.CharField(
        max_length=16,
        choices=TemplateParameterFormat.choices,
        default=TemplateParameterFormat.POSITIONAL,
    )
    components = models.JSONField(default=list, blank=True)
    quality = models.CharField(max_length=16, blank=True, help_text="GREEN, YELLOW, RED, UNKNOWN")
    rejection_reason = models.CharField(max_length=64, blank=True)
    enabled = models.BooleanField(
        default=True, help_text="Our own switch: a disabled template is never sent."
    )
    last_synced_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "name", "language"], name="message_template_unique_per_account"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.language})"
