"""The send fakes (WhatsApp, Telegram, Twilio), their scripts and callbacks, over real HTTP."""

from __future__ import annotations

import hashlib
import hmac
import json
import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
from twilio.base.exceptions import TwilioRestException
from twilio.request_validator import RequestValidator
from twilio.rest import Client as TwilioClient

import sbops.sandbox.fakes  # noqa: F401 - registers the fakes on the default router
from sbops.sandbox import SandboxServer
from sbops.sandbox.fakes import scripts as send_scripts
from sbops.sandbox.fakes.whatsapp_send import templates as template_store

PHONE_NUMBER_ID = "106540352242922"
WABA_ID = "102290129340398"
WA_TOKEN = "EAAG-sandbox-token"
CUSTOMER = "4915112345678"
BOT_TOKEN = "7012345678:AAH-sandbox-bot-token_1"
CHAT_ID = 5523108871
ACCOUNT_SID = "AC0123456789abcdef0123456789abcdef"
AUTH_TOKEN = "sandbox-auth-token-0123456789"
TWILIO_FROM = "+14155550100"
TWILIO_TO = "+14155550123"
APP_SECRET = "sandbox-app-secret"


@pytest.fixture(autouse=True)
def clean_state() -> Iterator[None]:
    send_scripts.reset()
    template_store.reset()
    yield
    send_scripts.reset()
    template_store.reset()


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(trust_env=False, timeout=10) as client:
        yield client


@dataclass(frozen=True)
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def form(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(self.body.decode(), keep_blank_values=True).items()}


class Receiver:
    """A tiny local webhook endpoint: records every request and answers 200."""

    def __init__(self) -> None:
        self.received: queue.Queue[Received] = queue.Queue()
        received = self.received

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                received.put(Received("POST", self.path, dict(self.headers.items()), body))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def take(self, count: int, timeout: float = 5.0) -> list[Received]:
        return [self.received.get(timeout=timeout) for _ in range(count)]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver()
    found.thread.start()
    try:
        yield found
    finally:
        found.server.shutdown()
        found.server.server_close()


def script(http: httpx.Client, sandbox: SandboxServer, **spec: Any) -> dict[str, Any]:
    response = http.post(f"{sandbox.url}/sandbox-script", json=spec)
    assert response.status_code == 201, response.text
    return response.json()["scripts"][0]


def wa_send(
    http: httpx.Client, sandbox: SandboxServer, payload: dict[str, Any], token: str = WA_TOKEN
) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return http.post(
        f"{sandbox.url}/whatsapp/v25.0/{PHONE_NUMBER_ID}/messages", json=payload, headers=headers
    )


def wa_text(to: str = CUSTOMER, body: str = "Ihre Bestellung ist unterwegs.") -> dict[str, Any]:
    return {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": to,
        "type": "text",
        "text": {"preview_url": False, "body": body},
    }


def tg_send(http: httpx.Client, sandbox: SandboxServer, **values: Any) -> httpx.Response:
    return http.post(f"{sandbox.url}/telegram/bot{BOT_TOKEN}/sendMessage", json=values)


def twilio_post(
    http: httpx.Client,
    sandbox: SandboxServer,
    resource: str,
    data: dict[str, Any],
    auth: tuple[str, str] | None = (ACCOUNT_SID, AUTH_TOKEN),
    sid: str = ACCOUNT_SID,
) -> httpx.Response:
    return http.post(
        f"{sandbox.url}/twilio/2010-04-01/Accounts/{sid}/{resource}", data=data, auth=auth
    )


# --- WhatsApp ------------------------------------------------------------------------------


