"""Telegram Bot API: the secret-token header, and each kind of Update we act on.

Reference: shared/reference/platforms.md, section B.
"""

from __future__ import annotations

import math
from typing import Any

import phonenumbers
from django.http import HttpResponse

from channels_app.providers.base import (
    DEFAULT_MAX_BODY,
    FollowUp,
    ParsedWebhook,
    SignatureInvalid,
    WebhookRequest,
    from_unix,
    ok_response,
    secrets_equal,
)
from conversations.inbound import ContactSignal, Identity, InboundMessage
from conversations.models import ContentKind, IdentityKind
from conversations.text import clean_text

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name
ANSWER_CALLBACK_TASK = "channels_app.tasks.answer_telegram_callback"
# file-bearing content: (message key, content kind, mime type when Telegram gives none)
MEDIA_KINDS = (
    ("voice", ContentKind.AUDIO, "audio/ogg"),
    ("audio", ContentKind.AUDIO, "audio/mpeg"),
    ("video", ContentKind.VIDEO, "video/mp4"),
    ("video_note", ContentKind.VIDEO, "video/mp4"),
    ("document", ContentKind.DOCUMENT, "application/octet-stream"),
)
# messages Telegram writes about a chat rather than from a person: not customer messages
SERVICE_KEYS = (
    "new_chat_members",
    "left_chat_member",
    "new_chat_title",
    "new_chat_photo",
    "delete_chat_photo",
    "group_chat_created",
    "supergroup_chat_created",
    "channel_chat_created",
    "message_auto_delete_timer_changed",
    "migrate_to_chat_id",
    "migrate_from_chat_id",
    "pinned_message",
    "forum_topic_created",
    "forum_topic_edited",
    "forum_topic_closed",
    "forum_topic_reopened",
    "general_forum_topic_hidden",
    "general_forum_topic_unhidden",
    "video_chat_scheduled",
    "video_chat_started",
    "video_chat_ended",
    "video_chat_participants_invited",
    "write_access_allowed",
    "proximity_alert_triggered",
    "boost_added",
    "chat_background_set",
)
# content we keep as unsupported, named for staff
OTHER_CONTENT_KEYS = (
    "poll",
    "dice",
    "game",
    "invoice",
    "successful_payment",
    "story",
    "giveaway",
    "giveaway_winners",
    "paid_media",
    "users_shared",
    "chat_shared",
    "web_app_data",
    "checklist",
)


def sign(secret_token: str) -> dict[str, str]:
    """The header Telegram sends with every webhook once `setWebhook` had a `secret_token`
    (also used by tests and the simulator)."""
    return {SECRET_HEADER: secret_token}


