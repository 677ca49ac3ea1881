"""Provider senders by channel kind: hand one outbound message to the provider and map its
answer, by the provider's code (not the HTTP status), to one `SendResult`."""

from __future__ import annotations

from importlib import import_module

SENDER_MODULES = {
    "whatsapp_cloud": "channels_app.senders.whatsapp",
    "telegram": "channels_app.senders.telegram",
    "twilio_sms": "channels_app.senders.twilio",
    "twilio_whatsapp": "channels_app.senders.twilio",
    "email": "channels_app.senders.email",
}


def sender_for(kind: str):  # type: ignore[no-untyped-def]
    module = SENDER_MODULES.get(kind)
    return import_module(module).send if module else None
