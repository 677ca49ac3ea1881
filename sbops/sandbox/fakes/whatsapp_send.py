"""Fake WhatsApp Cloud API sending and templates, under `/whatsapp/v25.0`.

- `POST /whatsapp/v25.0/{phone_number_id}/messages` (JSON, `Authorization: Bearer <token>` or
  an `access_token` query parameter) → 200 `{"messaging_product": "whatsapp", "contacts":
  [{"input", "wa_id"}], "messages": [{"id": "wamid.SANDBOX…", "message_status": "accepted"}]}`.
  No token: 401 `OAuthException` code 190. `messaging_product` must be "whatsapp", `to` (or the
  2026 `recipient` BSUID) is required, `type` (default "text") must be a known type with its
  object; a text body over 4096 characters gets 400 code 100. Template sends are checked
  against the template store: unknown name/language or not APPROVED → 132001, PAUSED →
  132015, DISABLED → 132016, wrong body/header parameter count → 132000.
- `GET /whatsapp/v25.0/{waba_id}/message_templates` → `{"data": [...], "paging": {"cursors":
  {"before", "after"}, "next"}}` with `limit` (default 25), `after`/`before` cursors and the
  `name`, `status`, `category`, `language` filters; `next` points back at this sandbox.
- Control: `POST /sandbox-templates` with a list of template objects (or `{"templates": [...]}`)
  replaces the store (`name`, `language` required; `status` defaults to APPROVED, `category` to
  UTILITY, `parameter_format` to POSITIONAL, `components` to [], `id` to a fresh number);
  `GET /sandbox-templates` lists it, `DELETE /sandbox-templates` restores the two defaults
  (`hello_world` en_US, `order_update` de with two positional body parameters).

Scripted outcomes (see `scripts`): `rate_limited` (400, 130429), `pair_rate_limited` (400,
131056), `token_expired` (401, 190 OAuthException, subcode 463), `window_closed_later` (200
accepted, then after `delay` a `statuses[].status=failed` webhook with error 131047 POSTed to
`callback_url`, signed with `app_secret` as X-Hub-Signature-256), `accepted`.
"""

from __future__ import annotations

import base64
import copy
import re
import secrets
import threading
import time
from typing import Any
from urllib.parse import urlencode

from ..recorder import RecordedRequest
from ..routes import Response, error_response, route
from . import scripts as script_book
from .whatsapp import GRAPH_PREFIX, graph_error

TEMPLATES_PATH = "/sandbox-templates"
TEXT_BODY_LIMIT = 4096
DEFAULT_PAGE_SIZE = 25
MAX_PAGE_SIZE = 1000
MESSAGE_TYPES = frozenset(
    {
        "text",
        "template",
        "image",
        "audio",
        "video",
        "document",
        "sticker",
        "location",
        "contacts",
        "interactive",
        "reaction",
    }
)
CATEGORIES = frozenset({"MARKETING", "UTILITY", "AUTHENTICATION"})
TEMPLATE_STATUSES = frozenset(
    {
        "APPROVED",
        "PENDING",
        "REJECTED",
        "PAUSED",
        "DISABLED",
        "IN_APPEAL",
        "PENDING_DELETION",
        "DELETED",
        "LIMIT_EXCEEDED",
        "ARCHIVED",
        "FLAGGED",
        "REINSTATED",
        "LOCKED",
    }
)
_TEMPLATE_NAME = re.compile(r"^[a-z0-9_]{1,512}$")
_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z0-9_]+)\s*\}\}")

DEFAULT_TEMPLATES: list[dict[str, Any]] = [
    {
        "name": "hello_world",
        "language": "en_US",
        "status": "APPROVED",
        "category": "UTILITY",
        "parameter_format": "POSITIONAL",
        "id": "1000000000000001",
        "components": [
            {"type": "HEADER", "format": "TEXT", "text": "Hello World"},
            {"type": "BODY", "text": "Welcome and congratulations!! (sandbox)"},
        ],
    },
    {
        "name": "order_update",
        "language": "de",
        "status": "APPROVED",
        "category": "UTILITY",
        "parameter_format": "POSITIONAL",
        "id": "1000000000000002",
        "components": [
            {"type": "HEADER", "format": "TEXT", "text": "Bestellstatus"},
            {
                "type": "BODY",
                "text": "Hallo {{1}}, Ihre Bestellung {{2}} ist unterwegs.",
                "example": {"body_text": [["Lena", "#4711"]]},
            },
            {"type": "FOOTER", "text": "Antworten Sie STOP zum Abmelden"},
        ],
    },
]


