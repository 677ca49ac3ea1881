from import_export import resources

from sbops.core.models import AuditEntry, InboxEvent


class InboxEventResource(resources.ModelResource):
    class Meta:
        model = InboxEvent


class AuditEntryResource(resources.ModelResource):
    class Meta:
        model = AuditEntry
