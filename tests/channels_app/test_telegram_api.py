"""Telegram Bot API calls against the sandbox: callback answers, webhook registration, the admin
action that registers webhooks."""

from __future__ import annotations

import logging

import pytest
from django.contrib import admin
from django.urls import reverse

import sbops.sandbox.fakes  # noqa: F401 - registers the fakes on the default router
from channels_app import telegram_api
from channels_app.admin_actions import register_telegram_webhooks
from channels_app.models import ChannelAccount
from channels_app.tasks import answer_telegram_callback, register_telegram_webhook
from conversations.models import ChannelKind
from sbops.sandbox import Fault, SandboxServer

pytestmark = pytest.mark.django_db

BOT_TOKEN = "7012345678:AAH-shop-support-bot"
SECRET_TOKEN = "hook-Secret_42"
TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"


@pytest.fixture
def telegram_account(channel_account_factory, settings, sandbox: SandboxServer):
    settings.SANDBOX_URL = sandbox.url
    return channel_account_factory(
        name="Shop bot",
        slug="shop-bot",
        kind=ChannelKind.TELEGRAM,
        uses_sandbox=True,
        credentials={"bot_token": BOT_TOKEN, "secret_token": SECRET_TOKEN},
    )


# --- answerCallbackQuery ------------------------------------------------------------------


def test_a_tapped_button_is_answered_with_the_bots_token(telegram_account, sandbox) -> None:
    outcome = answer_telegram_callback(telegram_account.pk, callback_query_id="4382109457120938471")

    assert outcome == "answered"
    call = sandbox.recorder.last(f"/telegram/bot{BOT_TOKEN}/answerCallbackQuery")
    assert call.method == "POST"
    assert call.json() == {"callback_query_id": "4382109457120938471"}


def test_an_answer_that_came_too_late_is_dropped_quietly(telegram_account, sandbox, caplog) -> None:
    sandbox.faults.add(
        Fault(
            path=f"/telegram/bot{BOT_TOKEN}/answerCallbackQuery",
            status=400,
            body={"ok": False, "error_code": 400, "description": TOO_OLD},
        )
    )

    with caplog.at_level(logging.WARNING, logger="channels_app.tasks"):
        outcome = answer_telegram_callback(telegram_account.pk, callback_query_id="1")

    assert outcome.startswith("ignored")
    assert not [r for r in caplog.records if r.name == "channels_app.tasks"]


def test_other_callback_errors_are_logged_without_the_token(
    telegram_account, sandbox, caplog
) -> None:
    sandbox.faults.add(
        Fault(
            path=f"/telegram/bot{BOT_TOKEN}/answerCallbackQuery",
            status=403,
            body={"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked"},
        )
    )

    with caplog.at_level(logging.INFO):
        outcome = answer_telegram_callback(telegram_account.pk, callback_query_id="2")

    assert outcome == "failed: answerCallbackQuery: Forbidden: bot was blocked"
    (warning,) = [r for r in caplog.records if r.name == "channels_app.tasks"]
    assert warning.levelno == logging.WARNING
    assert "Forbidden: bot was blocked" in warning.getMessage()
    assert BOT_TOKEN.split(":")[1] not in caplog.text


def test_an_unreachable_telegram_is_reported_not_raised(telegram_account, sandbox) -> None:
    sandbox.faults.add(Fault(path=f"/telegram/bot{BOT_TOKEN}/answerCallbackQuery", drop=True))

    outcome = answer_telegram_callback(telegram_account.pk, callback_query_id="3")

    assert outcome.startswith("failed: answerCallbackQuery: could not reach Telegram")


# --- setWebhook ---------------------------------------------------------------------------


def test_register_webhook_sends_url_secret_and_the_updates_we_handle(
    telegram_account, sandbox
) -> None:
    url = "https://console.example.com/webhooks/telegram/shop-bot/"

    result = register_telegram_webhook(telegram_account.pk, url)

    assert result is True
    call = sandbox.recorder.last(f"/telegram/bot{BOT_TOKEN}/setWebhook")
    assert call.json() == {
        "url": url,
        "secret_token": SECRET_TOKEN,
        "allowed_updates": ["message", "edited_message", "callback_query", "my_chat_member"],
    }
    info = telegram_api.get_webhook_info(telegram_account)
    assert info["url"] == url
    assert "my_chat_member" in info["allowed_updates"]


