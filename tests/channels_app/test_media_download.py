"""Customer attachments downloaded from each provider (through the sandbox fakes) and kept.

Each test records a message the way ingestion does, then runs the `download_media` task the
way the worker would, and looks at what staff would see: the stored file, its type, or the
reason it failed and whether another attempt is coming.
"""

from __future__ import annotations

import ast
import base64
import hashlib
import itertools
import logging
from collections.abc import Iterator
from datetime import timedelta
from pydoc import locate
from typing import Any

import httpx
import pytest
from django.utils import timezone
from django_q.models import Schedule

import sbops.sandbox.fakes  # noqa: F401 - registers the fakes on the default router
from channels_app import media as media_module
from channels_app.tasks import MAX_ATTEMPTS, download_media, retry_delay
from conversations.inbound import Identity, InboundMessage
from conversations.models import ChannelKind, ContentKind, IdentityKind, MediaStatus, Message
from conversations.services import message_record_inbound
from sbops.sandbox import Fault, SandboxServer

pytestmark = pytest.mark.django_db

VOICE_NOTE = b"OggS\x00\x02\x00\x00 a customer asking where order 4711 is " * 50
PHOTO = b"\xff\xd8\xff\xe0\x00\x10JFIF the parcel arrived damaged " * 40
WHATSAPP_TOKEN = "EAAG-test-token"
BOT_TOKEN = "7012345678:AAH-shop-support-bot"
ACCOUNT_SID = "AC0123456789abcdef0123456789abcdef"
AUTH_TOKEN = "twilio-auth-token-1"
_ids = itertools.count(1)


@pytest.fixture
def sandbox_settings(settings, sandbox: SandboxServer, tmp_path) -> SandboxServer:
    settings.SANDBOX_URL = sandbox.url
    settings.MEDIA_ROOT = tmp_path / "media"
    return sandbox


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(trust_env=False, timeout=10) as client:
        yield client


@pytest.fixture
def whatsapp_account(channel_account_factory, sandbox_settings):
    return channel_account_factory(
        kind=ChannelKind.WHATSAPP_CLOUD,
        uses_sandbox=True,
        credentials={"access_token": WHATSAPP_TOKEN, "app_secret": "s", "verify_token": "v"},
        config={"phone_number_id": "100000000000001"},
    )


@pytest.fixture
def telegram_account(channel_account_factory, sandbox_settings):
    return channel_account_factory(
        kind=ChannelKind.TELEGRAM,
        uses_sandbox=True,
        credentials={"bot_token": BOT_TOKEN, "secret_token": "hook-secret"},
    )


@pytest.fixture
def twilio_account(channel_account_factory, sandbox_settings):
    return channel_account_factory(
        kind=ChannelKind.TWILIO_WHATSAPP,
        uses_sandbox=True,
        credentials={"account_sid": ACCOUNT_SID, "auth_token": AUTH_TOKEN},
    )


def upload(sandbox: SandboxServer, http: httpx.Client, **spec: Any) -> dict[str, Any]:
    content = spec.pop("content")
    response = http.post(
        f"{sandbox.url}/sandbox-media",
        json={"content_base64": base64.b64encode(content).decode(), **spec},
    )
    assert response.status_code == 201, response.text
    return response.json()


def record(account, media: dict[str, Any], kind: str = ContentKind.AUDIO) -> Message:
    """A customer message with an attachment, recorded exactly as ingestion records it."""
    message, created = message_record_inbound(
        channel_account_id=account.pk,
        channel_kind=account.kind,
        inbound=InboundMessage(
            provider_message_id=f"media-test-{next(_ids)}",
            identities=[Identity(IdentityKind.WHATSAPP, "4915112345678")],
            sent_at=timezone.now(),
            content_kind=kind,
            media=media,
        ),
    )
    assert created and message.media_status == MediaStatus.PENDING
    return message


