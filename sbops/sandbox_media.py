"""Put a file in the provider sandbox, so a simulated webhook can point at it by reference,
exactly as WhatsApp, Telegram and Twilio point at media they hold."""

from __future__ import annotations

import base64
from typing import Any

import httpx
from django.conf import settings

from conversations.models import ChannelKind

PROVIDER_FOR_KIND = {
    ChannelKind.WHATSAPP_CLOUD: "whatsapp",
    ChannelKind.TELEGRAM: "telegram",
    ChannelKind.TWILIO_SMS: "twilio",
    ChannelKind.TWILIO_WHATSAPP: "twilio",
}
TWILIO_API = "https://api.twilio.com"
TWILIO_SANDBOX_PREFIX = "/twilio"


class SandboxUnavailable(Exception):
    pass


def sandbox_store_media(
    *, account: Any, content: bytes, mime_type: str, filename: str
) -> dict[str, Any]:
    """Upload to the sandbox; returns what the simulator's payload builders need."""
    provider = PROVIDER_FOR_KIND.get(account.kind)
    if provider is None:
        raise SandboxUnavailable(f"{account.get_kind_display()} attachments are not simulated")
    if not settings.SANDBOX_URL:
        raise SandboxUnavailable("no provider sandbox is running (SBOPS_SANDBOX_URL is empty)")
    spec: dict[str, Any] = {
        "provider": provider,
        "content_base64": base64.b64encode(content).decode(),
        "mime_type": mime_type,
        "filename": filename,
    }
    if provider == "twilio":
        spec["account_sid"] = account.credentials.get("account_sid", "")
    try:
        response = httpx.post(
            settings.SANDBOX_URL.rstrip("/") + "/sandbox-media",
            json=spec,
            timeout=30,
            trust_env=False,
        )
        response.raise_for_status()
    except httpx.HTTPError as exc:
        raise SandboxUnavailable(f"the sandbox did not take the file: {exc}") from exc
    stored = response.json()
    media = {
        "mime_type": mime_type,
        "size": len(content),
        "sha256_base64": stored.get("sha256", ""),
    }
    if provider == "whatsapp":
        media["whatsapp_media_id"] = stored["media_id"]
    elif provider == "telegram":
        media["telegram_file_id"] = stored["file_id"]
    else:
        media["twilio_url"] = TWILIO_API + stored["url_path"].removeprefix(TWILIO_SANDBOX_PREFIX)
    return media
