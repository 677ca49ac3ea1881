"""Fake Telegram Bot API, under `/telegram` (the real base is https://api.telegram.org).

- `/telegram/bot{token}/getFile` → `{"ok": true, "result": {file_id, file_unique_id,
  file_size, file_path}}`; files over 20 MB get Telegram's 400 "file is too big".
- `/telegram/file/bot{token}/{file_path}` → the bytes (as application/octet-stream, like
  Telegram's file server).
- `/telegram/bot{token}/answerCallbackQuery` → `{"ok": true, "result": true}`.
- `/telegram/bot{token}/setWebhook` (url, secret_token, allowed_updates, max_connections,
  drop_pending_updates) and `/telegram/bot{token}/getWebhookInfo`, remembered per token.

Methods accept GET query parameters, a JSON body or a url-encoded form, as Telegram does.
A token that is not `<digits>:<secret>` gets 401 {"ok": false, "error_code": 401,
"description": "Unauthorized"}. Every answer uses Telegram's `{"ok": ..., ...}` envelope.
"""

from __future__ import annotations

import json
import re
import threading
from typing import Any
from urllib.parse import urlsplit

from ..recorder import RecordedRequest
from ..routes import Response, route
from .media_store import StoredMedia, media_store

PREFIX = "/telegram"
DOWNLOAD_LIMIT_BYTES = 20 * 1024 * 1024  # the Bot API's getFile limit
WEBHOOK_PORTS = frozenset({80, 88, 443, 8443})
_TOKEN = re.compile(r"^\d+:[A-Za-z0-9_-]+$")
_SECRET_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
DEFAULT_ALLOWED_UPDATES = ["message", "edited_message", "callback_query"]


def ok(result: Any, **extra: Any) -> Response:
    return Response(body={"ok": True, "result": result, **extra})


def fail(error_code: int, description: str, **parameters: Any) -> Response:
    body: dict[str, Any] = {"ok": False, "error_code": error_code, "description": description}
    if parameters:
        body["parameters"] = parameters
    return Response(status=error_code, body=body)


def unauthorized() -> Response:
    return fail(401, "Unauthorized")


def params(request: RecordedRequest) -> dict[str, Any]:
    """The method's parameters: query string, then a JSON or url-encoded body over it."""
    found: dict[str, Any] = {k: v[0] for k, v in request.query.items() if v}
    content_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if not request.body:
        return found
    if content_type == "application/json":
        body = request.json()
        if isinstance(body, dict):
            found.update(body)
    elif content_type == "application/x-www-form-urlencoded":
        found.update({k: v[0] for k, v in request.form().items() if v})
    return found