class TelegramAdapter:
    kind = "telegram"
    max_body_bytes = DEFAULT_MAX_BODY

    def handshake(self, request: WebhookRequest, account: Any) -> HttpResponse | None:
        return None  # setWebhook is the whole subscription: no GET check

    def verify(self, request: WebhookRequest, account: Any) -> None:
        given = request.header(SECRET_HEADER)
        if not given:
            raise SignatureInvalid(f"missing {SECRET_HEADER} header")
        expected = account.credentials.get("secret_token", "")
        if not expected:
            raise SignatureInvalid("the account has no secret token configured")
        if not secrets_equal(given, expected):
            raise SignatureInvalid(f"{SECRET_HEADER} does not match the account's secret token")

    def parse(self, request: WebhookRequest, account: Any) -> ParsedWebhook:
        update = request.json_object()
        parsed = ParsedWebhook()
        update_id = update.get("update_id")
        kinds = [key for key in update if key != "update_id"]
        if not kinds:
            parsed.ignored.append(_note(f"update {update_id!r} carries nothing"))
            return parsed
        for kind in kinds:
            content = update[kind]
            if not isinstance(content, dict):
                parsed.ignored.append(_note(f"update type {kind[:64]!r} is not an object"))
                continue
            try:
                self._parse_part(kind, content, update_id, parsed)
            except (KeyError, TypeError, ValueError, AttributeError) as exc:
                parsed.ignored.append(
                    _note(f"unreadable {kind[:64]!r} in update {update_id!r}: {exc!r}")
                )
        return parsed

    def acknowledge(self, request: WebhookRequest, parsed: ParsedWebhook) -> HttpResponse:
        return ok_response()

    # --- the parts of an update ---------------------------------------------------------------

    def _parse_part(self, kind: str, content: dict, update_id: Any, parsed: ParsedWebhook) -> None:
        if kind == "message":
            message = _message(content, update_id, parsed)
            if message is not None:
                parsed.messages.append(message)
        elif kind == "edited_message":
            if isinstance(content.get("location"), dict):
                # a live location moves by editing its message every few seconds
                parsed.ignored.append(_note(f"live location update in update {update_id!r}"))
                return
            message = _message(content, update_id, parsed)
            if message is not None:
                original = message.provider_message_id
                edit_date = _integer(content.get("edit_date", content.get("date")), "edit_date")
                message.provider_message_id = f"{original}:edit:{edit_date}"
                message.edit_of = original
                message.sent_at = from_unix(edit_date)
                parsed.messages.append(message)
        elif kind == "callback_query":
            message = _callback(content, update_id)
            parsed.messages.append(message)
            # until answered, the customer's app shows a spinner on the button
            query_id = message.metadata["interactive"]["callback_query_id"]
            parsed.follow_ups.append(
                FollowUp(task=ANSWER_CALLBACK_TASK, kwargs={"callback_query_id": query_id})
            )
        elif kind == "my_chat_member":
            signal = _membership_signal(content)
            if signal is None:
                chat = content.get("chat") or {}
                status = (content.get("new_chat_member") or {}).get("status")
                parsed.ignored.append(
                    _note(
                        f"my_chat_member {status!r} in {chat.get('type')!r} chat {chat.get('id')}"
                    )
                )
            else:
                parsed.signals.append(signal)
        else:
            parsed.ignored.append(_note(f"update type {kind[:64]!r}"))


def _sender(user: dict) -> tuple[Identity, str, str]:
    """(identity, display name, language) of a Telegram user."""
    user_id = _integer(user["id"], "user id")
    name = " ".join(
        part for part in (user.get("first_name"), user.get("last_name")) if isinstance(part, str)
    )
    name = name.strip() or str(user.get("username") or "")
    language = str(user.get("language_code") or "")
    return (
        Identity(IdentityKind.TELEGRAM, str(user_id)),
        name,
        clean_text(language)[:16],
    )


def _chat_info(chat: dict) -> dict[str, Any]:
    info = {"id": chat.get("id"), "type": chat.get("type", "")}
    if chat.get("type") != "private":
        for key in ("title", "username", "is_forum"):
            if chat.get(key) is not None:
                info[key] = chat[key]
    return info


def _message(message: dict, update_id: Any, parsed: ParsedWebhook) -> InboundMessage | None:
    chat = message["chat"]
    chat_id = _integer(chat["id"], "chat id")
    message_id = _integer(message["message_id"], "message id")
    for key in SERVICE_KEYS:
        if key in message:
            parsed.ignored.append(_note(f"service message {key!r} in chat {chat_id}"))
            return None
    user = message.get("from")
    if not isinstance(user, dict):
        if chat.get("type") != "private":
            # a channel, or an anonymous group admin: no person to answer
            parsed.ignored.append(_note(f"message without a sender in chat {chat_id}"))
            return None
        user = chat
    identity, name, language = _sender(user)
    inbound = InboundMessage(
        provider_message_id=f"{chat_id}:{message_id}",
        identities=[identity],
        sent_at=from_unix(message.get("date")),
        display_name=name,
        language=language,
    )
    metadata: dict[str, Any] = {"update_id": update_id, "chat": _chat_info(chat)}
    _fill_content(inbound, message, metadata)
    reply_to = message.get("reply_to_message")
    if isinstance(reply_to, dict) and reply_to.get("message_id") is not None:
        metadata["context"] = {"id": f"{chat_id}:{reply_to['message_id']}"}
    if message.get("forward_origin") or message.get("forward_from") or message.get("forward_date"):
        metadata["forwarded"] = True
    if message.get("media_group_id"):
        metadata["media_group_id"] = message["media_group_id"]
    if message.get("message_thread_id") is not None:
        metadata["message_thread_id"] = message["message_thread_id"]
    inbound.metadata = _json_safe(metadata)
    inbound.media = _json_safe(inbound.media)
    return inbound


