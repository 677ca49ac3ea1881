"""Fake Telegram Bot API `sendMessage`, under `/telegram` (GET query, JSON or form body).

- `/telegram/bot{token}/sendMessage` with `chat_id` and `text` → `{"ok": true, "result":
  {"message_id", "from" (the bot), "chat", "date", "text", ...}}`; message ids increase.
- `chat_id` missing → 400 "Bad Request: chat_id is empty"; `text` missing or empty → 400
  "Bad Request: message text is empty"; over 4096 UTF-16 code units → 400 "Bad Request:
  message is too long". The length is counted on the text as sent: the fake does not parse
  HTML/MarkdownV2 entities, so markup counts towards the limit here.
- A token that is not `<digits>:<secret>` → 401 "Unauthorized".

Scripted outcomes (see `scripts`, matched on `chat_id`): `flood` → 429 "Too Many Requests:
retry after N" with `parameters.retry_after` (script `retry_after`, default 15), `blocked` →
403 "Forbidden: bot was blocked by the user", `user_deactivated` → 403 "Forbidden: user is
deactivated", `chat_not_found` → 400 "Bad Request: chat not found", `accepted`.
"""

from __future__ import annotations

import re
import time
import zlib
from typing import Any

from ..recorder import RecordedRequest
from ..routes import Response, route
from . import scripts as script_book
from .telegram import PREFIX, fail, ok, params, unauthorized

TEXT_LIMIT_UTF16 = 4096
_TOKEN = re.compile(r"^\d+:[A-Za-z0-9_-]+$")
_OPTIONAL_ECHO = ("reply_markup", "link_preview_options")


def utf16_length(text: str) -> int:
    """How many UTF-16 code units `text` takes, as Telegram counts message length."""
    return len(text.encode("utf-16-le")) // 2


def _chat_id(value: Any) -> int | str:
    text = str(value).strip()
    return int(text) if re.fullmatch(r"-?\d+", text) else text


def _result(token: str, chat_id: int | str, values: dict[str, Any]) -> dict[str, Any]:
    bot_id = int(token.split(":", 1)[0])
    chat: dict[str, Any]
    if isinstance(chat_id, int) and chat_id > 0:
        chat = {"id": chat_id, "first_name": "Sandbox", "type": "private"}
    elif isinstance(chat_id, int):
        chat = {"id": chat_id, "title": "Sandbox group", "type": "supergroup"}
    else:
        chat = {"id": -1000000000000 - zlib.crc32(chat_id.encode()), "type": "channel"}
        chat["username"] = chat_id.lstrip("@")
    message: dict[str, Any] = {
        "message_id": script_book.next_number(),
        "from": {
            "id": bot_id,
            "is_bot": True,
            "first_name": "SandboxBot",
            "username": "sbops_sandbox_bot",
        },
        "chat": chat,
        "date": int(time.time()),
        "text": values["text"],
    }
    for key in _OPTIONAL_ECHO:
        if values.get(key):
            message[key] = values[key]
    return message


def _scripted(outcome: str, script: script_book.Script) -> Response:
    if outcome == "flood":
        return fail(
            429,
            f"Too Many Requests: retry after {script.retry_after}",
            retry_after=script.retry_after,
        )
    if outcome == "blocked":
        return fail(403, "Forbidden: bot was blocked by the user")
    if outcome == "user_deactivated":
        return fail(403, "Forbidden: user is deactivated")
    return fail(400, "Bad Request: chat not found")


def send_message(request: RecordedRequest, token: str) -> Response:
    if not _TOKEN.fullmatch(token):
        return unauthorized()
    log = script_book.sends
    try:
        values = params(request)
    except (ValueError, UnicodeDecodeError):
        response = fail(400, "Bad Request: can't parse JSON object")
        log.add(request, provider="telegram", to=None, outcome="invalid_request", status=400)
        return response
    chat_id = values.get("chat_id")
    text = values.get("text")
    refused = None
    if chat_id is None or str(chat_id).strip() == "":
        refused = fail(400, "Bad Request: chat_id is empty")
    elif not isinstance(text, str) or not text.strip():
        refused = fail(400, "Bad Request: message text is empty")
    elif utf16_length(text) > TEXT_LIMIT_UTF16:
        refused = fail(400, "Bad Request: message is too long")
    if refused is not None:
        log.add(request, provider="telegram", to=chat_id, outcome="invalid_request", status=400)
        return refused
    script = script_book.scripts.take("telegram", chat_id)
    outcome = script.outcome if script else "accepted"
    if script is not None and outcome != "accepted":
        response = _scripted(outcome, script)
        log.add(
            request,
            provider="telegram",
            to=chat_id,
            outcome=outcome,
            status=response.status,
            scripted=True,
        )
        return response
    result = _result(token, _chat_id(chat_id), values)
    log.add(
        request,
        provider="telegram",
        to=chat_id,
        outcome=outcome,
        status=200,
        message_id=str(result["message_id"]),
        scripted=script is not None,
    )
    return ok(result)


for _method in ("GET", "POST"):
    route(_method, f"{PREFIX}/bot{{token}}/sendMessage")(send_message)
