from __future__ import annotations

from typing import Any

from django import forms

from channels_app.models import ALL_CREDENTIAL_FIELDS, CREDENTIAL_FIELDS, ChannelAccount
from sbops.core.crypto import mask_secret


def _secret_input(name: str) -> forms.CharField:
    kinds = [kind for kind, names in CREDENTIAL_FIELDS.items() if name in names]
    return forms.CharField(
        label=name.replace("_", " "),
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=f"leave blank to keep. Used by: {', '.join(kinds)}.",
    )


class ChannelAccountForm(forms.ModelForm):
    """Secrets are typed in, never shown back: a blank field keeps the stored value."""

    class Meta:
        model = ChannelAccount
        fields = ("name", "kind", "slug", "enabled", "address", "config", "uses_sandbox")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        stored = self.instance.credentials if self.instance.pk else {}
        for name in ALL_CREDENTIAL_FIELDS:
            field = self.fields[f"secret_{name}"]
            if stored.get(name):
                field.help_text = f"stored {mask_secret(stored[name])}; {field.help_text}"

    def save(self, commit: bool = True) -> ChannelAccount:
        account = super().save(commit=False)
        credentials = dict(account.credentials or {})
        for name in ALL_CREDENTIAL_FIELDS:
            value = self.cleaned_data.get(f"secret_{name}")
            if value:
                credentials[name] = value
        account.credentials = credentials
        if commit:
            account.save()
        return account


# Declared on the class, not only added per instance: the admin builds its fieldsets from the
# form class's fields, so inputs added only in __init__ were never rendered on the page.
_SECRET_INPUTS = {f"secret_{name}": _secret_input(name) for name in ALL_CREDENTIAL_FIELDS}
ChannelAccountForm.declared_fields.update(_SECRET_INPUTS)
ChannelAccountForm.base_fields.update(_SECRET_INPUTS)
