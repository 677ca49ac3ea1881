"""Admin for WhatsApp message templates, and the "sync templates" action for channel accounts.

Registers `MessageTemplateAdmin` on import (once). `channels_app/admin.py` imports this module;
`ChannelAccountAdmin.actions` may add `sync_whatsapp_templates`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from channels_app.models import ChannelAccount, MessageTemplate
from channels_app.template_sync import TemplateSyncFailed, templates_set_enabled, templates_sync
from channels_app.whatsapp_templates import (
    example_params,
    placeholders,
    render,
    send_refusal,
    validate_params,
)
from conversations.models import ChannelKind
from sbops.core.admin_base import ExportableAdmin


def _sync_accounts(
    modeladmin: admin.ModelAdmin, request: HttpRequest, accounts: Iterable[ChannelAccount]
) -> None:
    for account in accounts:
        if account.kind != ChannelKind.WHATSAPP_CLOUD:
            modeladmin.message_user(
                request, f"{account.name}: skipped, not a WhatsApp account.", messages.WARNING
            )
            continue
        try:
            result = templates_sync(account=account, actor=request.user)
        except TemplateSyncFailed as exc:
            modeladmin.message_user(
                request, f"{account.name}: templates not synced: {exc.reason}", messages.ERROR
            )
        else:
            modeladmin.message_user(
                request, f"{account.name}: templates synced: {result}.", messages.SUCCESS
            )


@admin.action(description="Sync templates from WhatsApp", permissions=["change"])
def sync_whatsapp_templates(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[ChannelAccount]
) -> None:
    """For `ChannelAccountAdmin.actions`: sync the selected WhatsApp accounts' templates."""
    _sync_accounts(modeladmin, request, queryset.order_by("name"))


class MessageTemplateAdmin(ExportableAdmin):
    list_display = (
        "name",
        "language",
        "account",
        "category",
        "status",
        "enabled",
        "quality",
        "last_synced_at",
    )
    list_filter = ("status", "category", "enabled", "quality", "parameter_format", "account")
    search_fields = ("name", "language", "provider_template_id")
    list_select_related = ("account",)
    fields = (
        "account",
        "name",
        "language",
        "category",
        "status",
        "rejection_reason",
        "quality",
        "parameter_format",
        "provider_template_id",
        "last_synced_at",
        "enabled",
        "sendable",
        "parameters",
        "preview",
        "components_json",
    )
    readonly_fields = (
        "account",
        "name",
        "language",
        "category",
        "status",
        "rejection_reason",
        "quality",
        "parameter_format",
        "provider_template_id",
        "last_synced_at",
        "sendable",
        "parameters",
        "preview",
        "components_json",
    )
    actions = ["sync_selected_accounts", "enable_selected", "disable_selected"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # templates come from WhatsApp, through the sync

    def save_model(self, request: HttpRequest, obj: MessageTemplate, form, change: bool) -> None:  # type: ignore[no-untyped-def]
        # `enabled` is the only field staff edit here; it goes through the audited service
        if change and "enabled" in form.changed_data:
            templates_set_enabled(
                templates=MessageTemplate.objects.filter(pk=obj.pk),
                enabled=obj.enabled,
                actor=request.user,
            )

    @admin.display(description="can be sent")
    def sendable(self, obj: MessageTemplate) -> str:
        return send_refusal(obj) or "yes"

    @admin.display(description="parameters")
    def parameters(self, obj: MessageTemplate) -> str:
        return ", ".join(placeholders(obj)) or "none"

    @admin.display(description="components (as WhatsApp lists them)")
    def components_json(self, obj: MessageTemplate) -> SafeString:
        return format_html(
            "<pre>{}</pre>", json.dumps(obj.components, indent=2, ensure_ascii=False)
        )

    @admin.display(description="preview")
    def preview(self, obj: MessageTemplate) -> SafeString:
        """The template rendered with its example values; every piece of text escaped."""
        examples = example_params(obj)
        shown = render(obj, examples)
        problems = validate_params(obj, examples)
        parts = [
            format_html(
                '<p class="template-preview-label"><strong>Preview</strong> with the example '
                "values ({}); not a sent message.</p>",
                ", ".join(f"{key} = {value}" for key, value in examples.items()) or "none",
            )
        ]
        if shown["header"]:
            parts.append(format_html("<p><strong>{}</strong></p>", shown["header"]))
        parts.append(format_html('<p style="white-space: pre-wrap">{}</p>', shown["body"]))
        if shown["footer"]:
            parts.append(format_html("<p><small>{}</small></p>", shown["footer"]))
        if shown["buttons"]:
            parts.append(
                format_html(
                    "<ul>{}</ul>",
                    format_html_join(
                        "",
                        "<li>[{}] {}</li>",
                        ((button["type"], button["text"]) for button in shown["buttons"]),
                    ),
                )
            )
        if problems:
            parts.append(
                format_html(
                    "<p>The example values would be refused:</p><ul>{}</ul>",
                    format_html_join("", "<li>{}</li>", ((problem,) for problem in problems)),
                )
            )
        return format_html(
            '<div class="template-preview">{}</div>',
            format_html_join("", "{}", ((part,) for part in parts)),
        )

    @admin.action(description="Sync templates from WhatsApp", permissions=["change"])
    def sync_selected_accounts(
        self, request: HttpRequest, queryset: QuerySet[MessageTemplate]
    ) -> None:
        accounts = ChannelAccount.objects.filter(pk__in=queryset.values("account_id")).order_by(
            "name"
        )
        _sync_accounts(self, request, accounts)

    @admin.action(description="Enable selected templates", permissions=["change"])
    def enable_selected(self, request: HttpRequest, queryset: QuerySet[MessageTemplate]) -> None:
        changed = templates_set_enabled(templates=queryset, enabled=True, actor=request.user)
        self.message_user(request, f"{changed} template(s) enabled.", messages.SUCCESS)

    @admin.action(description="Disable selected templates", permissions=["change"])
    def disable_selected(self, request: HttpRequest, queryset: QuerySet[MessageTemplate]) -> None:
        changed = templates_set_enabled(templates=queryset, enabled=False, actor=request.user)
        self.message_user(request, f"{changed} template(s) disabled.", messages.SUCCESS)


if not admin.site.is_registered(MessageTemplate):
    admin.site.register(MessageTemplate, MessageTemplateAdmin)
