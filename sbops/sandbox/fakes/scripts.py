"""Scripted outcomes for the send fakes, the log of every send, and delayed callbacks.

Control routes (on the default router, next to `/sandbox-media`, so the recorder sees them):

- `POST /sandbox-script` with a JSON object (or a list of them) queues outcomes:
  `{"provider": "whatsapp"|"telegram"|"twilio", "outcome": "...", "to": "4915112345678",
  "times": 1}`. Without `to` the script applies to the next sends to anyone; a script naming
  the recipient is preferred over one that does not. `times` (default 1) counts down with each
  send it answers; `null` keeps it until cleared. Extra fields per outcome:
  `delay` (seconds before each callback, default 0.2), `callback_url`, `app_secret`,
  `phone_number_id`, `waba_id`, `display_phone_number` (WhatsApp `window_closed_later`),
  `retry_after` (Telegram `flood`, default 15), `error_code`, `final_status` (Twilio
  `undeliverable_later`: default 30003 and "failed"). Answers 201 `{"scripts": [...]}`.
- `GET /sandbox-script[?provider=]` lists pending scripts with their remaining `times`;
  `DELETE /sandbox-script[?provider=]` drops them.
- `GET /sandbox-sends[?provider=]` lists every send the fakes answered, oldest first: the
  recorder's request id, `time` (ISO 8601 with microseconds, the recorder's time of the
  request), provider, recipient, outcome, HTTP status, message id, and the callbacks sent for
  it so far. `DELETE /sandbox-sends` forgets them.

State is process-wide, like the media store: tests reset it with `reset()`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import logging
import re
import threading
import time
import urllib.error
import urllib.request
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode, urlsplit

from ..recorder import RecordedRequest
from ..routes import Response, error_response, route

logger = logging.getLogger(__name__)

SCRIPT_PATH = "/sandbox-script"
SENDS_PATH = "/sandbox-sends"
DEFAULT_CALLBACK_DELAY = 0.2
CALLBACK_TIMEOUT = 10.0
SEND_LOG_LIMIT = 10_000

OUTCOMES: dict[str, frozenset[str]] = {
    "whatsapp": frozenset(
        {"accepted", "rate_limited", "pair_rate_limited", "token_expired", "window_closed_later"}
    ),
    "telegram": frozenset({"accepted", "flood", "blocked", "chat_not_found", "user_deactivated"}),
    "twilio": frozenset(
        {"accepted", "invalid_number", "rate_limited", "opted_out", "undeliverable_later"}
        | {"busy", "no_answer"}  # calls only: the call ends without being answered
    ),
}
_FIELDS = frozenset(
    {
        "provider",
        "outcome",
        "to",
        "times",
        "delay",
        "callback_url",
        "app_secret",
        "phone_number_id",
        "waba_id",
        "display_phone_number",
        "retry_after",
        "error_code",
        "final_status",
    }
)


def normalize_recipient(value: Any) -> str:
    """A recipient as scripts match it: no `whatsapp:`/`sms:` prefix, `+`, spaces or dashes."""
    text = str(value if value is not None else "").strip()
    for prefix in ("whatsapp:", "sms:", "tel:"):
        if text.lower().startswith(prefix):
            text = text[len(prefix) :]
    text = re.sub(r"[\s().]", "", text)
    if text.startswith("+"):
        text = text[1:]
    # keep a leading minus (Telegram group chat ids), drop dashes inside phone numbers
    return text[:1] + text[1:].replace("-", "")


@dataclass(frozen=True)
class Script:
    """One scripted outcome; see the module docstring for the fields."""

    provider: str
    outcome: str
    to: str | None = None
    times: int | None = 1
    delay: float = DEFAULT_CALLBACK_DELAY
    callback_url: str | None = None
    app_secret: str | None = None
    phone_number_id: str | None = None
    waba_id: str | None = None
    display_phone_number: str | None = None
    retry_after: int = 15
    error_code: int | None = None
    final_status: str | None = None

    @classmethod
    def from_dict(cls, spec: Mapping[str, Any]) -> Script:
        """Build and check a script. ValueError naming the bad field."""
        if not isinstance(spec, Mapping):
            raise ValueError(f"script must be an object, got {type(spec).__name__}")
        unknown = sorted(set(spec) - _FIELDS)
        if unknown:
            raise ValueError(f"unknown script field(s): {', '.join(unknown)}")
        provider = spec.get("provider")
        if provider not in OUTCOMES:
            raise ValueError(f"provider must be one of {sorted(OUTCOMES)}, got {provider!r}")
        outcome = spec.get("outcome")
        if outcome not in OUTCOMES[provider]:
            raise ValueError(
                f"outcome for {provider} must be one of {sorted(OUTCOMES[provider])}, "
                f"got {outcome!r}"
            )
        times = spec.get("times", 1)
        if times is not None and (not _is_int(times) or times < 1):
            raise ValueError(f"times must be an int >= 1, or null: {times!r}")
        delay = spec.get("delay", DEFAULT_CALLBACK_DELAY)
        if not _is_number(delay) or not 0 <= delay <= 60:
            raise ValueError(f"delay must be a number of seconds from 0 to 60: {delay!r}")
        retry_after = spec.get("retry_after", 15)
        if not _is_int(retry_after) or retry_after < 1:
            raise ValueError(f"retry_after must be an int >= 1: {retry_after!r}")
        error_code = spec.get("error_code")
        if error_code is not None and not _is_int(error_code):
            raise ValueError(f"error_code must be an int: {error_code!r}")
        final_status = spec.get("final_status")
        if final_status not in (None, "failed", "undelivered"):
            raise ValueError(f"final_status must be failed or undelivered: {final_status!r}")
        strings = {}
        for name in ("callback_url", "app_secret", "phone_number_id", "waba_id"):
            value = spec.get(name)
            if value is not None and (not isinstance(value, str) or not value):
                raise ValueError(f"{name} must be a non-empty string: {value!r}")
            strings[name] = value
        display = spec.get("display_phone_number")
        if strings["callback_url"] is not None:
            target = urlsplit(strings["callback_url"])
            if target.scheme not in ("http", "https") or not target.hostname:
                raise ValueError(f"callback_url must be an http(s) URL: {target.geturl()!r}")
        if outcome == "window_closed_later" and not (
            strings["callback_url"] and strings["app_secret"]
        ):
            raise ValueError("window_closed_later needs callback_url and app_secret")
        to = spec.get("to")
        if to is not None and (not isinstance(to, str | int) or not str(to).strip()):
            raise ValueError(f"to must be a non-empty string: {to!r}")
        return cls(
            provider=provider,
            outcome=outcome,
            to=None if to is None else normalize_recipient(to),
            times=times,
            delay=float(delay),
            retry_after=retry_after,
            error_code=error_code,
            final_status=final_status,
            display_phone_number=None if display is None else str(display),
            **strings,
        )

    def to_dict(self) -> dict[str, Any]:
        found = asdict(self)
        found.pop("app_secret")  # a secret is never shown back
        return found


class ScriptBook:
    """Thread-safe queue of pending scripts; `take` uses one up for a send."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: list[list[Any]] = []  # [script, remaining times or None]

    def add(self, script: Script) -> Script:
        with self._lock:
            self._pending.append([script, script.times])
        return script

    def take(self, provider: str, recipient: Any) -> Script | None:
        """Use up the first script for `recipient` (else the first for anyone), or None."""
        who = normalize_recipient(recipient)
        with self._lock:
            candidates = [
                (index, entry)
                for index, entry in enumerate(self._pending)
                if entry[0].provider == provider and entry[0].to in (who, None)
            ]
            if not candidates:
                return None
            candidates.sort(key=lambda pair: pair[1][0].to is None)  # stable
            index, entry = candidates[0]
            script, remaining = entry
            if remaining is not None:
                if remaining <= 1:
                    del self._pending[index]
                else:
                    entry[1] = remaining - 1
            return script

    def list(self, provider: str | None = None) -> list[Script]:
        with self._lock:
            return [
                Script(**{**asdict(script), "times": remaining})
                for script, remaining in self._pending
                if provider is None or script.provider == provider
            ]

    def clear(self, provider: str | None = None) -> int:
        with self._lock:
            before = len(self._pending)
            self._pending = [
                entry
                for entry in self._pending
                if provider is not None and entry[0].provider != provider
            ]
            return before - len(self._pending)


