"""Keeping `MessageTemplate` rows in step with WhatsApp: the full sync from the Graph
`message_templates` list, the status webhook, and our own enable/disable switch.

The sync reads every page before it writes anything, so a failure halfway leaves the rows as
they were, and only a complete list may mark a template DELETED.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

import httpx
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from channels_app.media import WHATSAPP_API, WHATSAPP_SANDBOX_PREFIX, WHATSAPP_TRANSIENT_CODES
from channels_app.models import ChannelAccount, MessageTemplate, TemplateStatus
from channels_app.providers.base import api_base_url
from conversations.models import ChannelKind
from sbops.core.audit import audit_record

TIMEOUT = httpx.Timeout(20.0, connect=5.0)
PAGE_SIZE = 100
MAX_PAGES = 50  # 5,000 templates: far above Meta's per-WABA limit, so a loop cannot run away
MAX_PAGE_BYTES = 8 * 1024 * 1024
LIST_FIELDS = (
    "id,name,status,category,language,components,parameter_format,quality_score,rejected_reason"
)
# a webhook event that names a state rather than a status
EVENT_STATUS = {"REINSTATED": TemplateStatus.APPROVED, "UNPAUSED": TemplateStatus.APPROVED}
_STATUS_WORD = re.compile(r"^[A-Z_]{1,32}$")
SYNCED_FIELDS = (
    "provider_template_id",
    "category",
    "status",
    "parameter_format",
    "components",
    "quality",
    "rejection_reason",
)


class TemplateSyncFailed(Exception):
    """The list could not be read; nothing was written. `reason` is safe to show staff;
    `retryable` says whether a later attempt may succeed."""

    def __init__(self, reason: str, retryable: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable


@dataclass(frozen=True)
class SyncResult:
    created: int
    updated: int
    unchanged: int
    removed_or_missing: int  # listed before, not any more: marked DELETED now

    def as_dict(self) -> dict[str, int]:
        return asdict(self)

    def __str__(self) -> str:
        return (
            f"{self.created} new, {self.updated} updated, {self.unchanged} unchanged, "
            f"{self.removed_or_missing} no longer listed"
        )


# --- reading the list ----------------------------------------------------------------------


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    scheme = url.scheme.lower()
    return scheme, url.host.lower(), url.port or (443 if scheme == "https" else 80)


def _graph_error(response: httpx.Response) -> TemplateSyncFailed:
    try:
        error = response.json().get("error") or {}
    except (ValueError, AttributeError):
        error = {}
    code = error.get("code") if isinstance(error, dict) else None
    message = str(error.get("message") or "")[:200] if isinstance(error, dict) else ""
    # by Graph's code, not the HTTP status (a rate limit comes as a 400)
    retryable = (
        code in WHATSAPP_TRANSIENT_CODES if code is not None else response.status_code >= 500
    )
    detail = f"code {code}: {message}" if code is not None else f"HTTP {response.status_code}"
    return TemplateSyncFailed(f"WhatsApp refused the template list ({detail})", retryable)


def fetch_template_list(account: ChannelAccount) -> list[dict[str, Any]]:
    """Every template Meta lists for the account's WABA, all pages.

    Follows `paging.next` only to the origin of the first request (the token goes with it).
    Raises TemplateSyncFailed.
    """
    waba_id = str((account.config or {}).get("waba_id") or "").strip()
    if not waba_id:
        raise TemplateSyncFailed(f"{account.name}: no waba_id in the account's config", False)
    token = (account.credentials or {}).get("access_token", "")
    if not token:
        raise TemplateSyncFailed(f"{account.name}: no access_token in its credentials", False)
    try:
        base = api_base_url(account, default=WHATSAPP_API, sandbox_prefix=WHATSAPP_SANDBOX_PREFIX)
    except RuntimeError as exc:
        raise TemplateSyncFailed(str(exc), False) from None
    url = httpx.URL(f"{base}/{waba_id}/message_templates").copy_merge_params(
        {"fields": LIST_FIELDS, "limit": PAGE_SIZE}
    )
    origin = _origin(url)
    found: list[dict[str, Any]] = []
    headers = {"Authorization": f"Bearer {token}"}
    # a sandbox is on loopback: no proxy from the environment may see those calls
    with httpx.Client(
        timeout=TIMEOUT, follow_redirects=False, trust_env=not account.uses_sandbox
    ) as client:
        for _page in range(MAX_PAGES):
            try:
                response = client.get(url, headers=headers)
            except httpx.TimeoutException:
                raise TemplateSyncFailed(f"{url.host} did not answer in time", True) from None
            except httpx.HTTPError as exc:
                raise TemplateSyncFailed(
                    f"could not reach {url.host} ({type(exc).__name__})", True
                ) from None
            if response.status_code != 200:
                raise _graph_error(response)
            if len(response.content) > MAX_PAGE_BYTES:
                raise TemplateSyncFailed("a page of the template list is too large", False)
            try:
                page = response.json()
                data = page["data"]
                if not isinstance(data, list):
                    raise TypeError
            except (ValueError, KeyError, TypeError):
                raise TemplateSyncFailed("the template list is not readable JSON", True) from None
            found.extend(item for item in data if isinstance(item, dict))
            following = ((page.get("paging") or {}).get("next")) or ""
            if not following:
                return found
            try:
                url = httpx.URL(str(following))
            except (httpx.InvalidURL, TypeError):
                raise TemplateSyncFailed("paging.next is not a valid URL", False) from None
            if _origin(url) != origin or url.userinfo:
                raise TemplateSyncFailed(
                    f"paging.next points at {url.host or 'no host'}, not {origin[1]}", False
                )
    raise TemplateSyncFailed(f"the template list has more than {MAX_PAGES} pages", False)


def _synced_values(item: dict[str, Any]) -> dict[str, Any]:
    quality = item.get("quality_score")
    if isinstance(quality, dict):
        quality = quality.get("score")
    reason = str(item.get("rejected_reason") or "")
    return {
        "provider_template_id": str(item.get("id") or "")[:64],
        "category": str(item.get("category") or "")[:32],
        "status": str(item.get("status") or "")[:32],
        "parameter_format": str(item.get("parameter_format") or "POSITIONAL")[:16],
        "components": item.get("components") if isinstance(item.get("components"), list) else [],
        "quality": str(quality or "")[:16],
        "rejection_reason": "" if reason.upper() == "NONE" else reason[:64],
    }


# --- services ------------------------------------------------------------------------------


def templates_sync(*, account: ChannelAccount, actor: Any) -> SyncResult:
    """Bring the account's templates in step with Meta's list (all pages).

    New templates are created, changed ones updated, and ones Meta no longer lists marked
    DELETED (their rows stay). `actor`: the user who asked, or None for the schedule.
    Precondition: a WhatsApp Cloud account with `waba_id` and `access_token`.
    Raises TemplateSyncFailed (nothing written).
    """
    if account.kind != ChannelKind.WHATSAPP_CLOUD:
        raise TemplateSyncFailed(f"{account.name} is not a WhatsApp Cloud account", False)
    listed = fetch_template_list(account)
    now = timezone.now()
    created = updated = unchanged = 0
    with transaction.atomic():
        existing = {
            (row.name, row.language): row
            for row in MessageTemplate.objects.select_for_update().filter(account=account)
        }
        seen: set[tuple[str, str]] = set()
        for item in listed:
            key = (str(item.get("name") or "")[:512], str(item.get("language") or "")[:16])
            if not all(key) or key in seen:
                continue
            seen.add(key)
            values = _synced_values(item)
            row = existing.get(key)
            if row is None:
                MessageTemplate.objects.create(
                    account=account, name=key[0], language=key[1], last_synced_at=now, **values
                )
                created += 1
                continue
            changed = [name for name in SYNCED_FIELDS if getattr(row, name) != values[name]]
            for name in changed:
                setattr(row, name, values[name])
            row.last_synced_at = now
            row.save(update_fields=[*changed, "last_synced_at", "updated_at"])
            if changed:
                updated += 1
            else:
                unchanged += 1
        gone = [
            row.pk
            for key, row in existing.items()
            if key not in seen and row.status != TemplateStatus.DELETED
        ]
        MessageTemplate.objects.filter(pk__in=gone).update(
            status=TemplateStatus.DELETED, updated_at=now
        )
        result = SyncResult(created, updated, unchanged, len(gone))
        audit_record(
            actor=actor,
            action="whatsapp_templates_synced",
            target=account,
            data={**result.as_dict(), "listed": len(listed)},
        )
    return result


def template_status_apply(
    *, account: ChannelAccount, update: dict[str, Any]
) -> MessageTemplate | None:
    """Apply one `message_template_status_update` webhook value to the account's template.

    Found by the provider id, else by name and language. None when we do not have the
    template yet (the next sync brings it) or the event is not a status word.
    """
    event = str(update.get("event") or "").upper()
    if not _STATUS_WORD.fullmatch(event):
        return None
    status = EVENT_STATUS.get(event, event)
    rows = MessageTemplate.objects.select_for_update().filter(account=account)
    with transaction.atomic():
        provider_id = str(update.get("message_template_id") or "")
        row = rows.filter(provider_template_id=provider_id).first() if provider_id else None
        if row is None:
            row = rows.filter(
                name=str(update.get("message_template_name") or ""),
                language=str(update.get("message_template_language") or ""),
            ).first()
        if row is None:
            return None
        reason = str(update.get("reason") or "")
        before = row.status
        row.status = status
        row.rejection_reason = "" if reason.upper() in ("", "NONE") else reason[:64]
        if provider_id and not row.provider_template_id:
            row.provider_template_id = provider_id[:64]
        row.save(update_fields=["status", "rejection_reason", "provider_template_id", "updated_at"])
        audit_record(
            actor=None,
            action="whatsapp_template_status_changed",
            target=row,
            data={"from": before, "to": status, "event": event, "reason": reason[:64]},
        )
    return row


def templates_set_enabled(
    *, templates: QuerySet[MessageTemplate], enabled: bool, actor: Any
) -> int:
    """Switch templates on or off here (Meta's status is untouched). Returns how many changed."""
    changed = 0
    with transaction.atomic():
        for row in templates.select_for_update().exclude(enabled=enabled):
            row.enabled = enabled
            row.save(update_fields=["enabled", "updated_at"])
            audit_record(
                actor=actor,
                action="whatsapp_template_enabled" if enabled else "whatsapp_template_disabled",
                target=row,
            )
            changed += 1
    return changed
