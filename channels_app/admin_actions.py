"""Admin actions on channel accounts (wired up in `channels_app/admin.py`)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from channels_app.models import ChannelAccount
from channels_app.tasks import register_telegram_webhook
from channels_app.telegram_api import TelegramApiError
from conversations.models import ChannelKind


def webhook_url(request: HttpRequest, account: ChannelAccount) -> str:
    """The public URL Telegram should post this account's updates to."""
    base = settings.PUBLIC_BASE_URL or request.build_absolute_uri("/")
    return base.rstrip("/") + account.webhook_path


@admin.action(description="Register the Telegram webhook", permissions=["change"])
def register_telegram_webhooks(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[ChannelAccount]
) -> None:
    """Point each selected Telegram bot at its webhook here, reporting each outcome."""
    for account in queryset.order_by("name"):
        if account.kind != ChannelKind.TELEGRAM:
            modeladmin.message_user(
                request,
                f"{account.name}: skipped, not a Telegram account.",
                level=messages.WARNING,
            )
            continue
        url = webhook_url(request, account)
        try:
            register_telegram_webhook(account.pk, url)
        except TelegramApiError as exc:
            modeladmin.message_user(
                request,
                f"{account.name}: could not register the webhook: {exc.description}",
                level=messages.ERROR,
            )
        else:
            modeladmin.message_user(
                request,
                f"{account.name}: Telegram will post updates to {url}",
                level=messages.SUCCESS,
            )