def test_register_webhook_without_a_secret_token_sends_nothing(telegram_account, sandbox) -> None:
    telegram_account.credentials = {"bot_token": BOT_TOKEN}
    telegram_account.save()

    with pytest.raises(telegram_api.TelegramApiError, match="no secret_token"):
        register_telegram_webhook(telegram_account.pk, "https://console.example.com/hook/")

    assert sandbox.recorder.count() == 0


def test_telegram_refusal_carries_its_description(telegram_account, sandbox) -> None:
    with pytest.raises(telegram_api.TelegramApiError) as refused:
        register_telegram_webhook(telegram_account.pk, "http://console.example.com/hook/")

    assert refused.value.error_code == 400
    assert "An HTTPS URL must be provided" in refused.value.description
    assert not refused.value.retryable


# --- the admin action ---------------------------------------------------------------------


@pytest.fixture
def account_admin(monkeypatch):
    """The ChannelAccount admin with the action wired in, as channels_app/admin.py will do."""
    model_admin = admin.site._registry[ChannelAccount]
    monkeypatch.setattr(model_admin, "actions", [register_telegram_webhooks])
    return model_admin


def run_action(client, *accounts: ChannelAccount):
    return client.post(
        reverse("admin:channels_app_channelaccount_changelist"),
        {"action": "register_telegram_webhooks", "_selected_action": [a.pk for a in accounts]},
        follow=True,
    )


def shown_messages(response) -> list[tuple[str, str]]:
    return [(m.level_tag, str(m)) for m in response.context["messages"]]


def test_admin_registers_the_webhook_of_selected_telegram_bots(
    account_admin, client, admin_user, telegram_account, channel_account_factory, sandbox, settings
) -> None:
    settings.PUBLIC_BASE_URL = "https://console.example.com/"
    whatsapp = channel_account_factory(name="WhatsApp line", kind=ChannelKind.WHATSAPP_CLOUD)
    client.force_login(admin_user)
    changelist = client.get(reverse("admin:channels_app_channelaccount_changelist"))
    assert "Register the Telegram webhook" in changelist.content.decode()

    response = run_action(client, telegram_account, whatsapp)

    assert response.status_code == 200
    assert shown_messages(response) == [
        (
            "success",
            "Shop bot: Telegram will post updates to "
            "https://console.example.com/webhooks/telegram/shop-bot/",
        ),
        ("warning", "WhatsApp line: skipped, not a Telegram account."),
    ]
    call = sandbox.recorder.last(f"/telegram/bot{BOT_TOKEN}/setWebhook")
    assert call.json()["url"] == "https://console.example.com/webhooks/telegram/shop-bot/"
    assert call.json()["secret_token"] == SECRET_TOKEN


def test_admin_sees_telegrams_refusal(
    account_admin, client, admin_user, telegram_account, sandbox, settings
) -> None:
    settings.PUBLIC_BASE_URL = ""  # falls back to this request's host: http://testserver/
    client.force_login(admin_user)

    response = run_action(client, telegram_account)

    ((level, text),) = shown_messages(response)
    assert level == "error"
    assert text.startswith("Shop bot: could not register the webhook: setWebhook: Bad Request")
    assert "An HTTPS URL must be provided" in text
    assert sandbox.recorder.last(f"/telegram/bot{BOT_TOKEN}/setWebhook").json()["url"] == (
        "http://testserver/webhooks/telegram/shop-bot/"
    )


def test_an_owner_who_may_only_view_accounts_cannot_register_webhooks(
    account_admin, client, owner_user, telegram_account, sandbox
) -> None:
    client.force_login(owner_user)

    response = run_action(client, telegram_account)

    assert response.status_code == 200  # the owner does see the accounts...
    assert "register_telegram_webhooks" not in response.content.decode()  # ...not the action
    assert sandbox.recorder.count() == 0