@dataclass
class SendRecord:
    """One send a fake answered (callbacks are appended as they are delivered)."""

    request_id: int
    time: datetime
    provider: str
    kind: str
    method: str
    path: str
    to: str
    outcome: str
    status: int
    message_id: str | None = None
    scripted: bool = False
    callbacks: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "request_id": self.request_id,
            "time": iso(self.time),
            "provider": self.provider,
            "kind": self.kind,
            "method": self.method,
            "path": self.path,
            "to": self.to,
            "outcome": self.outcome,
            "status": self.status,
            "message_id": self.message_id,
            "scripted": self.scripted,
            "callbacks": [dict(c) for c in self.callbacks],
        }


class SendLog:
    """Thread-safe log of sends, oldest first; the oldest are forgotten past `limit`."""

    def __init__(self, limit: int = SEND_LOG_LIMIT) -> None:
        self._lock = threading.Lock()
        self._sends: deque[SendRecord] = deque(maxlen=limit)

    def add(
        self,
        request: RecordedRequest,
        *,
        provider: str,
        to: Any,
        outcome: str,
        status: int,
        kind: str = "message",
        message_id: str | None = None,
        scripted: bool = False,
    ) -> SendRecord:
        record = SendRecord(
            request_id=request.id,
            time=request.time,
            provider=provider,
            kind=kind,
            method=request.method,
            path=request.path,
            to=str(to if to is not None else ""),
            outcome=outcome,
            status=status,
            message_id=message_id,
            scripted=scripted,
        )
        with self._lock:
            self._sends.append(record)
        return record

    def note_callback(self, record: SendRecord, result: Mapping[str, Any]) -> None:
        with self._lock:
            record.callbacks.append(dict(result))

    def list(self, provider: str | None = None) -> list[dict[str, Any]]:
        with self._lock:
            return [s.to_dict() for s in self._sends if provider in (None, s.provider)]

    def clear(self) -> int:
        with self._lock:
            cleared = len(self._sends)
            self._sends.clear()
        return cleared


