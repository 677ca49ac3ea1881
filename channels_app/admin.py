from django.contrib import admin, messages
from django.http import HttpRequest

from channels_app.admin_actions import register_telegram_webhooks
from channels_app.admin_templates import sync_whatsapp_templates
from channels_app.forms import ChannelAccountForm
from channels_app.ingest import webhook_replay
from channels_app.models import CREDENTIAL_FIELDS, ChannelAccount, WebhookEvent
from channels_app.resources import ChannelAccountResource, WebhookEventResource
from channels_app.selectors import forget_webhook_accounts
from conversations.models import Conversation
from sbops.core.admin_base import ExportableAdmin, ReadOnlyAdmin


@admin.register(ChannelAccount)
class ChannelAccountAdmin(ExportableAdmin):
    form = ChannelAccountForm
    resource_classes = [ChannelAccountResource]
    list_display = (
        "name",
        "kind",
        "slug",
        "address",
        "enabled",
        "uses_sandbox",
        "credentials_status",
        "webhook_path",
    )
    list_filter = ("kind", "enabled", "uses_sandbox")
    search_fields = ("name", "slug", "address")
    prepopulated_fields = {"slug": ("name",)}
    actions = [register_telegram_webhooks, sync_whatsapp_templates]

    def save_model(self, request: HttpRequest, obj: ChannelAccount, form, change: bool) -> None:  # type: ignore[no-untyped-def]
        super().save_model(request, obj, form, change)
        forget_webhook_accounts()  # this process sees the edit at once; others within seconds

    @admin.display(description="credentials")
    def credentials_status(self, obj: ChannelAccount) -> str:
        """Which secrets are set, never their values."""
        names = CREDENTIAL_FIELDS.get(obj.kind, ())
        return ", ".join(f"{name} {'✓' if obj.credentials.get(name) else '✗'}" for name in names)

    def get_fields(self, request: HttpRequest, obj: ChannelAccount | None = None) -> list:
        fields = list(super().get_fields(request, obj))
        if not self.has_change_permission(request, obj):
            # a viewer cannot type secrets; the change list's credentials column says which are set
            fields = [name for name in fields if not name.startswith("secret_")]
        return fields

    def has_delete_permission(
        self, request: HttpRequest, obj: ChannelAccount | None = None
    ) -> bool:
        # an account with history is disabled, not deleted: its messages refer to it
        if obj is not None and Conversation.objects.filter(channel_account_id=obj.pk).exists():
            return False
        return super().has_delete_permission(request, obj)


@admin.register(WebhookEvent)
class WebhookEventAdmin(ReadOnlyAdmin):
    """The webhook journal. Filter by outcome "Failed" for the dead letters; replay them after a fix."""

    resource_classes = [WebhookEventResource]
    list_display = (
        "id",
        "received_at",
        "kind",
        "slug",
        "verification",
        "outcome",
        "status_code",
        "short_error",
        "replay_count",
    )
    list_filter = ("outcome", "verification", "kind", "status_code")
    search_fields = ("slug", "error")
    date_hierarchy = "received_at"
    readonly_fields = ("body_text",)
    exclude = ("body",)
    actions = ["replay_selected"]

    @admin.display(description="error")
    def short_error(self, obj: WebhookEvent) -> str:
        return obj.error[:100]

    @admin.display(description="raw body")
    def body_text(self, obj: WebhookEvent) -> str:
        return bytes(obj.body).decode("utf-8", "replace")[:20000]

    @admin.action(description="Replay selected (verified) requests", permissions=["replay"])
    def replay_selected(self, request: HttpRequest, queryset) -> None:  # type: ignore[no-untyped-def]
        outcomes: dict[str, int] = {}
        refused = 0
        for event in queryset.select_related("account"):
            try:
                outcome = webhook_replay(event=event, actor=request.user)
            except ValueError:
                refused += 1
                continue
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
        summary = ", ".join(f"{count} {outcome}" for outcome, count in sorted(outcomes.items()))
        self.message_user(request, f"Replayed: {summary or 'none'}.")
        if refused:
            self.message_user(
                request,
                f"{refused} not replayed: only verified requests of a known account can be.",
                level=messages.WARNING,
            )

    def has_replay_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("channels_app.change_webhookevent")