class WebhookRegistry:
    """setWebhook state per bot token (thread-safe). The secret token is never shown back."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_token: dict[str, dict[str, Any]] = {}

    def set(self, token: str, settings: dict[str, Any]) -> None:
        with self._lock:
            self._by_token[token] = dict(settings)

    def delete(self, token: str) -> None:
        with self._lock:
            self._by_token.pop(token, None)

    def get(self, token: str) -> dict[str, Any] | None:
        with self._lock:
            found = self._by_token.get(token)
            return dict(found) if found else None

    def clear(self) -> None:
        with self._lock:
            self._by_token.clear()


webhooks = WebhookRegistry()


def _bot_method(name: str):
    """Register a handler for `name` under GET and POST, with the token checked first."""

    def register(handler):
        def checked(request: RecordedRequest, token: str) -> Response:
            if not _TOKEN.fullmatch(token):
                return unauthorized()
            try:
                values = params(request)
            except (ValueError, UnicodeDecodeError):
                return fail(400, "Bad Request: can't parse JSON object")
            return handler(token, values)

        for method in ("GET", "POST"):
            route(method, f"{PREFIX}/bot{{token}}/{name}")(checked)
        return handler

    return register


def _owned_by_other_bot(item: StoredMedia, token: str) -> bool:
    expected = item.credentials.get("bot_token")
    return bool(expected) and expected != token


@_bot_method("getFile")
def get_file(token: str, values: dict[str, Any]) -> Response:
    file_id = str(values.get("file_id") or "")
    if not file_id:
        return fail(400, "Bad Request: file_id not specified")
    item = media_store.find("telegram", "file_id", file_id)
    if item is None or _owned_by_other_bot(item, token):
        return fail(400, "Bad Request: invalid file_id")
    if item.size > DOWNLOAD_LIMIT_BYTES:
        return fail(400, "Bad Request: file is too big")
    return ok(
        {
            "file_id": item.refs["file_id"],
            "file_unique_id": item.refs["file_unique_id"],
            "file_size": item.size,
            "file_path": item.refs["file_path"],
        }
    )


def _serve_file(token: str, file_path: str) -> Response:
    if not _TOKEN.fullmatch(token):
        return unauthorized()
    item = media_store.find("telegram", "file_path", file_path)
    if item is None or _owned_by_other_bot(item, token) or item.size > DOWNLOAD_LIMIT_BYTES:
        return fail(404, "Not Found")
    return Response(body=item.content, content_type="application/octet-stream")


@route("GET", PREFIX + "/file/bot{token}/{folder}/{name}")
def download_file(request: RecordedRequest, token: str, folder: str, name: str) -> Response:
    return _serve_file(token, f"{folder}/{name}")


@route("GET", PREFIX + "/file/bot{token}/{name}")
def download_top_level_file(request: RecordedRequest, token: str, name: str) -> Response:
    return _serve_file(token, name)


@_bot_method("answerCallbackQuery")
def answer_callback_query(token: str, values: dict[str, Any]) -> Response:
    if not str(values.get("callback_query_id") or ""):
        return fail(400, "Bad Request: query_id_invalid")
    if len(str(values.get("text") or "")) > 200:
        return fail(400, "Bad Request: MESSAGE_TOO_LONG")
    return ok(True)


def _allowed_updates(value: Any) -> list[str] | None:
    """The parsed allowed_updates; ValueError when it is not a JSON array of strings."""
    if value is None or value == "":
        return None
    parsed = json.loads(value) if isinstance(value, str) else value
    if not isinstance(parsed, list) or not all(isinstance(item, str) for item in parsed):
        raise ValueError("allowed_updates must be an array of strings")
    return parsed


@_bot_method("setWebhook")
def set_webhook(token: str, values: dict[str, Any]) -> Response:
    url = str(values.get("url") or "")
    if not url:
        webhooks.delete(token)
        return ok(True, description="Webhook was deleted")
    target = urlsplit(url)
    if target.scheme != "https" or not target.hostname:
        return fail(400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook")
    try:
        port = target.port or 443
    except ValueError:
        return fail(400, "Bad Request: bad webhook: Failed to resolve host: Invalid port")
    if port not in WEBHOOK_PORTS:
        return fail(
            400, "Bad Request: bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443"
        )
    secret_token = values.get("secret_token")
    if secret_token is not None and not _SECRET_TOKEN.fullmatch(str(secret_token)):
        return fail(400, "Bad Request: secret token contains unallowed characters")
    try:
        allowed = _allowed_updates(values.get("allowed_updates"))
    except (ValueError, TypeError):
        return fail(400, "Bad Request: can't parse allowed updates")
    try:
        max_connections = int(values.get("max_connections") or 40)
    except (TypeError, ValueError):
        return fail(400, "Bad Request: invalid max_connections")
    if not 1 <= max_connections <= 100:
        return fail(400, "Bad Request: invalid max_connections")
    previous = webhooks.get(token) or {}
    webhooks.set(
        token,
        {
            "url": url,
            "secret_token": secret_token,
            "allowed_updates": allowed
            if allowed is not None
            else previous.get("allowed_updates", DEFAULT_ALLOWED_UPDATES),
            "max_connections": max_connections,
        },
    )
    already = previous.get("url") == url
    return ok(True, description="Webhook is already set" if already else "Webhook was set")


@_bot_method("getWebhookInfo")
def get_webhook_info(token: str, values: dict[str, Any]) -> Response:
    current = webhooks.get(token)
    if current is None:
        return ok({"url": "", "has_custom_certificate": False, "pending_update_count": 0})
    return ok(
        {
            "url": current["url"],
            "has_custom_certificate": False,
            "pending_update_count": 0,
            "max_connections": current["max_connections"],
            "ip_address": "149.154.167.220",
            "allowed_updates": current["allowed_updates"],
        }
    )