scripts = ScriptBook()
sends = SendLog()


def reset() -> None:
    """Drop every pending script and logged send (tests call this between cases)."""
    scripts.clear()
    sends.clear()


def iso(moment: datetime) -> str:
    return moment.isoformat(timespec="microseconds")


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


# --- signatures (the same algorithms as the console's adapters, in stdlib) ----------------


def meta_signature(body: bytes, app_secret: str) -> str:
    """X-Hub-Signature-256 for `body`: `sha256=` + hex HMAC-SHA256 with the app secret."""
    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


def twilio_signature(url: str, params: Mapping[str, str], auth_token: str) -> str:
    """X-Twilio-Signature: base64 HMAC-SHA1 over the URL + each sorted name + value."""
    payload = url + "".join(f"{name}{params[name]}" for name in sorted(params))
    digest = hmac.new(auth_token.encode(), payload.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


# --- delayed callbacks ---------------------------------------------------------------------


@dataclass(frozen=True)
class Callback:
    """One HTTP request a fake makes later (a status webhook), after `delay` seconds."""

    delay: float
    url: str
    body: bytes
    headers: dict[str, str]
    label: str
    method: str = "POST"


_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def deliver_later(record: SendRecord, callbacks: Iterable[Callback]) -> None:
    """Send `callbacks` one after another from a daemon thread, noting each in `record`."""
    queued = list(callbacks)
    if not queued:
        return
    thread = threading.Thread(
        target=_deliver, args=(record, queued), name="sbops-sandbox-callbacks", daemon=True
    )
    thread.start()


def _deliver(record: SendRecord, callbacks: list[Callback]) -> None:
    for callback in callbacks:
        if callback.delay > 0:
            time.sleep(callback.delay)
        result: dict[str, Any] = {"label": callback.label, "url": callback.url}
        request = urllib.request.Request(  # noqa: S310 - scheme checked when scripted/sent
            callback.url,
            data=callback.body if callback.method == "POST" else None,
            headers=callback.headers,
            method=callback.method,
        )
        try:
            with _opener.open(request, timeout=CALLBACK_TIMEOUT) as response:
                response.read()
                result["http_status"] = response.status
        except urllib.error.HTTPError as exc:
            result["http_status"] = exc.code
        except (OSError, ValueError) as exc:
            result["error"] = f"{type(exc).__name__}: {exc}"
            logger.info("sandbox callback to %s failed: %s", callback.url, exc)
        result["time"] = iso(datetime.now(UTC))
        sends.note_callback(record, result)


def form_callback(
    delay: float, url: str, params: Mapping[str, str], auth_token: str, label: str, method: str
) -> Callback:
    """A Twilio-style status callback, form-encoded (or in the query for GET) and signed."""
    if method == "GET":
        separator = "&" if urlsplit(url).query else "?"
        full = f"{url}{separator}{urlencode(params)}"
        headers = {"X-Twilio-Signature": twilio_signature(full, {}, auth_token)}
        return Callback(delay, full, b"", headers, label, "GET")
    headers = {
        "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
        "X-Twilio-Signature": twilio_signature(url, params, auth_token),
        "User-Agent": "TwilioProxy/1.1",
    }
    return Callback(delay, url, urlencode(params).encode(), headers, label)


def json_callback(delay: float, url: str, payload: Any, app_secret: str, label: str) -> Callback:
    """A Meta-style webhook: JSON with escaped non-ASCII, signed with X-Hub-Signature-256."""
    body = json.dumps(payload).encode("utf-8")
    headers = {
        "Content-Type": "application/json",
        "X-Hub-Signature-256": meta_signature(body, app_secret),
        "User-Agent": "facebookexternalua",
    }
    return Callback(delay, url, body, headers, label)


# --- control routes ------------------------------------------------------------------------


def _provider_filter(request: RecordedRequest) -> tuple[str | None, Response | None]:
    provider = (request.query.get("provider") or [None])[0] or None
    if provider is not None and provider not in OUTCOMES:
        return None, error_response(
            400, "sandbox_invalid_script", f"unknown provider {provider!r}", field="provider"
        )
    return provider, None


@route("POST", SCRIPT_PATH)
def add_scripts(request: RecordedRequest) -> Response:
    try:
        spec = request.json()
        specs = spec if isinstance(spec, list) else [spec]
        built = [Script.from_dict(item) for item in specs]
    except ValueError as exc:  # JSONDecodeError is a ValueError
        return error_response(400, "sandbox_invalid_script", str(exc))
    for script in built:
        scripts.add(script)
    return Response(status=201, body={"scripts": [s.to_dict() for s in built]})


@route("GET", SCRIPT_PATH)
def list_scripts(request: RecordedRequest) -> Response:
    provider, refused = _provider_filter(request)
    if refused:
        return refused
    return Response(body={"scripts": [s.to_dict() for s in scripts.list(provider)]})


@route("DELETE", SCRIPT_PATH)
def clear_scripts(request: RecordedRequest) -> Response:
    provider, refused = _provider_filter(request)
    if refused:
        return refused
    return Response(body={"ok": True, "cleared": scripts.clear(provider)})


@route("GET", SENDS_PATH)
def list_sends(request: RecordedRequest) -> Response:
    provider, refused = _provider_filter(request)
    if refused:
        return refused
    return Response(body={"sends": sends.list(provider)})


@route("DELETE", SENDS_PATH)
def clear_sends(request: RecordedRequest) -> Response:
    return Response(body={"ok": True, "cleared": sends.clear()})


_ids = itertools.count(1)


def next_number() -> int:
    """A process-wide increasing number for fake ids."""
    return next(_ids)
