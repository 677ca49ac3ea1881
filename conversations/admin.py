from django.contrib import admin

from conversations.models import (
    Contact,
    ContactIdentity,
    ContactOptOut,
    Conversation,
    Message,
    OptOutKeyword,
    PendingStatus,
)
from conversations.resources import (
    ContactIdentityResource,
    ContactOptOutResource,
    ContactResource,
    ConversationResource,
    MessageResource,
    OptOutKeywordResource,
)
from sbops.core.admin_base import ExportableAdmin, ImportExportAdmin, ReadOnlyAdmin


class ContactIdentityInline(admin.TabularInline):
    model = ContactIdentity
    extra = 0


class ContactOptOutInline(admin.TabularInline):
    model = ContactOptOut
    extra = 0
    readonly_fields = ("created_at",)


@admin.register(Contact)
class ContactAdmin(ImportExportAdmin):
    resource_classes = [ContactResource]
    list_display = ("__str__", "phone", "email", "language", "is_vip", "created_at")
    list_filter = ("is_vip", "language")
    search_fields = ("display_name", "phone", "email", "identities__external_id")
    inlines = [ContactIdentityInline, ContactOptOutInline]


@admin.register(ContactIdentity)
class ContactIdentityAdmin(ExportableAdmin):
    resource_classes = [ContactIdentityResource]
    list_display = ("kind", "external_id", "contact", "created_at")
    list_filter = ("kind",)
    search_fields = ("external_id", "contact__display_name")
    list_select_related = ("contact",)
    raw_id_fields = ("contact",)


@admin.register(ContactOptOut)
class ContactOptOutAdmin(ExportableAdmin):
    resource_classes = [ContactOptOutResource]
    list_display = ("contact", "channel_kind", "source", "created_at")
    list_filter = ("channel_kind",)
    search_fields = ("contact__display_name", "contact__phone")
    list_select_related = ("contact",)
    raw_id_fields = ("contact",)


class MessageInline(admin.TabularInline):
    model = Message
    extra = 0
    can_delete = False
    fields = (
        "created_at",
        "direction",
        "author",
        "content_kind",
        "body",
        "delivery_status",
        "error_reason",
    )
    readonly_fields = fields
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:  # type: ignore[override]
        return False


@admin.register(Conversation)
class ConversationAdmin(ExportableAdmin):
    resource_classes = [ConversationResource]
    list_display = (
        "id",
        "contact",
        "channel_kind",
        "channel_account_id",
        "state",
        "assigned_to",
        "escalation_score",
        "last_message_at",
    )
    list_filter = ("state", "channel_kind", "assigned_to")
    search_fields = ("contact__display_name", "contact__phone", "contact__email", "subject")
    list_select_related = ("contact", "assigned_to")
    raw_id_fields = ("contact",)
    date_hierarchy = "created_at"
    # the state moves only through services (claim, hand back, resolve), never by a form edit
    readonly_fields = (
        "state",
        "channel_account_id",
        "channel_kind",
        "last_inbound_at",
        "last_message_at",
        "handed_off_at",
        "first_staff_reply_at",
        "resolved_at",
        "escalation_score",
        "escalation_reason",
    )
    inlines = [MessageInline]


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    resource_classes = [MessageResource]
    list_display = (
        "id",
        "created_at",
        "conversation",
        "direction",
        "author",
        "content_kind",
        "short_body",
        "delivery_status",
        "error_code",
    )
    list_filter = ("direction", "author", "content_kind", "delivery_status", "channel_kind")
    search_fields = ("body", "provider_message_id")
    list_select_related = ("conversation__contact",)
    date_hierarchy = "created_at"

    @admin.display(description="body")
    def short_body(self, obj: Message) -> str:
        return obj.body[:80]


@admin.register(PendingStatus)
class PendingStatusAdmin(ReadOnlyAdmin):
    """Statuses that arrived before their message was known; applied when it is."""

    list_display = (
        "created_at",
        "channel_account_id",
        "provider_message_id",
        "status",
        "error_code",
    )
    list_filter = ("status",)
    search_fields = ("provider_message_id",)


@admin.register(OptOutKeyword)
class OptOutKeywordAdmin(ImportExportAdmin):
    """Whole-message words that opt a customer out (or back in), per language."""

    resource_classes = [OptOutKeywordResource]
    list_display = ("keyword", "language", "action", "enabled")
    list_filter = ("action", "language", "enabled")
    search_fields = ("keyword",)
    list_editable = ("enabled",)