def test_whatsapp_default_answer_is_graphs_accepted_shape(
    sandbox: SandboxServer, http: httpx.Client
) -> None:
    first = wa_send(http, sandbox, wa_text())
    second = wa_send(http, sandbox, wa_text(to="+49 151 12345679"))

    assert first.status_code == 200, first.text
    body = first.json()
    assert body["messaging_product"] == "whatsapp"
    assert body["contacts"] == [{"input": CUSTOMER, "wa_id": CUSTOMER}]
    [message] = body["messages"]
    assert message["id"].startswith("wamid.SANDBOX")
    assert message["message_status"] == "accepted"
    assert second.json()["contacts"] == [{"input": "+49 151 12345679", "wa_id": "4915112345679"}]
    assert second.json()["messages"][0]["id"] != message["id"]
    recorded = sandbox.recorder.last(f"/whatsapp/v25.0/{PHONE_NUMBER_ID}/messages", "POST")
    assert recorded.json()["to"] == "+49 151 12345679"


def test_whatsapp_accepts_a_bsuid_recipient(sandbox: SandboxServer, http: httpx.Client) -> None:
    payload = {**wa_text(), "recipient": "US.13491208655302741918"}
    del payload["to"]

    response = wa_send(http, sandbox, payload)

    assert response.status_code == 200
    assert response.json()["contacts"][0]["input"] == "US.13491208655302741918"


def test_whatsapp_refuses_a_send_without_bearer_token(
    sandbox: SandboxServer, http: httpx.Client
) -> None:
    response = wa_send(http, sandbox, wa_text(), token="")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == 190
    assert response.json()["error"]["type"] == "OAuthException"


@pytest.mark.parametrize(
    ("change", "needle"),
    [
        ({"messaging_product": None}, "messaging_product"),
        ({"to": None}, "parameter to"),
        ({"type": "fax"}, "type"),
        ({"text": None}, "text"),
        ({"text": {"body": "x" * 4097}}, "4096"),
    ],
)
def test_whatsapp_validates_the_send_with_graph_code_100(
    sandbox: SandboxServer, http: httpx.Client, change: dict[str, Any], needle: str
) -> None:
    payload = {k: v for k, v in {**wa_text(), **change}.items() if v is not None}

    response = wa_send(http, sandbox, payload)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == 100
    assert needle in response.json()["error"]["message"]


def test_whatsapp_text_of_exactly_4096_characters_is_accepted(
    sandbox: SandboxServer, http: httpx.Client
) -> None:
    assert wa_send(http, sandbox, wa_text(body="ä" * 4096)).status_code == 200


@pytest.mark.parametrize(
    ("outcome", "status", "code"),
    [
        ("rate_limited", 400, 130429),
        ("pair_rate_limited", 400, 131056),
        ("token_expired", 401, 190),
    ],
)
def test_whatsapp_scripted_errors_count_down_and_stick_to_their_recipient(
    sandbox: SandboxServer, http: httpx.Client, outcome: str, status: int, code: int
) -> None:
    script(http, sandbox, provider="whatsapp", to="+" + CUSTOMER, outcome=outcome, times=2)

    other = wa_send(http, sandbox, wa_text(to="4915100000000"))
    answers = [wa_send(http, sandbox, wa_text()) for _ in range(3)]

    assert other.status_code == 200
    assert [a.status_code for a in answers] == [status, status, 200]
    error = answers[0].json()["error"]
    assert error["code"] == code
    if code != 190:
        assert error["message"].startswith(f"(#{code})")
        assert error["error_data"]["messaging_product"] == "whatsapp"
    else:
        assert error["type"] == "OAuthException"


def test_whatsapp_script_without_recipient_answers_the_next_sends_to_anyone(
    sandbox: SandboxServer, http: httpx.Client
) -> None:
    script(http, sandbox, provider="whatsapp", outcome="rate_limited", times=2)

    codes = [wa_send(http, sandbox, wa_text(to=f"49151000000{i}")).status_code for i in range(3)]

    assert codes == [400, 400, 200]
    assert http.get(f"{sandbox.url}/sandbox-script").json() == {"scripts": []}


