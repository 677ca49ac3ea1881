from import_export import resources

from channels_app.models import ChannelAccount


class ChannelAccountResource(resources.ModelResource):
    """Secrets never leave in an export: `credentials` is excluded."""

    class Meta:
        model = ChannelAccount
        exclude = ("credentials",)
