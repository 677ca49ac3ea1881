from import_export import resources

from channels_app.models import ChannelAccount, WebhookEvent


class ChannelAccountResource(resources.ModelResource):
    """Secrets never leave in an export: `credentials` is excluded."""

    class Meta:
        model = ChannelAccount
        exclude = ("credentials",)


class WebhookEventResource(resources.ModelResource):
    class Meta:
        model = WebhookEvent
        exclude = ("body",)