def _fill_content(inbound: InboundMessage, message: dict, metadata: dict[str, Any]) -> None:
    caption = message.get("caption") if isinstance(message.get("caption"), str) else ""
    if isinstance(message.get("text"), str):
        inbound.body = message["text"]
        return
    photos = message.get("photo")
    if isinstance(photos, list) and photos:
        largest = max(
            (size for size in photos if isinstance(size, dict)),
            key=lambda size: (
                (size.get("width") or 0) * (size.get("height") or 0),
                size.get("file_size") or 0,
            ),
        )
        inbound.content_kind = ContentKind.IMAGE
        inbound.body = caption
        inbound.media = _file(largest, "image/jpeg")
        return
    for key, kind, default_mime in MEDIA_KINDS:
        if isinstance(message.get(key), dict):
            inbound.content_kind = kind
            inbound.body = caption
            inbound.media = _file(message[key], default_mime)
            if key in ("voice", "video_note"):
                inbound.media[key] = True
            return
    sticker = message.get("sticker")
    if isinstance(sticker, dict):
        inbound.content_kind = ContentKind.STICKER
        mime = (
            "application/x-tgsticker"
            if sticker.get("is_animated")
            else "video/webm"
            if sticker.get("is_video")
            else "image/webp"
        )
        inbound.media = _file(sticker, mime)
        metadata["sticker"] = {
            "emoji": sticker.get("emoji", ""),
            "set_name": sticker.get("set_name", ""),
        }
        return
    venue = message.get("venue") if isinstance(message.get("venue"), dict) else {}
    location = message.get("location") or venue.get("location")
    if isinstance(location, dict):
        inbound.content_kind = ContentKind.LOCATION
        metadata["location"] = {**location, **{k: v for k, v in venue.items() if k != "location"}}
        inbound.body = (
            venue.get("title")
            or venue.get("address")
            or f"{location.get('latitude')}, {location.get('longitude')}"
        )
        return
    card = message.get("contact")
    if isinstance(card, dict):
        inbound.content_kind = ContentKind.CONTACTS
        metadata["contacts"] = [card]
        name = " ".join(
            part for part in (card.get("first_name"), card.get("last_name")) if part
        ).strip()
        inbound.body = name or str(card.get("phone_number") or "")
        sender = inbound.identities[0].external_id
        if str(card.get("user_id", "")) == sender:
            # the customer shared their own number: the contact gets a phone
            inbound.phone = _e164(str(card.get("phone_number") or ""))
        return
    inbound.content_kind = ContentKind.UNSUPPORTED
    inbound.body = caption
    metadata["telegram_type"] = next(
        (key for key in OTHER_CONTENT_KEYS if key in message), "unknown"
    )


def _file(item: dict, default_mime: str) -> dict[str, Any]:
    media = {
        "provider": "telegram",
        "file_id": str(item.get("file_id", "")),
        "file_unique_id": str(item.get("file_unique_id", "")),
        "mime_type": item.get("mime_type") or default_mime,
        "file_size": item.get("file_size"),
    }
    if item.get("file_name"):
        media["file_name"] = item["file_name"]
    return media


