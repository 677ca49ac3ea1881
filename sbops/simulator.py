"""The customer simulator (staff only): be a customer on any demo channel account.

It builds the payload the provider would send, signs it exactly as the provider signs, and
POSTs it to the real webhook endpoint, so a new user sees the whole console work with no
provider account. Only sandbox accounts are offered: it never fakes traffic on a live number.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import time
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx
from asgiref.sync import sync_to_async
from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse

from channels_app.models import ChannelAccount, WebhookEvent
from conversations.models import ChannelKind, Contact, IdentityKind, Message
from sbops.core.roles import user_is_staff_member
from sbops.sandbox_media import SandboxUnavailable, sandbox_store_media

IDENTITY_FOR_KIND = {
    ChannelKind.WHATSAPP_CLOUD: IdentityKind.WHATSAPP,
    ChannelKind.TWILIO_WHATSAPP: IdentityKind.WHATSAPP,
    ChannelKind.TWILIO_SMS: IdentityKind.PHONE,
    ChannelKind.TELEGRAM: IdentityKind.TELEGRAM,
    ChannelKind.EMAIL: IdentityKind.EMAIL,
}
RECORD_WAIT_POLLS = 10  # half-second polls: the worker picks the task up within a second or two
ADDRESS_HELP = "WhatsApp and SMS: a phone number (+34611223344); Telegram: a numeric user id; email: an address."


class SimulatorForm(forms.Form):
    account = forms.ModelChoiceField(
        queryset=ChannelAccount.objects.filter(enabled=True, uses_sandbox=True).order_by("name"),
        help_text="Only sandbox accounts: the simulator never fakes traffic on a live number.",
    )
    contact = forms.ModelChoiceField(
        queryset=Contact.objects.order_by("display_name"),
        required=False,
        label="Existing customer",
        help_text="Or leave empty and describe a new customer below.",
    )
    name = forms.CharField(required=False, max_length=120, label="New customer's name")
    address = forms.CharField(
        required=False, max_length=120, label="New customer's address", help_text=ADDRESS_HELP
    )
    text = forms.CharField(required=False, widget=forms.Textarea, max_length=10000, label="Message")
    attachment = forms.FileField(
        required=False,
        help_text="A voice note (audio) or an image, sent the way the channel sends media.",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("text") and not data.get("attachment"):
            raise forms.ValidationError("Type a message or attach a file.")
        account = data.get("account")
        if account and not data.get("contact") and not data.get("address"):
            raise forms.ValidationError("Pick an existing customer or give the new one an address.")
        if account and data.get("contact"):
            data["address"] = data["address"] or _address_of(data["contact"], account.kind)
            if not data["address"]:
                raise forms.ValidationError(
                    f"{data['contact']} has no {account.get_kind_display()} address; give one."
                )
            data["name"] = data["name"] or data["contact"].display_name
        return data


def _address_of(contact: Contact, kind: str) -> str:
    identity = contact.identities.filter(kind=IDENTITY_FOR_KIND.get(kind, "")).first()
    if identity:
        return (
            ("+" + identity.external_id)
            if identity.kind == IdentityKind.WHATSAPP
            else identity.external_id
        )
    if kind == ChannelKind.EMAIL:
        return contact.email
    if kind != ChannelKind.TELEGRAM:
        return contact.phone
    return ""


@dataclass
class Outgoing:
    path: str
    body: bytes
    headers: dict[str, str]
    provider_message_id: str


def build_request(
    *,
    account: ChannelAccount,
    base_url: str,
    name: str,
    address: str,
    text: str,
    media: dict | None,
) -> Outgoing:
    """The provider's own webhook request for one customer message, signed with the account's secrets."""
    builder = {
        ChannelKind.WHATSAPP_CLOUD: _whatsapp,
        ChannelKind.TWILIO_SMS: _twilio,
        ChannelKind.TWILIO_WHATSAPP: _twilio,
        ChannelKind.TELEGRAM: _telegram,
        ChannelKind.EMAIL: _email,
    }[account.kind]
    return builder(account, base_url, name, address, text, media)


def _digits(address: str) -> str:
    return "".join(ch for ch in address if ch.isdigit())


def _whatsapp(account, base_url, name, address, text, media) -> Outgoing:  # type: ignore[no-untyped-def]
    from channels_app.providers.whatsapp import sign

    wa_id = _digits(address)
    wamid = f"wamid.SIM{uuid.uuid4().hex.upper()}"
    message: dict[str, Any] = {"from": wa_id, "id": wamid, "timestamp": str(int(time.time()))}
    if media:
        kind = "audio" if media["mime_type"].startswith("audio/") else "image"
        message["type"] = kind
        message[kind] = {
            "id": media["whatsapp_media_id"],
            "mime_type": media["mime_type"],
            "sha256": media["sha256_base64"],
        }
        if kind == "audio":
            message[kind]["voice"] = True
        elif text:
            message[kind]["caption"] = text
    else:
        message["type"] = "text"
        message["text"] = {"body": text}
    payload = {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": str(account.config.get("waba_id", "")),
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {
                                "display_phone_number": _digits(account.address),
                                "phone_number_id": str(account.config.get("phone_number_id", "")),
                            },
                            "contacts": [{"profile": {"name": name}, "wa_id": wa_id}],
                            "messages": [message],
                        },
                    }
                ],
            }
        ],
    }
    body = json.dumps(payload).encode()
    return Outgoing(
        account.webhook_path,
        body,
        {
            "Content-Type": "application/json",
            "X-Hub-Signature-256": sign(body, account.credentials.get("app_secret", "")),
        },
        wamid,
    )


def _twilio(account, base_url, name, address, text, media) -> Outgoing:  # type: ignore[no-untyped-def]
    from channels_app.providers.twilio import sign

    whatsapp = account.kind == ChannelKind.TWILIO_WHATSAPP
    prefix = "whatsapp:" if whatsapp else ""
    sid = ("MM" if media else "SM") + uuid.uuid4().hex
    params = {
        "MessageSid": sid,
        "SmsMessageSid": sid,
        "SmsSid": sid,
        "AccountSid": account.credentials.get("account_sid", ""),
        "From": prefix + "+" + _digits(address),
        "To": prefix + "+" + _digits(account.address),
        "Body": text,
        "NumMedia": "1" if media else "0",
        "NumSegments": "1",
        "SmsStatus": "received",
        "ApiVersion": "2010-04-01",
    }
    if whatsapp:
        params.update(
            {
                "ProfileName": name,
                "WaId": _digits(address),
                "MessageType": "audio"
                if media and media["mime_type"].startswith("audio/")
                else ("image" if media else "text"),
            }
        )
    if media:
        params.update({"MediaUrl0": media["twilio_url"], "MediaContentType0": media["mime_type"]})
    url = base_url.rstrip("/") + account.webhook_path
    signature = sign(url, params, account.credentials.get("auth_token", ""))
    return Outgoing(
        account.webhook_path,
        urlencode(params).encode(),
        {"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature},
        sid,
    )


def _telegram(account, base_url, name, address, text, media) -> Outgoing:  # type: ignore[no-untyped-def]
    from channels_app.providers.telegram import sign

    user_id = int(_digits(address) or "0")
    message_id = secrets.randbelow(10**9)
    first, _, last = name.partition(" ")
    sender = {
        "id": user_id,
        "is_bot": False,
        "first_name": first or "Customer",
        **({"last_name": last} if last else {}),
    }
    message: dict[str, Any] = {
        "message_id": message_id,
        "date": int(time.time()),
        "from": sender,
        "chat": {"id": user_id, "type": "private", "first_name": first or "Customer"},
    }
    if media and media["mime_type"].startswith("audio/"):
        message["voice"] = {
            "duration": 3,
            "mime_type": media["mime_type"],
            "file_id": media["telegram_file_id"],
            "file_unique_id": media["telegram_file_id"][-12:],
            "file_size": media["size"],
        }
    elif media:
        message["photo"] = [
            {
                "file_id": media["telegram_file_id"],
                "file_unique_id": media["telegram_file_id"][-12:],
                "file_size": media["size"],
                "width": 800,
                "height": 600,
            }
        ]
        if text:
            message["caption"] = text
    else:
        message["text"] = text
    body = json.dumps({"update_id": secrets.randbelow(10**9), "message": message}).encode()
    return Outgoing(
        account.webhook_path,
        body,
        {"Content-Type": "application/json", **sign(account.credentials.get("secret_token", ""))},
        f"{user_id}:{message_id}",
    )


def _email(account, base_url, name, address, text, media) -> Outgoing:  # type: ignore[no-untyped-def]
    from channels_app.providers.email import sign_mailgun

    message_id = f"sim-{uuid.uuid4().hex}@simulator.sbops"
    timestamp, token = str(int(time.time())), secrets.token_hex(25)
    fields = {
        "recipient": account.address,
        "sender": address,
        "from": f"{name} <{address}>" if name else address,
        "subject": (text.splitlines() or ["(no subject)"])[0][:80],
        "body-plain": text,
        "stripped-text": text,
        "Message-Id": f"<{message_id}>",
        "timestamp": timestamp,
        "token": token,
        "signature": sign_mailgun(account.credentials.get("signing_key", ""), timestamp, token),
    }
    return Outgoing(
        account.webhook_path,
        urlencode(fields).encode(),
        {"Content-Type": "application/x-www-form-urlencoded"},
        message_id,
    )


def _staff_only(user: Any) -> None:
    if not user.is_authenticated:
        raise PermissionDenied("log in first")
    if not user_is_staff_member(user):
        raise PermissionDenied("the simulator is for staff")


async def simulator(request: HttpRequest) -> HttpResponse:
    """Async so that its own POST to the webhook, served by this same process, never waits on it."""
    user = await request.auser()
    if not user.is_authenticated:
        return redirect(f"/admin/login/?next={request.path}")
    await sync_to_async(_staff_only)(user)
    if request.method != "POST":
        form = SimulatorForm()
        return await sync_to_async(_render)(request, form, None)
    form = SimulatorForm(request.POST, request.FILES)
    if not await sync_to_async(form.is_valid)():
        return await sync_to_async(_render)(request, form, None)
    base_url = request.build_absolute_uri("/")
    try:
        outgoing = await sync_to_async(_prepare)(form.cleaned_data, base_url)
    except SandboxUnavailable as exc:
        form.add_error("attachment", str(exc))
        return await sync_to_async(_render)(request, form, None)
    async with httpx.AsyncClient(timeout=30) as client:
        response = await client.post(
            base_url.rstrip("/") + outgoing.path, content=outgoing.body, headers=outgoing.headers
        )
    result = await sync_to_async(_result)(outgoing, response)
    # the worker records what the webhook queued: give it a moment so the page can link it
    for _ in range(RECORD_WAIT_POLLS):
        if result["message"] is not None or not result["ok"]:
            break
        await asyncio.sleep(0.5)
        result = await sync_to_async(_result)(outgoing, response)
    return await sync_to_async(_render)(
        request, SimulatorForm(initial={"account": form.cleaned_data["account"].pk}), result
    )


def _prepare(data: dict[str, Any], base_url: str) -> Outgoing:
    account = data["account"]
    media = None
    if data.get("attachment"):
        upload = data["attachment"]
        media = sandbox_store_media(
            account=account,
            content=upload.read(),
            mime_type=upload.content_type or "application/octet-stream",
            filename=upload.name,
        )
    return build_request(
        account=account,
        base_url=base_url,
        name=data.get("name", ""),
        address=data["address"],
        text=data.get("text", ""),
        media=media,
    )


def _result(outgoing: Outgoing, response: httpx.Response) -> dict[str, Any]:
    message = (
        Message.objects.filter(provider_message_id=outgoing.provider_message_id)
        .select_related("conversation")
        .first()
    )
    event = (
        WebhookEvent.objects.order_by("-pk")
        .filter(slug=outgoing.path.rstrip("/").rsplit("/", 1)[-1])
        .first()
    )
    return {
        "status": response.status_code,
        "ok": response.status_code == 200,
        "answer": response.text[:500],
        "message": message,
        "event": event,
        "signed_headers": {
            k: v for k, v in outgoing.headers.items() if k.lower() != "content-type"
        },
        "body_preview": outgoing.body[:3000].decode("utf-8", "replace"),
    }


def _render(request: HttpRequest, form: SimulatorForm, result: dict | None) -> HttpResponse:
    response = TemplateResponse(
        request, "sbops/simulator.html", {"form": form, "result": result, "nav": "simulator"}
    )
    return response.render()
