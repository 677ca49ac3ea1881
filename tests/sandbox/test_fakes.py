"""The provider fakes (WhatsApp media, Telegram Bot API, Twilio media) over real HTTP."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

import sbops.sandbox.fakes  # noqa: F401 - registers the fakes on the default router
from sbops.sandbox import SandboxServer
from sbops.sandbox.fakes import telegram as telegram_fake
from sbops.sandbox.fakes.media_store import media_store

VOICE_NOTE = b"OggS\x00\x02voice note bytes \xff\xfe" * 40
PHOTO = b"\xff\xd8\xff\xe0JFIF photo of a damaged parcel \x00\x01" * 30
BOT_TOKEN = "7012345678:AAH-sandbox-bot-token_1"
ACCOUNT_SID = "AC0123456789abcdef0123456789abcdef"


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(trust_env=False, timeout=10) as client:
        yield client


def upload(http: httpx.Client, sandbox: SandboxServer, **spec: Any) -> dict[str, Any]:
    content = spec.pop("content")
    response = http.post(
        f"{sandbox.url}/sandbox-media",
        json={"content_base64": base64.b64encode(content).decode(), **spec},
    )
    assert response.status_code == 201, response.text
    return response.json()


# --- the upload route --------------------------------------------------------------------


def test_upload_answers_each_providers_reference_and_is_recorded(
    sandbox: SandboxServer, http: httpx.Client
) -> None:
    whatsapp = upload(http, sandbox, provider="whatsapp", content=VOICE_NOTE, mime_type="audio/ogg")
    telegram = upload(http, sandbox, provider="telegram", content=PHOTO, mime_type="image/jpeg")
    twilio = upload(
        http,
        sandbox,
        provider="twilio",
        content=PHOTO,
        mime_type="image/jpeg",
        account_sid=ACCOUNT_SID,
    )

    assert whatsapp["media_id"].isdigit()
    assert whatsapp["file_size"] == len(VOICE_NOTE)
    assert base64.b64decode(whatsapp["sha256"]) == hashlib.sha256(VOICE_NOTE).digest()
    assert telegram["file_id"] and telegram["file_unique_id"]
    assert telegram["file_path"].startswith("photos/") and telegram["file_path"].endswith(".jpg")
    assert twilio["url_path"] == (
        f"/twilio/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/{twilio['message_sid']}"
        f"/Media/{twilio['media_sid']}"
    )
    assert len({whatsapp["id"], telegram["id"], twilio["id"]}) == 3
    assert sandbox.recorder.count("/sandbox-media", "POST") == 3


@pytest.mark.parametrize(
    ("spec", "field"),
    [
        ({"provider": "viber", "content_base64": "aGk="}, "provider"),
        ({"provider": "whatsapp", "content_base64": "not base64!"}, "content_base64"),
        ({"provider": "whatsapp", "content_base64": ""}, "content_base64"),
        ({"provider": "twilio", "content_base64": "aGk=", "credentials": ["x"]}, "credentials"),
    ],
)
def test_upload_refuses_a_bad_spec_naming_the_field(
    sandbox: SandboxServer, http: httpx.Client, spec: dict, field: str
) -> None:
    response = http.post(f"{sandbox.url}/sandbox-media", json=spec)

    assert response.status_code == 400
    assert response.json()["error"]["field"] == field


def test_concurrent_uploads_each_get_their_own_media(sandbox: SandboxServer) -> None:
    def one(n: int) -> tuple[str, bytes]:
        content = f"voice note {n}".encode()
        with httpx.Client(trust_env=False, timeout=10) as client:
            return upload(client, sandbox, provider="whatsapp", content=content)[
                "media_id"
            ], content

    with ThreadPoolExecutor(max_workers=8) as pool:
        uploaded = list(pool.map(one, range(24)))

    assert len({media_id for media_id, _ in uploaded}) == 24
    for media_id, content in uploaded:
        assert media_store.find("whatsapp", "media_id", media_id).content == content


# --- WhatsApp Graph media ----------------------------------------------------------------


def test_whatsapp_media_url_then_bytes_with_the_bearer_token(
    sandbox: SandboxServer, http: httpx.Client
) -> None:
    media = upload(
        http, sandbox, provider="whatsapp", content=VOICE_NOTE, mime_type="audio/ogg; codecs=opus"
    )
    bearer = {"Authorization": "Bearer EAAG-any-token"}

    lookup = http.get(f"{sandbox.url}/whatsapp/v25.0/{media['media_id']}", headers=bearer)

    assert lookup.status_code == 200
    info = lookup.json()
    assert info == {
        "messaging_product": "whatsapp",
        "url": f"{sandbox.url}/whatsapp/media-files/{media['media_id']}",
        "mime_type": "audio/ogg; codecs=opus",
        "sha256": base64.b64encode(hashlib.sha256(VOICE_NOTE).digest()).decode(),
        "file_size": len(VOICE_NOTE),
        "id": media["media_id"],
    }
    download = http.get(info["url"], headers=bearer)
    assert download.status_code == 200
    assert download.content == VOICE_NOTE
    assert download.headers["content-type"] == "audio/ogg; codecs=opus"


def test_whatsapp_without_a_token_gets_graphs_oauth_error(
    sandbox: SandboxServer, http: httpx.Client
) -> None:
    media = upload(http, sandbox, provider="whatsapp", content=VOICE_NOTE)

    for path in (
        f"/whatsapp/v25.0/{media['media_id']}",
        f"/whatsapp/media-files/{media['media_id']}",
    ):
        response = http.get(f"{sandbox.url}{path}")
        assert response.status_code == 401
        assert response.json()["error"]["code"] == 190
        assert response.json()["error"]["type"] == "OAuthException"
        assert VOICE_NOTE not in response.content


def test_whatsapp_media_owned_by_a_token_refuses_any_other(
    sandbox: SandboxServer, http: httpx.Client
) -> None:
    media = upload(
        http,
        sandbox,
        provider="whatsapp",
        content=VOICE_NOTE,
        credentials={"access_token": "EAAG-owner"},
    )
    url = f"{sandbox.url}/whatsapp/media-files/{media['media_id']}"

    wrong = http.get(url, headers={"Authorization": "Bearer EAAG-someone-else"})
    right = http.get(url, headers={"Authorization": "Bearer EAAG-owner"})

    assert wrong.status_code == 401
    assert wrong.json()["error"]["code"] == 190
    assert right.content == VOICE_NOTE


def test_whatsapp_unknown_media_is_graphs_object_does_not_exist(
    sandbox: SandboxServer, http: httpx.Client
) -> None:
    response = http.get(
        f"{sandbox.url}/whatsapp/v25.0/99999999", headers={"Authorization": "Bearer t"}
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == 100
    assert "99999999" in response.json()["error"]["message"]


# --- Telegram Bot API --------------------------------------------------------------------


def test_telegram_get_file_then_download_in_envelopes(
    sandbox: SandboxServer, http: httpx.Client
) -> None:
    media = upload(http, sandbox, provider="telegram", content=VOICE_NOTE, mime_type="audio/ogg")

    by_query = http.get(
        f"{sandbox.url}/telegram/bot{BOT_TOKEN}/getFile", params={"file_id": media["file_id"]}
    )
    by_json = http.post(
        f"{sandbox.url}/telegram/bot{BOT_TOKEN}/getFile", json={"file_id": media["file_id"]}
    )
    by_form = http.post(
        f"{sandbox.url}/telegram/bot{BOT_TOKEN}/getFile", data={"file_id": media["file_id"]}
    )

    expected = {
        "ok": True,
        "result": {
            "file_id": media["file_id"],
            "file_unique_id": media["file_unique_id"],
            "file_size": len(VOICE_NOTE),
            "file_path": media["file_path"],
        },
    }
    assert by_query.json() == by_json.json() == by_form.json() == expected
    assert media["file_path"].startswith("voice/") and media["file_path"].endswith(".oga")
    download = http.get(f"{sandbox.url}/telegram/file/bot{BOT_TOKEN}/{media['file_path']}")
    assert download.status_code == 200
    assert download.content == VOICE_NOTE


@pytest.mark.parametrize("token", ["not-a-token", "123456:", "abc:def"])
def test_telegram_refuses_a_malformed_token_with_401(
    sandbox: SandboxServer, http: httpx.Client, token: str
) -> None:
    for method in ("getFile", "answerCallbackQuery", "setWebhook", "getWebhookInfo"):
        response = http.post(f"{sandbox.url}/telegram/bot{token}/{method}", json={})
        assert response.status_code == 401
        assert response.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}


def test_telegram_files_of_another_bot_and_unknown_ids_are_refused(
    sandbox: SandboxServer, http: httpx.Client
) -> None:
    media = upload(
        http,
        sandbox,
        provider="telegram",
        content=PHOTO,
        mime_type="image/jpeg",
        credentials={"bot_token": BOT_TOKEN},
    )
    other_bot = "7099999999:AAH-another-bot"

    stolen = http.post(
        f"{sandbox.url}/telegram/bot{other_bot}/getFile", json={"file_id": media["file_id"]}
    )
    unknown = http.post(
        f"{sandbox.url}/telegram/bot{BOT_TOKEN}/getFile", json={"file_id": "AgACno-such-file"}
    )
    stolen_download = http.get(f"{sandbox.url}/telegram/file/bot{other_bot}/{media['file_path']}")

    assert stolen.status_code == unknown.status_code == 400
    assert stolen.json()["ok"] is False and stolen.json()["error_code"] == 400
    assert unknown.json()["description"] == "Bad Request: invalid file_id"
    assert stolen_download.status_code == 404
    assert PHOTO not in stolen_download.content


def test_telegram_get_file_refuses_files_over_twenty_megabytes(
    sandbox: SandboxServer, http: httpx.Client
) -> None:
    big = media_store.add(
        provider="telegram", content=b"\x00" * (20 * 1024 * 1024 + 1), mime_type="video/mp4"
    )

    response = http.post(
        f"{sandbox.url}/telegram/bot{BOT_TOKEN}/getFile", json={"file_id": big.refs["file_id"]}
    )

    assert response.status_code == 400
    assert response.json() == {
        "ok": False,
        "error_code": 400,
        "description": "Bad Request: file is too big",
    }


def test_telegram_answer_callback_query(sandbox: SandboxServer, http: httpx.Client) -> None:
    answered = http.post(
        f"{sandbox.url}/telegram/bot{BOT_TOKEN}/answerCallbackQuery",
        json={"callback_query_id": "4382109457120938471"},
    )
    missing = http.post(f"{sandbox.url}/telegram/bot{BOT_TOKEN}/answerCallbackQuery", json={})

    assert answered.json() == {"ok": True, "result": True}
    assert missing.status_code == 400 and missing.json()["ok"] is False


def test_telegram_set_webhook_is_remembered_by_get_webhook_info(
    sandbox: SandboxServer, http: httpx.Client
) -> None:
    telegram_fake.webhooks.delete(BOT_TOKEN)
    base = f"{sandbox.url}/telegram/bot{BOT_TOKEN}"
    assert http.get(f"{base}/getWebhookInfo").json()["result"]["url"] == ""

    set_response = http.post(
        f"{base}/setWebhook",
        json={
            "url": "https://console.example.com/webhooks/telegram/shop/",
            "secret_token": "s3cret_Token-1",
            "allowed_updates": ["message", "callback_query", "my_chat_member"],
        },
    )
    info = http.get(f"{base}/getWebhookInfo").json()

    assert set_response.json() == {"ok": True, "result": True, "description": "Webhook was set"}
    assert info["ok"] is True
    assert info["result"]["url"] == "https://console.example.com/webhooks/telegram/shop/"
    assert info["result"]["allowed_updates"] == ["message", "callback_query", "my_chat_member"]
    assert "s3cret_Token-1" not in str(info)  # Telegram never shows the secret back

    # a form-encoded call carries allowed_updates as a JSON string
    http.post(
        f"{base}/setWebhook",
        data={"url": "https://console.example.com/hook", "allowed_updates": '["message"]'},
    )
    assert http.get(f"{base}/getWebhookInfo").json()["result"]["allowed_updates"] == ["message"]

    deleted = http.post(f"{base}/setWebhook", json={"url": ""})
    assert deleted.json()["description"] == "Webhook was deleted"
    assert http.get(f"{base}/getWebhookInfo").json()["result"]["url"] == ""


@pytest.mark.parametrize(
    ("params", "description"),
    [
        ({"url": "http://console.example.com/hook"}, "An HTTPS URL must be provided"),
        ({"url": "https://console.example.com:8000/hook"}, "ports 80, 88, 443 or 8443"),
        (
            {"url": "https://console.example.com/hook", "secret_token": "has spaces!"},
            "secret token contains unallowed characters",
        ),
        (
            {"url": "https://console.example.com/hook", "allowed_updates": "message"},
            "can't parse allowed updates",
        ),
    ],
)
def test_telegram_set_webhook_refuses_what_telegram_refuses(
    sandbox: SandboxServer, http: httpx.Client, params: dict, description: str
) -> None:
    response = http.post(f"{sandbox.url}/telegram/bot{BOT_TOKEN}/setWebhook", json=params)

    assert response.status_code == 400
    assert response.json()["ok"] is False
    assert description in response.json()["description"]


# --- Twilio media --------------------------------------------------------------------------


def test_twilio_media_needs_basic_auth_and_redirects_to_the_cdn(
    sandbox: SandboxServer, http: httpx.Client
) -> None:
    media = upload(
        http,
        sandbox,
        provider="twilio",
        content=PHOTO,
        mime_type="image/jpeg",
        account_sid=ACCOUNT_SID,
    )
    url = f"{sandbox.url}{media['url_path']}"

    anonymous = http.get(url)
    other_account = http.get(url, auth=("AC" + "9" * 32, "token"))
    redirect = http.get(url, auth=(ACCOUNT_SID, "auth-token"))

    assert anonymous.status_code == other_account.status_code == 401
    assert anonymous.json()["code"] == 20003
    assert anonymous.headers["www-authenticate"].startswith("Basic")
    assert redirect.status_code == 307
    location = httpx.URL(redirect.headers["location"])
    assert location.path == f"/twilio/cdn/{media['media_sid']}"
    assert int(location.params["Expires"]) > 0
    cdn = http.get(location)  # the short-lived URL needs no credentials
    assert cdn.status_code == 200
    assert cdn.content == PHOTO
    assert cdn.headers["content-type"] == "image/jpeg"


def test_twilio_media_owned_by_an_auth_token_refuses_any_other(
    sandbox: SandboxServer, http: httpx.Client
) -> None:
    media = upload(
        http,
        sandbox,
        provider="twilio",
        content=PHOTO,
        account_sid=ACCOUNT_SID,
        credentials={"auth_token": "the-real-token"},
    )
    url = f"{sandbox.url}{media['url_path']}"

    assert http.get(url, auth=(ACCOUNT_SID, "a-guess")).status_code == 401
    followed = http.get(url, auth=(ACCOUNT_SID, "the-real-token"), follow_redirects=True)
    assert followed.content == PHOTO


def test_twilio_media_resource_json_and_unknown_media(
    sandbox: SandboxServer, http: httpx.Client
) -> None:
    media = upload(
        http,
        sandbox,
        provider="twilio",
        content=PHOTO,
        mime_type="image/png",
        account_sid=ACCOUNT_SID,
    )
    auth = (ACCOUNT_SID, "auth-token")

    resource = http.get(f"{sandbox.url}{media['url_path']}.json", auth=auth)
    wrong_message = http.get(
        f"{sandbox.url}{media['url_path'].replace(media['message_sid'], 'MM' + '0' * 32)}",
        auth=auth,
    )

    assert resource.status_code == 200
    assert resource.json()["sid"] == media["media_sid"]
    assert resource.json()["parent_sid"] == media["message_sid"]
    assert resource.json()["content_type"] == "image/png"
    assert wrong_message.status_code == 404
    assert wrong_message.json()["code"] == 20404


def test_twilio_cdn_url_expires(sandbox: SandboxServer, http: httpx.Client) -> None:
    media = upload(http, sandbox, provider="twilio", content=PHOTO, account_sid=ACCOUNT_SID)

    expired = http.get(f"{sandbox.url}/twilio/cdn/{media['media_sid']}?Expires=1000")

    assert expired.status_code == 403
    assert PHOTO not in expired.content
