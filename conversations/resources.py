from import_export import resources

from conversations.models import (
    Contact,
    ContactIdentity,
    ContactOptOut,
    Conversation,
    Message,
    OptOutKeyword,
)


class ContactResource(resources.ModelResource):
    class Meta:
        model = Contact
        skip_unchanged = True
        report_skipped = True


class ContactIdentityResource(resources.ModelResource):
    class Meta:
        model = ContactIdentity
        import_id_fields = ("kind", "external_id")


class ContactOptOutResource(resources.ModelResource):
    class Meta:
        model = ContactOptOut


class ConversationResource(resources.ModelResource):
    class Meta:
        model = Conversation


class MessageResource(resources.ModelResource):
    class Meta:
        model = Message


class OptOutKeywordResource(resources.ModelResource):
    class Meta:
        model = OptOutKeyword
        import_id_fields = ("keyword", "language")
        exclude = ("id",)
        skip_unchanged = True
        report_skipped = True
