"""Every write to channel accounts."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from channels_app.models import ChannelAccount
from channels_app.selectors import forget_webhook_accounts
from sbops.core.audit import audit_record


def channel_account_upsert(
    *,
    slug: str,
    name: str,
    kind: str,
    credentials: dict[str, str],
    address: str = "",
    config: dict[str, Any] | None = None,
    uses_sandbox: bool = False,
    enabled: bool = True,
    actor: Any,
) -> ChannelAccount:
    """Create the account with this slug, or update it in place (secrets merged, not dropped)."""
    with transaction.atomic():
        account = ChannelAccount.objects.select_for_update().filter(slug=slug).first()
        created = account is None
        if account is None:
            account = ChannelAccount(slug=slug)
        account.name = name
        account.kind = kind
        account.address = address
        account.config = {**(account.config or {}), **(config or {})}
        account.credentials = {**(account.credentials or {}), **credentials}
        account.uses_sandbox = uses_sandbox
        account.enabled = enabled
        account.full_clean()
        account.save()
        transaction.on_commit(forget_webhook_accounts)
        # secret values never go into the audit row, only which ones were set
        audit_record(
            actor=actor,
            action="channel_account.created" if created else "channel_account.updated",
            target=account,
            data={"secrets_set": sorted(credentials)},
        )
    return account