def whatsapp_media(uploaded: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    return {
        "provider": "whatsapp",
        "id": uploaded["media_id"],
        "mime_type": uploaded["mime_type"],
        "sha256": uploaded["sha256"],
        "filename": "",
        "voice": True,
        "url": "",
        **overrides,
    }


def retries_for(message: Message) -> list[Schedule]:
    return [
        s
        for s in Schedule.objects.filter(func="channels_app.tasks.download_media").order_by("pk")
        if ast.literal_eval(s.args) == (message.pk,)
    ]


def run_schedule(entry: Schedule) -> str:
    """What the django-q2 scheduler does when the one-off schedule comes due."""
    return locate(entry.func)(*ast.literal_eval(entry.args))


# --- WhatsApp -----------------------------------------------------------------------------


@pytest.mark.parametrize("sha_encoding", ["base64", "hex"])
def test_whatsapp_voice_note_is_stored_with_its_bytes_and_type(
    whatsapp_account, sandbox_settings, http, sha_encoding
) -> None:
    uploaded = upload(
        sandbox_settings,
        http,
        provider="whatsapp",
        content=VOICE_NOTE,
        mime_type="audio/ogg; codecs=opus",
    )
    sha256 = uploaded["sha256"] if sha_encoding == "base64" else uploaded["sha256_hex"]
    message = record(whatsapp_account, whatsapp_media(uploaded, sha256=sha256))

    outcome = download_media(message.pk)

    message.refresh_from_db()
    assert message.media_status == MediaStatus.STORED, message.media_error
    assert message.media_error == ""
    with message.media_file.open("rb") as stored:
        assert stored.read() == VOICE_NOTE
    assert message.media_file.name.endswith(".ogg")
    assert message.media["stored_mime_type"] == "audio/ogg; codecs=opus"
    assert message.media["stored_size"] == len(VOICE_NOTE)
    assert "stored" in outcome
    lookup = sandbox_settings.recorder.last(f"/whatsapp/v25.0/{uploaded['media_id']}")
    download = sandbox_settings.recorder.last(f"/whatsapp/media-files/{uploaded['media_id']}")
    assert lookup.headers["authorization"] == f"Bearer {WHATSAPP_TOKEN}"
    assert lookup.query == {"phone_number_id": ["100000000000001"]}
    assert download.headers["authorization"] == f"Bearer {WHATSAPP_TOKEN}"


def test_a_stored_attachment_is_not_downloaded_again(
    whatsapp_account, sandbox_settings, http
) -> None:
    uploaded = upload(sandbox_settings, http, provider="whatsapp", content=VOICE_NOTE)
    message = record(whatsapp_account, whatsapp_media(uploaded))
    download_media(message.pk)
    sandbox_settings.recorder.clear()

    outcome = download_media(message.pk)  # a redelivered task

    assert outcome.startswith("skipped")
    assert sandbox_settings.recorder.count() == 0


def test_whatsapp_file_altered_on_the_way_is_refused_and_not_retried(
    whatsapp_account, sandbox_settings, http
) -> None:
    uploaded = upload(sandbox_settings, http, provider="whatsapp", content=VOICE_NOTE)
    sandbox_settings.faults.add(
        Fault(path=f"/whatsapp/media-files/{uploaded['media_id']}", status=200, body=b"evil")
    )
    message = record(whatsapp_account, whatsapp_media(uploaded))

    download_media(message.pk)

    message.refresh_from_db()
    assert message.media_status == MediaStatus.FAILED
    assert "sha256" in message.media_error
    assert message.media_attempts == 1
    assert not message.media_file
    assert retries_for(message) == []


def test_whatsapp_server_errors_are_retried_on_a_schedule_until_stored(
    whatsapp_account, sandbox_settings, http
) -> None:
    uploaded = upload(sandbox_settings, http, provider="whatsapp", content=VOICE_NOTE)
    sandbox_settings.faults.add(
        Fault(path=f"/whatsapp/v25.0/{uploaded['media_id']}", status=500, times=2)
    )
    message = record(whatsapp_account, whatsapp_media(uploaded))

    before = timezone.now()
    download_media(message.pk)

    message.refresh_from_db()
    assert message.media_status == MediaStatus.PENDING  # not shown as failed: a retry is due
    assert message.media_attempts == 1
    assert "HTTP 500" in message.media_error
    (first_retry,) = retries_for(message)
    assert first_retry.schedule_type == Schedule.ONCE
    # first retry after 1-2 s (base 2 s, jittered over its upper half)
    assert before + timedelta(seconds=1) <= first_retry.next_run
    assert first_retry.next_run <= timezone.now() + timedelta(seconds=2)

    run_schedule(first_retry)
    message.refresh_from_db()
    assert (message.media_status, message.media_attempts) == (MediaStatus.PENDING, 2)
    second_retry = retries_for(message)[-1]
    assert second_retry.pk != first_retry.pk

    run_schedule(second_retry)
    message.refresh_from_db()
    assert message.media_status == MediaStatus.STORED
    assert message.media_error == ""
    with message.media_file.open("rb") as stored:
        assert stored.read() == VOICE_NOTE
    assert sandbox_settings.recorder.count(f"/whatsapp/v25.0/{uploaded['media_id']}") == 3


def test_retries_stop_after_the_last_attempt_and_show_the_failure(
    whatsapp_account, sandbox_settings, http
) -> None:
    uploaded = upload(sandbox_settings, http, provider="whatsapp", content=VOICE_NOTE)
    sandbox_settings.faults.add(Fault(path="/whatsapp/*", status=503, times=None))
    message = record(whatsapp_account, whatsapp_media(uploaded))

    for _ in range(MAX_ATTEMPTS):
        download_media(message.pk)

    message.refresh_from_db()
    assert message.media_status == MediaStatus.FAILED
    assert message.media_attempts == MAX_ATTEMPTS
    assert "HTTP 503" in message.media_error
    assert len(retries_for(message)) == MAX_ATTEMPTS - 1  # none after the last
    assert download_media(message.pk).startswith("skipped")


def test_a_dropped_connection_is_retried(whatsapp_account, sandbox_settings, http) -> None:
    uploaded = upload(sandbox_settings, http, provider="whatsapp", content=VOICE_NOTE)
    sandbox_settings.faults.add(
        Fault(path=f"/whatsapp/media-files/{uploaded['media_id']}", drop=True)
    )
    message = record(whatsapp_account, whatsapp_media(uploaded))

    download_media(message.pk)

    message.refresh_from_db()
    assert message.media_status == MediaStatus.PENDING
    assert "could not reach" in message.media_error
    assert len(retries_for(message)) == 1


def test_a_provider_that_does_not_answer_in_time_is_retried(
    whatsapp_account, sandbox_settings, http, monkeypatch
) -> None:
    monkeypatch.setattr(media_module, "TIMEOUT", httpx.Timeout(0.3))
    uploaded = upload(sandbox_settings, http, provider="whatsapp", content=VOICE_NOTE)
    sandbox_settings.faults.add(
        Fault(path=f"/whatsapp/v25.0/{uploaded['media_id']}", status=200, delay=2)
    )
    message = record(whatsapp_account, whatsapp_media(uploaded))

    download_media(message.pk)

    message.refresh_from_db()
    assert message.media_status == MediaStatus.PENDING
    assert "did not answer in time" in message.media_error
    assert len(retries_for(message)) == 1


@pytest.mark.parametrize(
    "foreign_url",
    [
        "https://attacker.example/voice.ogg",
        "http://169.254.169.254/latest/meta-data/",
        "http://127.0.0.1:1/admin/",  # loopback, but not the sandbox
        "http://graph.facebook.com/v25.0/123",  # a Meta host, but not over HTTPS
        "https://graph.facebook.com.attacker.example/x",
    ],
)
def test_whatsapp_media_url_on_a_foreign_host_is_refused(
    whatsapp_account, sandbox_settings, http, foreign_url
) -> None:
    uploaded = upload(sandbox_settings, http, provider="whatsapp", content=VOICE_NOTE)
    sandbox_settings.faults.add(
        Fault(
            path=f"/whatsapp/v25.0/{uploaded['media_id']}",
            status=200,
            body={"url": foreign_url, "mime_type": "audio/ogg", "id": uploaded["media_id"]},
        )
    )
    message = record(whatsapp_account, whatsapp_media(uploaded))

    download_media(message.pk)

    message.refresh_from_db()
    assert message.media_status == MediaStatus.FAILED
    assert "not one of WhatsApp's hosts" in message.media_error
    assert retries_for(message) == []


def test_whatsapp_media_over_the_size_limit_is_refused_before_downloading(
    whatsapp_account, sandbox_settings, http, monkeypatch
) -> None:
    monkeypatch.setattr(media_module, "MAX_MEDIA_BYTES", 1000)
    uploaded = upload(sandbox_settings, http, provider="whatsapp", content=VOICE_NOTE)
    message = record(whatsapp_account, whatsapp_media(uploaded))

    download_media(message.pk)

    message.refresh_from_db()
    assert message.media_status == MediaStatus.FAILED
    assert message.media_error == (
        f"WhatsApp media: the file is {len(VOICE_NOTE)} bytes, above the 1000 bytes limit"
    )
    assert retries_for(message) == []
    assert sandbox_settings.recorder.count(f"/whatsapp/media-files/{uploaded['media_id']}") == 0


def test_a_body_longer_than_the_limit_is_cut_off_while_streaming(
    whatsapp_account, monkeypatch
) -> None:
    """A server that sends no Content-Length: the limit holds while reading."""
    monkeypatch.setattr(media_module, "MAX_MEDIA_BYTES", 1000)

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.startswith("/whatsapp/v25.0/"):
            return httpx.Response(
                200, json={"url": str(request.url.join("/whatsapp/media-files/1"))}
            )
        return httpx.Response(200, content=iter([b"x" * 600, b"x" * 600, b"x" * 600]))

    monkeypatch.setattr(
        media_module,
        "_open_client",
        lambda account: httpx.Client(transport=httpx.MockTransport(handler)),
    )

    with pytest.raises(media_module.MediaUnavailable) as refused:
        media_module.fetch_media(whatsapp_account, {"provider": "whatsapp", "id": "1"})

    assert refused.value.retryable is False
    assert "over" in refused.value.reason and "limit" in refused.value.reason


# --- Telegram -----------------------------------------------------------------------------


def test_telegram_voice_note_is_stored(telegram_account, sandbox_settings, http, caplog) -> None:
    uploaded = upload(
        sandbox_settings, http, provider="telegram", content=VOICE_NOTE, mime_type="audio/ogg"
    )
    message = record(
        telegram_account,
        {
            "provider": "telegram",
            "file_id": uploaded["file_id"],
            "file_unique_id": uploaded["file_unique_id"],
            "mime_type": "audio/ogg",
            "file_size": len(VOICE_NOTE),
        },
    )

    with caplog.at_level(logging.INFO, logger="httpx"):
        download_media(message.pk)

    message.refresh_from_db()
    assert message.media_status == MediaStatus.STORED, message.media_error
    with message.media_file.open("rb") as stored:
        assert stored.read() == VOICE_NOTE
    assert message.media["stored_mime_type"] == "audio/ogg"
    assert "getFile" in caplog.text  # httpx logged the calls...
    assert BOT_TOKEN.split(":")[1] not in caplog.text  # ...without the bot's secret
    get_file = sandbox_settings.recorder.last(f"/telegram/bot{BOT_TOKEN}/getFile")
    assert get_file.json() == {"file_id": uploaded["file_id"]}
    assert sandbox_settings.recorder.count(f"/telegram/file/bot{BOT_TOKEN}/*") == 1


def test_telegram_photo_without_a_mime_type_gets_one_from_its_file_path(
    telegram_account, sandbox_settings, http
) -> None:
    uploaded = upload(
        sandbox_settings, http, provider="telegram", content=PHOTO, mime_type="image/jpeg"
    )
    message = record(
        telegram_account,
        {"provider": "telegram", "file_id": uploaded["file_id"], "mime_type": ""},
        kind=ContentKind.IMAGE,
    )

    download_media(message.pk)

    message.refresh_from_db()
    assert message.media_status == MediaStatus.STORED, message.media_error
    assert message.media["stored_mime_type"] == "image/jpeg"
    assert message.media_file.name.endswith(".jpg")


def test_telegram_file_over_its_20_mb_limit_is_refused_without_calls(
    telegram_account, sandbox_settings
) -> None:
    message = record(
        telegram_account,
        {"provider": "telegram", "file_id": "BAACAgIAAxk-big", "file_size": 21 * 1024 * 1024},
        kind=ContentKind.VIDEO,
    )

    download_media(message.pk)

    message.refresh_from_db()
    assert message.media_status == MediaStatus.FAILED
    assert "20.0 MB" in message.media_error
    assert sandbox_settings.recorder.count() == 0


def test_telegram_unknown_file_fails_without_leaking_the_bot_token(
    telegram_account, sandbox_settings
) -> None:
    message = record(telegram_account, {"provider": "telegram", "file_id": "AgAC-gone"})

    download_media(message.pk)

    message.refresh_from_db()
    assert message.media_status == MediaStatus.FAILED
    assert "invalid file_id" in message.media_error
    assert BOT_TOKEN not in message.media_error
    assert BOT_TOKEN.split(":")[1] not in message.media_error


# --- Twilio -------------------------------------------------------------------------------


def twilio_upload(sandbox: SandboxServer, http: httpx.Client, **extra: Any) -> dict[str, Any]:
    return upload(
        sandbox,
        http,
        provider="twilio",
        content=PHOTO,
        mime_type="image/jpeg",
        account_sid=ACCOUNT_SID,
        credentials={"auth_token": AUTH_TOKEN},
        **extra,
    )


def test_twilio_media_is_fetched_with_basic_auth_through_the_redirect(
    twilio_account, sandbox_settings, http
) -> None:
    uploaded = twilio_upload(sandbox_settings, http)
    message = record(
        twilio_account,
        {
            "provider": "twilio",
            "url": sandbox_settings.url + uploaded["url_path"],
            "mime_type": "image/jpeg",
        },
        kind=ContentKind.IMAGE,
    )

    download_media(message.pk)

    message.refresh_from_db()
    assert message.media_status == MediaStatus.STORED, message.media_error
    with message.media_file.open("rb") as stored:
        assert stored.read() == PHOTO
    assert message.media["stored_mime_type"] == "image/jpeg"
    api_call = sandbox_settings.recorder.last(uploaded["url_path"])
    expected = base64.b64encode(f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode()
    assert api_call.headers["authorization"] == f"Basic {expected}"
    cdn_call = sandbox_settings.recorder.last(f"/twilio/cdn/{uploaded['media_sid']}")
    assert "authorization" not in cdn_call.headers  # credentials never follow a redirect


def test_twilio_media_url_on_the_public_api_is_read_from_the_sandbox(
    twilio_account, sandbox_settings, http
) -> None:
    """A demo webhook may carry Twilio's real URL: the account's API base decides where it goes."""
    uploaded = twilio_upload(sandbox_settings, http)
    public_url = "https://api.twilio.com" + uploaded["url_path"].removeprefix("/twilio")
    message = record(
        twilio_account, {"provider": "twilio", "url": public_url, "mime_type": "image/jpeg"}
    )

    download_media(message.pk)

    message.refresh_from_db()
    assert message.media_status == MediaStatus.STORED, message.media_error


def test_twilio_wrong_credentials_fail_for_good(twilio_account, sandbox_settings, http) -> None:
    uploaded = twilio_upload(sandbox_settings, http)
    twilio_account.credentials = {"account_sid": ACCOUNT_SID, "auth_token": "rotated-token"}
    twilio_account.save()
    message = record(
        twilio_account,
        {"provider": "twilio", "url": sandbox_settings.url + uploaded["url_path"]},
    )

    download_media(message.pk)

    message.refresh_from_db()
    assert message.media_status == MediaStatus.FAILED
    assert "HTTP 401" in message.media_error
    assert "rotated-token" not in message.media_error
    assert retries_for(message) == []


def test_twilio_media_not_there_yet_is_retried(twilio_account, sandbox_settings) -> None:
    """Twilio may post the webhook before the media has propagated (a transient 404)."""
    path = f"/twilio/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/MM{'1' * 32}/Media/ME{'2' * 32}"
    message = record(twilio_account, {"provider": "twilio", "url": sandbox_settings.url + path})

    download_media(message.pk)

    message.refresh_from_db()
    assert message.media_status == MediaStatus.PENDING
    assert "HTTP 404" in message.media_error
    assert len(retries_for(message)) == 1


def test_twilio_redirect_to_a_foreign_host_is_refused(
    twilio_account, sandbox_settings, http
) -> None:
    uploaded = twilio_upload(sandbox_settings, http)
    sandbox_settings.faults.add(
        Fault(
            path=uploaded["url_path"],
            status=307,
            headers={"Location": "http://169.254.169.254/latest/meta-data/iam"},
        )
    )
    message = record(
        twilio_account, {"provider": "twilio", "url": sandbox_settings.url + uploaded["url_path"]}
    )

    download_media(message.pk)

    message.refresh_from_db()
    assert message.media_status == MediaStatus.FAILED
    assert "169.254.169.254" in message.media_error
    assert "not one of Twilio's hosts" in message.media_error


def test_twilio_media_over_the_size_limit_is_refused_by_its_length(
    twilio_account, sandbox_settings, http, monkeypatch
) -> None:
    monkeypatch.setattr(media_module, "MAX_MEDIA_BYTES", 1000)
    uploaded = twilio_upload(sandbox_settings, http)
    message = record(
        twilio_account, {"provider": "twilio", "url": sandbox_settings.url + uploaded["url_path"]}
    )

    download_media(message.pk)

    message.refresh_from_db()
    assert message.media_status == MediaStatus.FAILED
    assert "limit" in message.media_error
    assert not message.media_file


# --- email --------------------------------------------------------------------------------


def test_email_inline_attachment_is_stored_under_a_safe_name(
    channel_account_factory, sandbox_settings
) -> None:
    invoice = b"%PDF-1.7 factura 2026-0042 total 118,00 EUR"
    account = channel_account_factory(kind=ChannelKind.EMAIL, credentials={"signing_key": "k"})
    message = record(
        account,
        {
            "provider": "email",
            "filename": "../../etc/Factura 0042.pdf",
            "mime_type": "application/pdf",
            "size": len(invoice),
            "inline_base64": base64.b64encode(invoice).decode(),
        },
        kind=ContentKind.DOCUMENT,
    )

    download_media(message.pk)

    message.refresh_from_db()
    assert message.media_status == MediaStatus.STORED, message.media_error
    with message.media_file.open("rb") as stored:
        assert stored.read() == invoice
    assert message.media_file.name.rsplit("/", 1)[-1].startswith("Factura")
    assert ".." not in message.media_file.name
    assert message.media["stored_mime_type"] == "application/pdf"


def test_email_attachment_not_kept_inline_fails_with_a_reason(
    channel_account_factory, sandbox_settings
) -> None:
    account = channel_account_factory(kind=ChannelKind.EMAIL, credentials={"signing_key": "k"})
    message = record(
        account,
        {
            "provider": "email",
            "filename": "video.mp4",
            "mime_type": "video/mp4",
            "size": 9 << 20,
            "note": "too large to keep (9437184 bytes, limit 5242880)",
        },
        kind=ContentKind.DOCUMENT,
    )

    download_media(message.pk)

    message.refresh_from_db()
    assert message.media_status == MediaStatus.FAILED
    assert message.media_error == (
        "the email attachment was not kept with the message: "
        "too large to keep (9437184 bytes, limit 5242880)"
    )


# --- backoff ------------------------------------------------------------------------------


def test_retry_delays_double_with_jitter_up_to_fifteen_minutes() -> None:
    for attempt, ceiling in [(1, 2), (2, 4), (3, 8), (4, 16), (20, 900)]:
        delays = [retry_delay(attempt) for _ in range(200)]
        assert all(ceiling / 2 <= d <= ceiling for d in delays)
        assert len(set(delays)) > 1  # jittered


def test_unknown_provider_fails_for_good(whatsapp_account, sandbox_settings, caplog) -> None:
    message = record(whatsapp_account, {"provider": "carrier-pigeon"})

    with caplog.at_level(logging.INFO):
        download_media(message.pk)

    message.refresh_from_db()
    assert message.media_status == MediaStatus.FAILED
    assert "carrier-pigeon" in message.media_error


def test_sha256_digests_in_hex_and_base64_are_read_alike() -> None:
    digest = hashlib.sha256(b"abc").digest()
    encodings = [
        digest.hex(),
        digest.hex().upper(),
        base64.b64encode(digest).decode(),
        base64.urlsafe_b64encode(digest).decode().rstrip("="),
    ]
    assert {media_module.sha256_digest(value) for value in encodings} == {digest}
    assert media_module.sha256_digest("b64hash...") is None
    assert media_module.sha256_digest(base64.b64encode(b"short").decode()) is None
