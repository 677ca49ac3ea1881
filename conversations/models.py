"""Contacts, their identities on each channel, conversations and messages.

Channel accounts live in `channels_app`, above this app; conversations and messages refer to
them by plain id and kind (`channel_account_id`, `channel_kind`), as billing does, so this app
never depends upward.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q

from conversations.states import ConversationState

e164_validator = RegexValidator(
    r"^\+[1-9]\d{6,14}$", "Phone numbers are stored in E.164: +<country><number>."
)


class ChannelKind(models.TextChoices):
    """Kinds of channel account; mirrored by channels_app.ChannelAccount.kind."""

    WHATSAPP_CLOUD = "whatsapp_cloud", "WhatsApp Cloud API"
    TWILIO_SMS = "twilio_sms", "SMS (Twilio)"
    TWILIO_WHATSAPP = "twilio_whatsapp", "WhatsApp (Twilio)"
    TELEGRAM = "telegram", "Telegram"
    EMAIL = "email", "Email"
    SANDBOX = "sandbox", "Sandbox"


class Contact(models.Model):
    display_name = models.CharField(max_length=200, blank=True)
    # WhatsApp username-only users have no phone: E.164 or empty
    phone = models.CharField(max_length=16, blank=True, validators=[e164_validator], db_index=True)
    email = models.EmailField(blank=True)
    language = models.CharField(max_length=16, blank=True, help_text="BCP-47, e.g. es, pt-BR")
    preferences = models.JSONField(default=dict, blank=True)
    is_vip = models.BooleanField("VIP", default=False)
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["display_name", "pk"]

    def __str__(self) -> str:
        return self.display_name or self.phone or self.email or f"contact #{self.pk}"


class IdentityKind(models.TextChoices):
    WHATSAPP = "whatsapp", "WhatsApp wa_id"
    WHATSAPP_BSUID = "whatsapp_bsuid", "WhatsApp business-scoped user id"
    TELEGRAM = "telegram", "Telegram user id"
    PHONE = "phone", "Phone (SMS, voice)"
    EMAIL = "email", "Email address"


class ContactIdentity(models.Model):
    """How a contact is known to one channel. One external id belongs to one contact."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="identities")
    kind = models.CharField(max_length=32, choices=IdentityKind.choices)
    external_id = models.CharField(max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "external_id"], name="identity_unique_per_kind"
            ),
        ]
        verbose_name_plural = "contact identities"

    def __str__(self) -> str:
        return f"{self.kind}:{self.external_id}"


