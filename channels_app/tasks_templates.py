"""Template tasks: the scheduled sync of every enabled WhatsApp Cloud account (declared in
`sbops schedules`), and the status webhook's follow-up."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction

from channels_app.models import ChannelAccount
from channels_app.template_sync import TemplateSyncFailed, template_status_apply, templates_sync
from conversations.models import ChannelKind

logger = logging.getLogger(__name__)

SYNC_ALL_TEMPLATES_TASK = "channels_app.tasks_templates.sync_all_whatsapp_templates"
APPLY_TEMPLATE_STATUS_TASK = "channels_app.tasks_templates.apply_template_status"


def sync_all_whatsapp_templates() -> dict[str, Any]:
    """Sync the templates of every enabled WhatsApp Cloud account; one account's failure does
    not stop the others. Returns, JSON-safe, what became of each account (by slug)."""
    synced: dict[str, dict[str, int]] = {}
    failed: dict[str, str] = {}
    accounts = ChannelAccount.objects.filter(kind=ChannelKind.WHATSAPP_CLOUD, enabled=True)
    for account in accounts.order_by("pk"):
        try:
            synced[account.slug] = templates_sync(account=account, actor=None).as_dict()
        except TemplateSyncFailed as exc:
            logger.warning("templates of %s not synced: %s", account.slug, exc.reason)
            failed[account.slug] = exc.reason
    return {"synced": synced, "failed": failed}


def apply_template_status(account_id: int, update: dict[str, Any]) -> str:
    """A `message_template_status_update` webhook value (queued as the adapter's FollowUp).
    A template we do not know yet is fetched by a sync of the account instead."""
    account = ChannelAccount.objects.filter(pk=account_id).first()
    if account is None:
        return "skipped: the account no longer exists"
    with transaction.atomic(durable=True):
        row = template_status_apply(account=account, update=update)
    if row is not None:
        return f"template {row.name} ({row.language}) is now {row.status}"
    try:
        result = templates_sync(account=account, actor=None)
    except TemplateSyncFailed as exc:
        return f"unknown template; sync failed: {exc.reason}"
    return f"unknown template; synced: {result}"