def test_script_route_lists_remaining_times_and_refuses_bad_specs(
    sandbox: SandboxServer, http: httpx.Client
) -> None:
    script(http, sandbox, provider="telegram", outcome="blocked", times=3)
    tg_send(http, sandbox, chat_id=CHAT_ID, text="hi")

    [pending] = http.get(f"{sandbox.url}/sandbox-script?provider=telegram").json()["scripts"]
    bad_outcome = http.post(
        f"{sandbox.url}/sandbox-script", json={"provider": "whatsapp", "outcome": "explode"}
    )
    no_callback = http.post(
        f"{sandbox.url}/sandbox-script",
        json={"provider": "whatsapp", "outcome": "window_closed_later"},
    )
    cleared = http.delete(f"{sandbox.url}/sandbox-script").json()

    assert pending["times"] == 2
    assert bad_outcome.status_code == 400 and "outcome" in bad_outcome.json()["error"]["message"]
    assert no_callback.status_code == 400
    assert "callback_url" in no_callback.json()["error"]["message"]
    assert cleared == {"ok": True, "cleared": 1}


def test_whatsapp_window_closed_later_posts_a_signed_failed_status_webhook(
    sandbox: SandboxServer, http: httpx.Client, receiver: Receiver
) -> None:
    shown = script(
        http,
        sandbox,
        provider="whatsapp",
        to=CUSTOMER,
        outcome="window_closed_later",
        callback_url=receiver.url + "/webhooks/whatsapp/acct-1",
        app_secret=APP_SECRET,
        phone_number_id=PHONE_NUMBER_ID,
        waba_id=WABA_ID,
        delay=0.05,
    )

    response = wa_send(http, sandbox, wa_text())
    [webhook] = receiver.take(1)

    assert "app_secret" not in shown
    assert response.status_code == 200
    wamid = response.json()["messages"][0]["id"]
    assert webhook.path == "/webhooks/whatsapp/acct-1"
    expected = "sha256=" + hmac.new(APP_SECRET.encode(), webhook.body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(webhook.headers["X-Hub-Signature-256"], expected)
    payload = json.loads(webhook.body)
    assert payload["object"] == "whatsapp_business_account"
    assert payload["entry"][0]["id"] == WABA_ID
    value = payload["entry"][0]["changes"][0]["value"]
    assert value["metadata"]["phone_number_id"] == PHONE_NUMBER_ID
    [status] = value["statuses"]
    assert status["id"] == wamid
    assert status["status"] == "failed"
    assert status["recipient_id"] == CUSTOMER
    assert isinstance(status["timestamp"], str)
    assert status["errors"][0]["code"] == 131047
    [send] = http.get(f"{sandbox.url}/sandbox-sends?provider=whatsapp").json()["sends"]
    assert send["outcome"] == "window_closed_later"
    assert send["message_id"] == wamid


def seven_templates() -> list[dict[str, Any]]:
    found = [
        {
            "name": f"notice_{i}",
            "language": "en_US",
            "category": "UTILITY",
            "components": [{"type": "BODY", "text": "Hi {{1}}, order {{2}} shipped."}],
        }
        for i in range(6)
    ]
    found.append(
        {
            "name": "welcome_named",
            "language": "de",
            "status": "PAUSED",
            "category": "MARKETING",
            "parameter_format": "NAMED",
            "components": [{"type": "BODY", "text": "Hallo {{first_name}}"}],
        }
    )
    return found


def test_templates_list_pages_through_every_configured_template(
    sandbox: SandboxServer, http: httpx.Client
) -> None:
    configured = http.post(f"{sandbox.url}/sandbox-templates", json=seven_templates())
    assert configured.status_code == 201, configured.text

    names: list[str] = []
    url: str | None = f"{sandbox.url}/whatsapp/v25.0/{WABA_ID}/message_templates?limit=3"
    pages = 0
    while url:
        page = http.get(url, headers={"Authorization": f"Bearer {WA_TOKEN}"})
        assert page.status_code == 200, page.text
        body = page.json()
        names += [t["name"] for t in body["data"]]
        assert set(body["paging"]["cursors"]) == {"before", "after"}
        url = body["paging"].get("next")
        if url:
            assert url.startswith(sandbox.url + f"/whatsapp/v25.0/{WABA_ID}/message_templates?")
        pages += 1

    assert pages == 3
    assert names == [f"notice_{i}" for i in range(6)] + ["welcome_named"]
    approved = http.get(
        f"{sandbox.url}/whatsapp/v25.0/{WABA_ID}/message_templates",
        params={"status": "APPROVED", "access_token": WA_TOKEN},
    ).json()
    assert len(approved["data"]) == 6 and "next" not in approved["paging"]
    template = approved["data"][0]
    assert template["id"].isdigit()
    assert (template["status"], template["category"], template["parameter_format"]) == (
        "APPROVED",
        "UTILITY",
        "POSITIONAL",
    )
    refused = http.get(f"{sandbox.url}/whatsapp/v25.0/{WABA_ID}/message_templates")
    assert refused.status_code == 401


def template_send(name: str, language: str, *params: str) -> dict[str, Any]:
    components = [{"type": "body", "parameters": [{"type": "text", "text": p} for p in params]}]
    return {
        "messaging_product": "whatsapp",
        "to": CUSTOMER,
        "type": "template",
        "template": {"name": name, "language": {"code": language}, "components": components},
    }


def test_template_sends_are_checked_against_the_store(
    sandbox: SandboxServer, http: httpx.Client
) -> None:
    http.post(f"{sandbox.url}/sandbox-templates", json={"templates": seven_templates()})

    good = wa_send(http, sandbox, template_send("notice_1", "en_US", "Lena", "#4711"))
    wrong_count = wa_send(http, sandbox, template_send("notice_1", "en_US", "Lena"))
    wrong_language = wa_send(http, sandbox, template_send("notice_1", "de", "Lena", "#4711"))
    unknown = wa_send(http, sandbox, template_send("nope", "en_US"))
    paused = wa_send(http, sandbox, template_send("welcome_named", "de", "Lena"))

    assert good.status_code == 200, good.text
    assert wrong_count.json()["error"]["code"] == 132000
    assert wrong_language.json()["error"]["code"] == 132001
    assert unknown.json()["error"]["code"] == 132001
    assert paused.json()["error"]["code"] == 132015


def test_default_templates_include_order_update(sandbox: SandboxServer, http: httpx.Client) -> None:
    response = wa_send(http, sandbox, template_send("order_update", "de", "Lena", "#4711"))

    assert response.status_code == 200, response.text


def test_template_control_route_refuses_a_bad_template(
    sandbox: SandboxServer, http: httpx.Client
) -> None:
    response = http.post(f"{sandbox.url}/sandbox-templates", json=[{"name": "Bad Name"}])

    assert response.status_code == 400
    assert "templates[0].name" in response.json()["error"]["message"]


# --- Telegram ------------------------------------------------------------------------------


def test_telegram_send_message_answers_the_message_with_increasing_ids(
    sandbox: SandboxServer, http: httpx.Client
) -> None:
    first = tg_send(http, sandbox, chat_id=CHAT_ID, text="مرحبا، طلبك في الطريق")
    second = http.post(
        f"{sandbox.url}/telegram/bot{BOT_TOKEN}/sendMessage",
        data={"chat_id": str(CHAT_ID), "text": "second"},
    )

    assert first.status_code == 200, first.text
    body = first.json()
    assert body["ok"] is True
    message = body["result"]
    assert message["chat"]["id"] == CHAT_ID
    assert message["from"]["is_bot"] is True and message["from"]["id"] == 7012345678
    assert message["text"] == "مرحبا، طلبك في الطريق"
    assert isinstance(message["date"], int)
    assert second.json()["result"]["message_id"] > message["message_id"]


def test_telegram_refuses_a_malformed_token(sandbox: SandboxServer, http: httpx.Client) -> None:
    response = http.post(
        f"{sandbox.url}/telegram/botnot-a-token/sendMessage", json={"chat_id": 1, "text": "x"}
    )

    assert response.status_code == 401
    assert response.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}