class ContactOptOut(models.Model):
    """The contact asked not to be messaged on this channel kind. Delivery obeys it."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="opt_outs")
    channel_kind = models.CharField(max_length=32, choices=ChannelKind.choices)
    source = models.CharField(max_length=64, help_text="keyword:STOP, provider:21610, staff, …")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["contact", "channel_kind"], name="optout_once_per_channel"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contact} opted out of {self.channel_kind}"


class Conversation(models.Model):
    contact = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="conversations")
    channel_account_id = models.BigIntegerField(db_index=True)
    channel_kind = models.CharField(max_length=32, choices=ChannelKind.choices)
    state = models.CharField(
        max_length=16, choices=ConversationState.choices, default=ConversationState.BOT
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_conversations",
    )
    subject = models.CharField(max_length=300, blank=True)
    # the 24-hour customer-service window runs from the last inbound customer message
    last_inbound_at = models.DateTimeField(null=True, blank=True)
    last_message_at = models.DateTimeField(null=True, blank=True, db_index=True)
    escalation_score = models.FloatField(default=0.0)
    escalation_reason = models.CharField(max_length=300, blank=True)
    handed_off_at = models.DateTimeField(null=True, blank=True)
    first_staff_reply_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            # a burst or a redelivery never opens a second conversation
            models.UniqueConstraint(
                fields=["contact", "channel_account_id"],
                condition=~Q(state=ConversationState.RESOLVED),
                name="one_open_conversation_per_contact_account",
            ),
            models.CheckConstraint(
                condition=Q(escalation_score__gte=0) & Q(escalation_score__lte=1),
                name="escalation_score_0_1",
            ),
        ]
        indexes = [models.Index(fields=["state", "handed_off_at"], name="conversation_queue")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.contact} ({self.get_channel_kind_display()}, {self.state})"


class Direction(models.TextChoices):
    INBOUND = "in", "Inbound"
    OUTBOUND = "out", "Outbound"


class Author(models.TextChoices):
    CUSTOMER = "customer", "Customer"
    BOT = "bot", "Bot"
    STAFF = "staff", "Staff"
    SYSTEM = "system", "System"


class ContentKind(models.TextChoices):
    TEXT = "text", "Text"
    AUDIO = "audio", "Audio"
    IMAGE = "image", "Image"
    VIDEO = "video", "Video"
    DOCUMENT = "document", "Document"
    STICKER = "sticker", "Sticker"
    LOCATION = "location", "Location"
    CONTACTS = "contacts", "Contact card"
    INTERACTIVE = "interactive", "Interactive reply"
    BUTTON = "button", "Button reply"
    TEMPLATE = "template", "Template"
    REACTION = "reaction", "Reaction"
    EMAIL = "email", "Email"
    ORDER = "order", "Order"
    SYSTEM = "system", "System notice"
    UNSUPPORTED = "unsupported", "Unsupported"


class DeliveryStatus(models.TextChoices):
    RECEIVED = "received", "Received"
    QUEUED = "queued", "Queued"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    DELIVERED = "delivered", "Delivered"
    READ = "read", "Read"


# A status only ever moves up this ladder: `read` never falls back to `delivered`. A failure
# outranks sent (WhatsApp reports failures after `sent`) but not delivered or read.
STATUS_RANK: dict[str, int] = {
    DeliveryStatus.RECEIVED: 0,
    DeliveryStatus.QUEUED: 10,
    DeliveryStatus.SENDING: 20,
    DeliveryStatus.SENT: 30,
    DeliveryStatus.FAILED: 35,
    DeliveryStatus.DELIVERED: 40,
    DeliveryStatus.READ: 50,
}


class MediaStatus(models.TextChoices):
    NONE = "none", "No attachment"
    PENDING = "pending", "Downloading"
    STORED = "stored", "Stored"
    FAILED = "failed", "Download failed"


def _rank_matches_status() -> Q:
    condition = Q(pk__in=[])
    for status, rank in STATUS_RANK.items():
        condition |= Q(delivery_status=status, status_rank=rank)
    return condition


class Message(models.Model):
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    channel_account_id = models.BigIntegerField()
    channel_kind = models.CharField(max_length=32, choices=ChannelKind.choices)
    direction = models.CharField(max_length=3, choices=Direction.choices)
    author = models.CharField(max_length=16, choices=Author.choices)
    author_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    bot_tier = models.CharField(max_length=32, blank=True, help_text="rules, curated, fast, strong")
    content_kind = models.CharField(
        max_length=16, choices=ContentKind.choices, default=ContentKind.TEXT
    )
    body = models.TextField(blank=True)
    normalized_body = models.TextField(blank=True)
    language = models.CharField(max_length=16, blank=True)
    media = models.JSONField(
        default=dict, blank=True, help_text="provider media id, url, mime type, size, caption"
    )
    metadata = models.JSONField(
        default=dict, blank=True, help_text="location, interactive payload, reply context, …"
    )
    # unique per channel account (the idempotency key of ingestion); empty until a send returns one
    provider_message_id = models.CharField(max_length=255, null=True, blank=True)  # noqa: DJ001 - NULLs stay distinct under the unique constraint
    delivery_status = models.CharField(max_length=16, choices=DeliveryStatus.choices)
    status_rank = models.PositiveSmallIntegerField(default=0)
    error_code = models.CharField(max_length=32, blank=True)
    error_reason = models.CharField(max_length=500, blank=True)
    provider_timestamp = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    # voice notes: WhatsApp `played`; kept beside `read` (it ranks no higher)
    played_at = models.DateTimeField(null=True, blank=True)
    # the customer edited or deleted (revoked) it on their phone; earlier bodies stay in metadata
    edited_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # what the provider says it charged, verbatim (WhatsApp `pricing`, Twilio `price`)
    provider_pricing = models.JSONField(default=dict, blank=True)
    # attachments are downloaded by a task, never inside the webhook request
    media_status = models.CharField(
        max_length=16, choices=MediaStatus.choices, default=MediaStatus.NONE
    )
    media_file = models.FileField(upload_to="media/%Y/%m/", blank=True, max_length=300)
    media_error = models.CharField(max_length=300, blank=True)
    media_attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["channel_account_id", "provider_message_id"],
                name="provider_message_id_unique_per_account",
            ),
            models.CheckConstraint(
                condition=_rank_matches_status(), name="status_rank_matches_status"
            ),
        ]
        indexes = [models.Index(fields=["conversation", "created_at"], name="message_history")]
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.direction} {self.content_kind} #{self.pk}"


class PendingStatus(models.Model):
    """A delivery status whose message is not recorded yet (the webhook beat our own commit of
    the send). Applied when the message gets its provider id; never dropped silently."""

    channel_account_id = models.BigIntegerField()
    provider_message_id = models.CharField(max_length=255)
    status = models.CharField(max_length=16)
    occurred_at = models.DateTimeField()
    error_code = models.CharField(max_length=32, blank=True)
    error_reason = models.CharField(max_length=500, blank=True)
    pricing = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["channel_account_id", "provider_message_id"], name="pending_status_lookup"
            )
        ]
        verbose_name_plural = "pending statuses"

    def __str__(self) -> str:
        return f"{self.status} for {self.provider_message_id}"


class KeywordAction(models.TextChoices):
    OPT_OUT = "opt_out", "Opt out"
    OPT_IN = "opt_in", "Opt back in"


class OptOutKeyword(models.Model):
    """A whole message that means "stop messaging me" (or "start again"), per language.

    Matched against the customer's entire message, case- and accent-insensitively, so that
    "Stop!" counts and "don't stop the music" does not. Editable in the admin.
    """

    keyword = models.CharField(max_length=40)
    language = models.CharField(max_length=16, blank=True, help_text="empty: any language")
    action = models.CharField(
        max_length=8, choices=KeywordAction.choices, default=KeywordAction.OPT_OUT
    )
    enabled = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["keyword", "language"], name="optout_keyword_once")
        ]
        ordering = ["action", "language", "keyword"]

    def __str__(self) -> str:
        return f"{self.keyword} ({self.language or 'any'}): {self.get_action_display()}"
