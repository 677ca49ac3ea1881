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