def test_telegram_counts_the_length_in_utf16_units(
    sandbox: SandboxServer, http: httpx.Client
) -> None:
    emoji = "\U0001f600"  # one code point, two UTF-16 units

    too_long = tg_send(http, sandbox, chat_id=CHAT_ID, text=emoji * 4096)
    at_limit = tg_send(http, sandbox, chat_id=CHAT_ID, text=emoji * 2048)
    empty = tg_send(http, sandbox, chat_id=CHAT_ID, text="")
    no_chat = tg_send(http, sandbox, text="hi")

    assert too_long.status_code == 400
    assert too_long.json()["description"] == "Bad Request: message is too long"
    assert at_limit.status_code == 200
    assert empty.json() == {
        "ok": False,
        "error_code": 400,
        "description": "Bad Request: message text is empty",
    }
    assert no_chat.status_code == 400


@pytest.mark.parametrize(
    ("outcome", "status", "description"),
    [
        ("flood", 429, "Too Many Requests: retry after 7"),
        ("blocked", 403, "Forbidden: bot was blocked by the user"),
        ("chat_not_found", 400, "Bad Request: chat not found"),
    ],
)
def test_telegram_scripted_outcomes(
    sandbox: SandboxServer, http: httpx.Client, outcome: str, status: int, description: str
) -> None:
    script(
        http, sandbox, provider="telegram", to=str(CHAT_ID), outcome=outcome, times=2, retry_after=7
    )

    answers = [tg_send(http, sandbox, chat_id=CHAT_ID, text="hi") for _ in range(3)]

    assert [a.status_code for a in answers] == [status, status, 200]
    body = answers[0].json()
    assert body["ok"] is False and body["error_code"] == status
    assert body["description"] == description
    if outcome == "flood":
        assert body["parameters"] == {"retry_after": 7}


