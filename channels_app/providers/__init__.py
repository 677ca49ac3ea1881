"""Provider adapters by channel kind (see base.ProviderAdapter)."""

from __future__ import annotations

from importlib import import_module

from channels_app.providers.base import ProviderAdapter

ADAPTER_MODULES = {
    "whatsapp_cloud": "channels_app.providers.whatsapp",
    "twilio_sms": "channels_app.providers.twilio",
    "twilio_whatsapp": "channels_app.providers.twilio",
    "telegram": "channels_app.providers.telegram",
    "email": "channels_app.providers.email",
}


def adapter_for(kind: str) -> ProviderAdapter | None:
    """The adapter for a channel kind, or None when the kind takes no webhooks."""
    module = ADAPTER_MODULES.get(kind)
    if module is None:
        return None
    return import_module(module).adapter_for_kind(kind)