def _callback(query: dict, update_id: Any) -> InboundMessage:
    """A tap on an inline keyboard button, recorded as the customer's answer."""
    query_id = query["id"]
    if not isinstance(query_id, (str, int)) or isinstance(query_id, bool) or not query_id:
        raise ValueError(f"not a callback query id: {query_id!r}")
    query_id = clean_text(str(query_id))[:200]
    identity, name, language = _sender(query["from"])
    message = query.get("message") if isinstance(query.get("message"), dict) else {}
    chat = message.get("chat") if isinstance(message.get("chat"), dict) else {}
    data = query.get("data") if isinstance(query.get("data"), str) else ""
    title = _button_text(message, data)
    metadata: dict[str, Any] = {
        "update_id": update_id,
        "interactive": {
            "type": "callback_query",
            "id": data or query.get("game_short_name", ""),
            "title": title,
            "callback_query_id": query_id,
        },
    }
    if chat:
        metadata["chat"] = _chat_info(chat)
        if message.get("message_id") is not None:
            # the message with the keyboard; `date` 0 when it is too old for us to see
            metadata["context"] = {"id": f"{chat.get('id')}:{message['message_id']}"}
    elif query.get("inline_message_id"):
        metadata["inline_message_id"] = query["inline_message_id"]
    return InboundMessage(
        # callback query ids are unique; a redelivery carries the same one
        provider_message_id=f"callback:{query_id}",
        identities=[identity],
        sent_at=from_unix(None),  # a callback query has no date of its own
        content_kind=ContentKind.INTERACTIVE,
        body=title or data or str(query.get("game_short_name") or ""),
        display_name=name,
        language=language,
        metadata=_json_safe(metadata),
    )


def _button_text(message: dict, data: str) -> str:
    """The label of the button whose callback_data is `data`, when the keyboard is at hand."""
    markup = message.get("reply_markup") if isinstance(message.get("reply_markup"), dict) else {}
    for row in markup.get("inline_keyboard") or []:
        for button in row if isinstance(row, list) else []:
            if isinstance(button, dict) and data and button.get("callback_data") == data:
                return str(button.get("text") or "")
    return ""


def _membership_signal(update: dict) -> ContactSignal | None:
    """A private chat's user blocked (`kicked`) or unblocked (`member`) the bot."""
    chat = update.get("chat") or {}
    if chat.get("type") != "private":
        return None
    status = (update.get("new_chat_member") or {}).get("status")
    if status == "kicked":
        signal, source = "opted_out", "telegram:blocked"
    elif status == "member":
        signal, source = "opted_in", "telegram:unblocked"
    else:
        return None
    user = update.get("from") if isinstance(update.get("from"), dict) else chat
    identity, _name, _language = _sender(user)
    return ContactSignal(
        identity=identity,
        signal=signal,
        source=source,
        occurred_at=from_unix(update.get("date")),
        detail={"chat_id": _json_safe(chat.get("id"))},
    )


def _e164(number: str) -> str:
    """Telegram gives a shared contact's number with or without the +."""
    digits = "".join(ch for ch in number if ch in "0123456789")
    if not digits:
        return ""
    try:
        parsed = phonenumbers.parse("+" + digits, None)
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_possible_number(parsed):
        return ""
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def _integer(value: Any, what: str) -> int:
    """Telegram's ids are integers; anything else is not from Telegram."""
    if isinstance(value, bool) or not isinstance(value, int) or abs(value) >= 2**63:
        raise ValueError(f"{what} must be an integer, not {str(value)[:40]!r}")
    return value


def _note(text: str) -> str:
    return clean_text(text)[:300]


def _json_safe(value: Any) -> Any:
    """Strings as the database can hold them (PostgreSQL refuses NUL and lone surrogates in
    jsonb)."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {_json_safe(str(key)): _json_safe(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_json_safe(item) for item in value]
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)  # Python's json reads NaN and Infinity; the database refuses them
    return value


ADAPTER = TelegramAdapter()


def adapter_for_kind(kind: str) -> TelegramAdapter:
    return ADAPTER