class TemplateStore:
    """The templates the fake knows (thread-safe); one list for every WABA."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._templates: list[dict[str, Any]] = copy.deepcopy(DEFAULT_TEMPLATES)

    def replace(self, templates: list[dict[str, Any]]) -> None:
        with self._lock:
            self._templates = copy.deepcopy(templates)

    def reset(self) -> None:
        self.replace(DEFAULT_TEMPLATES)

    def all(self) -> list[dict[str, Any]]:
        with self._lock:
            return copy.deepcopy(self._templates)

    def find(self, name: str, language: str) -> dict[str, Any] | None:
        with self._lock:
            for template in self._templates:
                if template["name"] == name and template["language"] == language:
                    return copy.deepcopy(template)
        return None


templates = TemplateStore()


def normalize_template(spec: Any, index: int) -> dict[str, Any]:
    """A complete template object from a control-route spec. ValueError naming the field."""
    where = f"templates[{index}]"
    if not isinstance(spec, dict):
        raise ValueError(f"{where} must be an object")
    name = spec.get("name")
    if not isinstance(name, str) or not _TEMPLATE_NAME.fullmatch(name):
        raise ValueError(f"{where}.name must be lowercase letters, digits and _: {name!r}")
    language = spec.get("language")
    if not isinstance(language, str) or not language:
        raise ValueError(f"{where}.language must be a non-empty string: {language!r}")
    status = spec.get("status", "APPROVED")
    if status not in TEMPLATE_STATUSES:
        raise ValueError(f"{where}.status must be one of {sorted(TEMPLATE_STATUSES)}")
    category = spec.get("category", "UTILITY")
    if category not in CATEGORIES:
        raise ValueError(f"{where}.category must be one of {sorted(CATEGORIES)}")
    parameter_format = spec.get("parameter_format", "POSITIONAL")
    if parameter_format not in ("POSITIONAL", "NAMED"):
        raise ValueError(f"{where}.parameter_format must be POSITIONAL or NAMED")
    components = spec.get("components", [])
    if not isinstance(components, list) or not all(isinstance(c, dict) for c in components):
        raise ValueError(f"{where}.components must be a list of objects")
    template_id = str(spec.get("id") or 1_400_000_000_000_000 + script_book.next_number())
    return {
        **spec,
        "name": name,
        "language": language,
        "status": status,
        "category": category,
        "parameter_format": parameter_format,
        "components": components,
        "id": template_id,
    }


# --- sending -------------------------------------------------------------------------------


def _token(request: RecordedRequest) -> str:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return (request.query.get("access_token") or [""])[0]


def _no_token() -> Response:
    return graph_error(401, 190, "Invalid OAuth access token - Cannot parse access token")


def _param_error(message: str, code: int = 100, **extra: Any) -> Response:
    return graph_error(400, code, f"(#{code}) {message}", **extra)


def _whatsapp_error(code: int, title: str, details: str, status: int = 400) -> Response:
    return graph_error(
        status,
        code,
        f"(#{code}) {title}",
        error_data={"messaging_product": "whatsapp", "details": details},
    )


def new_wamid() -> str:
    raw = f"SANDBOX{script_book.next_number():012d}{secrets.token_hex(6).upper()}"
    return "wamid.SANDBOX" + base64.b64encode(raw.encode()).decode().rstrip("=")


def _count_placeholders(text: str) -> int:
    return len(set(_PLACEHOLDER.findall(text)))


def _check_template(payload: dict[str, Any]) -> Response | None:
    """None when the template send matches an approved template, else Graph's error."""
    template = payload.get("template")
    if not isinstance(template, dict):
        return _param_error("The parameter template is required.")
    name = template.get("name")
    if not isinstance(name, str) or not name:
        return _param_error("The parameter template['name'] is required.")
    language = template.get("language")
    code = language.get("code") if isinstance(language, dict) else None
    if not isinstance(code, str) or not code:
        return _param_error("The parameter template['language']['code'] is required.")
    found = templates.find(name, code)
    if found is None or found["status"] not in ("APPROVED", "PAUSED", "DISABLED"):
        return _whatsapp_error(
            132001,
            "Template name does not exist in the translation",
            f"template name ({name}) does not exist in {code}",
        )
    if found["status"] == "PAUSED":
        return _whatsapp_error(132015, "Template is Paused", f"Template {name} is paused")
    if found["status"] == "DISABLED":
        return _whatsapp_error(132016, "Template is disabled", f"Template {name} is disabled")
    sent = template.get("components") or []
    if not isinstance(sent, list):
        return _param_error("Param template['components'] must be an array.")
    for part in ("BODY", "HEADER"):
        expected = sum(
            _count_placeholders(str(c.get("text") or ""))
            for c in found["components"]
            if str(c.get("type", "")).upper() == part
            and str(c.get("format", "TEXT")).upper() == "TEXT"
        )
        given = sum(
            len(c.get("parameters") or [])
            for c in sent
            if isinstance(c, dict) and str(c.get("type", "")).lower() == part.lower()
        )
        if part == "HEADER" and expected == 0:
            continue  # media headers take a parameter the store does not describe
        if expected != given:
            return _whatsapp_error(
                132000,
                "Number of parameters does not match the expected number of params",
                f"{part.lower()}: number of localizable_params ({given}) does not match the "
                f"expected number of params ({expected})",
            )
    return None