# --- Twilio --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("auth", "sid"),
    [
        (None, ACCOUNT_SID),
        (("AC" + "1" * 32, AUTH_TOKEN), ACCOUNT_SID),
        ((ACCOUNT_SID, ""), ACCOUNT_SID),
    ],
)
def test_twilio_refuses_without_basic_auth_for_the_account(
    sandbox: SandboxServer, http: httpx.Client, auth: tuple[str, str] | None, sid: str
) -> None:
    data = {"To": TWILIO_TO, "From": TWILIO_FROM, "Body": "hi"}

    message = twilio_post(http, sandbox, "Messages.json", data, auth=auth, sid=sid)
    call = twilio_post(http, sandbox, "Calls.json", {**data, "Twiml": "<Response/>"}, auth=auth)

    for response in (message, call):
        assert response.status_code == 401
        assert response.json()["code"] == 20003


def test_twilio_message_answers_201_with_the_message_resource(
    sandbox: SandboxServer, http: httpx.Client
) -> None:
    response = twilio_post(
        http, sandbox, "Messages.json", {"To": TWILIO_TO, "From": TWILIO_FROM, "Body": "a" * 161}
    )

    assert response.status_code == 201, response.text
    body = response.json()
    assert body["sid"].startswith("SM") and len(body["sid"]) == 34
    assert body["status"] == "queued"
    assert body["price"] is None
    assert body["num_segments"] == "2"
    assert (body["to"], body["from"], body["account_sid"]) == (TWILIO_TO, TWILIO_FROM, ACCOUNT_SID)
    assert body["uri"] == f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/{body['sid']}.json"
    assert body["date_created"].endswith("+0000")


