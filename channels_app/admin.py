from django.contrib import admin
from django.http import HttpRequest

from channels_app.forms import ChannelAccountForm
from channels_app.models import CREDENTIAL_FIELDS, ChannelAccount
from channels_app.resources import ChannelAccountResource
from conversations.models import Conversation
from sbops.core.admin_base import ExportableAdmin


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