def _validate(payload: Any) -> Response | None:
    if not isinstance(payload, dict):
        return _param_error("The request body must be a JSON object.")
    if payload.get("messaging_product") != "whatsapp":
        return _param_error("The parameter messaging_product is required.")
    recipient = payload.get("to") or payload.get("recipient")
    if not isinstance(recipient, str | int) or not str(recipient).strip():
        return _param_error("The parameter to is required.")
    kind = payload.get("type", "text")
    if kind not in MESSAGE_TYPES:
        return _param_error(f"Param type must be one of {{{', '.join(sorted(MESSAGE_TYPES))}}}")
    if kind == "template":
        return _check_template(payload)
    content = payload.get(kind)
    if not isinstance(content, dict):
        return _param_error(f"The parameter {kind} is required.")
    if kind == "text":
        body = content.get("body")
        if not isinstance(body, str) or not body:
            return _param_error("The parameter text['body'] is required.")
        if len(body) > TEXT_BODY_LIMIT:
            return _param_error(
                f"Param text['body'] must be at most {TEXT_BODY_LIMIT} characters long."
            )
    return None


def _failed_status_webhook(
    script: script_book.Script, phone_number_id: str, wamid: str, wa_id: str, recipient: str
) -> dict[str, Any]:
    status: dict[str, Any] = {
        "id": wamid,
        "status": "failed",
        "timestamp": str(int(time.time())),
        "recipient_id": wa_id or recipient,
        "errors": [
            {
                "code": 131047,
                "title": "Re-engagement message",
                "message": "Re-engagement message",
                "error_data": {
                    "details": "Message failed to send because more than 24 hours have passed "
                    "since the customer last replied to this number."
                },
                "href": "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/",
            }
        ],
    }
    if not wa_id:
        status["recipient_user_id"] = recipient
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": script.waba_id or "0",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {
                                "display_phone_number": script.display_phone_number
                                or "15550000000",
                                "phone_number_id": script.phone_number_id or phone_number_id,
                            },
                            "statuses": [status],
                        },
                    }
                ],
            }
        ],
    }


def _scripted_error(outcome: str) -> Response:
    if outcome == "rate_limited":
        return _whatsapp_error(
            130429, "Rate limit hit", "Cloud API message throughput has been reached."
        )
    if outcome == "pair_rate_limited":
        return _whatsapp_error(
            131056,
            "(Business Account, Consumer Account) pair rate limit hit",
            "Message failed to send because there were too many messages sent from this phone "
            "number to the same phone number in a short period of time.",
        )
    # token_expired
    return graph_error(
        401,
        190,
        "Error validating access token: Session has expired on Thursday, 01-Jan-26 "
        "10:00:00 PST. The current time is Thursday, 01-Jan-26 10:00:01 PST.",
        error_subcode=463,
    )


@route("POST", GRAPH_PREFIX + "/{phone_number_id}/messages")
def send_message(request: RecordedRequest, phone_number_id: str) -> Response:
    if not _token(request):
        return _no_token()
    try:
        payload = request.json()
    except (ValueError, UnicodeDecodeError):
        return _param_error("The request body could not be parsed as JSON.")
    refused = _validate(payload)
    log = script_book.sends
    recipient_raw = (
        (payload.get("to") or payload.get("recipient")) if isinstance(payload, dict) else None
    )
    if refused is not None:
        log.add(
            request,
            provider="whatsapp",
            to=recipient_raw,
            outcome="invalid_request",
            status=refused.status,
        )
        return refused
    recipient = str(recipient_raw).strip()
    script = script_book.scripts.take("whatsapp", recipient)
    outcome = script.outcome if script else "accepted"
    if outcome in ("rate_limited", "pair_rate_limited", "token_expired"):
        response = _scripted_error(outcome)
        log.add(
            request,
            provider="whatsapp",
            to=recipient,
            outcome=outcome,
            status=response.status,
            scripted=True,
        )
        return response
    wamid = new_wamid()
    wa_id = re.sub(r"\D", "", recipient) if payload.get("to") else ""
    contact = {"input": recipient, "wa_id": wa_id} if wa_id else {"input": recipient}
    if not wa_id:
        contact["user_id"] = recipient
    record = log.add(
        request,
        provider="whatsapp",
        kind=str(payload.get("type", "text")),
        to=recipient,
        outcome=outcome,
        status=200,
        message_id=wamid,
        scripted=script is not None,
    )
    if script is not None and outcome == "window_closed_later":
        assert script.callback_url and script.app_secret  # checked by Script.from_dict
        webhook = _failed_status_webhook(script, phone_number_id, wamid, wa_id, recipient)
        script_book.deliver_later(
            record,
            [
                script_book.json_callback(
                    script.delay, script.callback_url, webhook, script.app_secret, "failed"
                )
            ],
        )
    return Response(
        body={
            "messaging_product": "whatsapp",
            "contacts": [contact],
            "messages": [{"id": wamid, "message_status": "accepted"}],
        }
    )