@pytest.mark.parametrize(
    ("data", "code"),
    [
        ({"From": TWILIO_FROM, "Body": "x"}, 21604),
        ({"To": TWILIO_TO, "Body": "x"}, 21603),
        ({"To": TWILIO_TO, "From": TWILIO_FROM}, 21602),
        ({"To": TWILIO_TO, "From": TWILIO_FROM, "Body": "x" * 1601}, 21617),
        (
            {"To": TWILIO_TO, "From": TWILIO_FROM, "ContentSid": "HX1", "ContentVariables": "["},
            21656,
        ),
    ],
)
def test_twilio_message_validation(
    sandbox: SandboxServer, http: httpx.Client, data: dict[str, str], code: int
) -> None:
    response = twilio_post(http, sandbox, "Messages.json", data)

    assert response.status_code == 400
    assert response.json()["code"] == code
    assert response.json()["more_info"].endswith(str(code))


def test_twilio_content_template_send_with_a_messaging_service(
    sandbox: SandboxServer, http: httpx.Client
) -> None:
    response = twilio_post(
        http,
        sandbox,
        "Messages.json",
        {
            "To": "whatsapp:" + TWILIO_TO,
            "MessagingServiceSid": "MG" + "7" * 32,
            "ContentSid": "HX" + "1" * 32,
            "ContentVariables": json.dumps({"1": "Lena"}),
        },
    )

    assert response.status_code == 201, response.text
    assert response.json()["status"] == "accepted"
    assert response.json()["messaging_service_sid"] == "MG" + "7" * 32


@pytest.mark.parametrize(
    ("outcome", "status", "code"),
    [("invalid_number", 400, 21211), ("rate_limited", 429, 20429), ("opted_out", 400, 21610)],
)
def test_twilio_scripted_refusals(
    sandbox: SandboxServer, http: httpx.Client, outcome: str, status: int, code: int
) -> None:
    script(http, sandbox, provider="twilio", to=TWILIO_TO, outcome=outcome)
    data = {"To": TWILIO_TO, "From": TWILIO_FROM, "Body": "hi"}

    first = twilio_post(http, sandbox, "Messages.json", data)
    second = twilio_post(http, sandbox, "Messages.json", data)

    assert first.status_code == status
    assert first.json()["code"] == code
    assert second.status_code == 201


def validate_twilio(callback: Received, url: str) -> dict[str, str]:
    params = callback.form()
    validator = RequestValidator(AUTH_TOKEN)
    assert validator.validate(url, params, callback.headers["X-Twilio-Signature"])
    assert not RequestValidator("another-token").validate(
        url, params, callback.headers["X-Twilio-Signature"]
    )
    return params


def test_twilio_status_callbacks_arrive_signed(
    sandbox: SandboxServer, http: httpx.Client, receiver: Receiver
) -> None:
    url = receiver.url + "/webhooks/twilio/status?account=1"
    response = twilio_post(
        http,
        sandbox,
        "Messages.json",
        {"To": TWILIO_TO, "From": TWILIO_FROM, "Body": "Ihr Paket", "StatusCallback": url},
    )

    callbacks = receiver.take(2)

    sid = response.json()["sid"]
    params = [validate_twilio(c, url) for c in callbacks]
    assert [p["MessageStatus"] for p in params] == ["sent", "delivered"]
    assert all(p["MessageSid"] == sid and p["AccountSid"] == ACCOUNT_SID for p in params)
    assert all("ErrorCode" not in p for p in params)


def test_twilio_undeliverable_later_ends_with_a_failed_callback(
    sandbox: SandboxServer, http: httpx.Client, receiver: Receiver
) -> None:
    script(http, sandbox, provider="twilio", to=TWILIO_TO, outcome="undeliverable_later", delay=0)
    url = receiver.url + "/status"
    response = twilio_post(
        http,
        sandbox,
        "Messages.json",
        {"To": TWILIO_TO, "From": TWILIO_FROM, "Body": "x", "StatusCallback": url},
    )

    params = [validate_twilio(c, url) for c in receiver.take(2)]

    assert response.status_code == 201
    assert [p["MessageStatus"] for p in params] == ["sent", "failed"]
    assert params[1]["ErrorCode"] == "30003"