# --- templates -----------------------------------------------------------------------------


def _cursor(index: int) -> str:
    return base64.urlsafe_b64encode(f"sandbox-cursor:{index}".encode()).decode().rstrip("=")


def _cursor_index(cursor: str) -> int | None:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    prefix, _, number = raw.partition(":")
    return int(number) if prefix == "sandbox-cursor" and number.isdigit() else None


@route("GET", GRAPH_PREFIX + "/{waba_id}/message_templates")
def list_message_templates(request: RecordedRequest, waba_id: str) -> Response:
    if not _token(request):
        return _no_token()

    def first(name: str) -> str:
        return (request.query.get(name) or [""])[0]

    try:
        limit = int(first("limit") or DEFAULT_PAGE_SIZE)
    except ValueError:
        return _param_error("Param limit must be a positive integer.")
    if not 1 <= limit <= MAX_PAGE_SIZE:
        return _param_error("Param limit must be a positive integer.")
    found = templates.all()
    for key in ("status", "category", "language"):
        wanted = first(key)
        if wanted:
            found = [t for t in found if str(t.get(key, "")).upper() == wanted.upper()]
    if first("name"):
        found = [t for t in found if first("name").lower() in t["name"]]
    start, end = 0, min(limit, len(found))
    if first("after"):
        after = _cursor_index(first("after"))
        if after is None:
            return _param_error("Invalid cursor: after")
        start, end = after + 1, min(after + 1 + limit, len(found))
    elif first("before"):
        before = _cursor_index(first("before"))
        if before is None:
            return _param_error("Invalid cursor: before")
        start, end = max(0, before - limit), min(before, len(found))
    page = found[start:end]
    fields = [f.strip() for f in first("fields").split(",") if f.strip()]
    if fields:
        page = [{k: v for k, v in t.items() if k in fields or k == "id"} for t in page]
    body: dict[str, Any] = {"data": page}
    if page:
        host = request.headers.get("host", "127.0.0.1")
        base = f"http://{host}{GRAPH_PREFIX}/{waba_id}/message_templates"
        kept = {k: v[0] for k, v in request.query.items() if v and k not in ("after", "before")}
        paging: dict[str, Any] = {"cursors": {"before": _cursor(start), "after": _cursor(end - 1)}}
        if end < len(found):
            paging["next"] = f"{base}?{urlencode({**kept, 'after': _cursor(end - 1)})}"
        if start > 0:
            paging["previous"] = f"{base}?{urlencode({**kept, 'before': _cursor(start)})}"
        body["paging"] = paging
    return Response(body=body)


@route("POST", TEMPLATES_PATH)
def configure_templates(request: RecordedRequest) -> Response:
    try:
        spec = request.json()
        if isinstance(spec, dict):
            spec = spec.get("templates")
        if not isinstance(spec, list):
            raise ValueError('expected a list of templates or {"templates": [...]}')
        built = [normalize_template(item, i) for i, item in enumerate(spec)]
        keys = [(t["name"], t["language"]) for t in built]
        if len(set(keys)) != len(keys):
            raise ValueError("two templates share a name and language")
    except ValueError as exc:
        return error_response(400, "sandbox_invalid_templates", str(exc))
    templates.replace(built)
    return Response(status=201, body={"templates": built})


@route("GET", TEMPLATES_PATH)
def show_templates(request: RecordedRequest) -> Response:
    return Response(body={"templates": templates.all()})


@route("DELETE", TEMPLATES_PATH)
def reset_templates(request: RecordedRequest) -> Response:
    templates.reset()
    return Response(body={"templates": templates.all()})