def test_twilio_call_answers_201_and_sends_progress_callbacks(
    sandbox: SandboxServer, http: httpx.Client, receiver: Receiver
) -> None:
    url = receiver.url + "/calls/status"
    twiml = '<Response><Say language="de-DE">Ihr Paket ist da</Say></Response>'
    response = twilio_post(
        http,
        sandbox,
        "Calls.json",
        {"To": TWILIO_TO, "From": TWILIO_FROM, "Twiml": twiml, "StatusCallback": url},
    )

    params = [validate_twilio(c, url) for c in receiver.take(4)]

    assert response.status_code == 201, response.text
    body = response.json()
    assert body["sid"].startswith("CA") and body["status"] == "queued"
    assert [p["CallStatus"] for p in params] == ["initiated", "ringing", "in-progress", "completed"]
    assert all(p["CallSid"] == body["sid"] for p in params)
    missing = twilio_post(http, sandbox, "Calls.json", {"To": TWILIO_TO, "From": TWILIO_FROM})
    assert missing.json()["code"] == 21205


def test_twilio_sdk_works_against_the_fake(sandbox: SandboxServer) -> None:
    client = TwilioClient(ACCOUNT_SID, AUTH_TOKEN)
    client.api.base_url = sandbox.url + "/twilio"

    message = client.messages.create(to=TWILIO_TO, from_=TWILIO_FROM, body="Ihr Paket")
    call = client.calls.create(to=TWILIO_TO, from_=TWILIO_FROM, twiml="<Response/>")
    send_scripts.scripts.add(
        send_scripts.Script.from_dict(
            {"provider": "twilio", "to": TWILIO_TO, "outcome": "invalid_number"}
        )
    )
    with pytest.raises(TwilioRestException) as caught:
        client.messages.create(to=TWILIO_TO, from_=TWILIO_FROM, body="again")

    assert message.sid.startswith("SM") and message.status == "queued"
    assert call.sid.startswith("CA")
    assert caught.value.code == 21211
    assert caught.value.status == 400
    recorded = sandbox.recorder.last(
        f"/twilio/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json", "POST"
    )
    assert recorded.form()["Body"] == ["again"]


# --- the send log --------------------------------------------------------------------------


def test_sandbox_sends_lists_every_send_with_its_time_and_outcome(
    sandbox: SandboxServer, http: httpx.Client
) -> None:
    script(http, sandbox, provider="telegram", outcome="flood")
    wa_send(http, sandbox, wa_text())
    tg_send(http, sandbox, chat_id=CHAT_ID, text="hi")
    twilio_post(http, sandbox, "Messages.json", {"To": TWILIO_TO, "From": TWILIO_FROM, "Body": "x"})

    every = http.get(f"{sandbox.url}/sandbox-sends").json()["sends"]
    telegram = http.get(f"{sandbox.url}/sandbox-sends?provider=telegram").json()["sends"]

    assert [s["provider"] for s in every] == ["whatsapp", "telegram", "twilio"]
    assert [s["outcome"] for s in every] == ["accepted", "flood", "accepted"]
    assert [s["status"] for s in every] == [200, 429, 201]
    times = [datetime.fromisoformat(s["time"]) for s in every]
    assert times == sorted(times)
    assert all(len(s["time"].split(".")[1]) >= 6 for s in every)  # microseconds
    recorded = {r.id: r.time for r in sandbox.recorder.requests()}
    assert all(recorded[s["request_id"]] == datetime.fromisoformat(s["time"]) for s in every)
    assert [s["to"] for s in telegram] == [str(CHAT_ID)]
    assert http.delete(f"{sandbox.url}/sandbox-sends").json()["cleared"] == 3
