from __future__ import annotations

from typing import Any

from django import forms

from channels_app.models import ALL_CREDENTIAL_FIELDS, CREDENTIAL_FIELDS, ChannelAccount
from sbops.core.crypto import mask_secret


class ChannelAccountForm(forms.ModelForm):
    """Secrets are typed in, never shown back: a blank field keeps the stored value."""

    class Meta:
        model = ChannelAccount
        exclude = ("credentials",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        stored = self.instance.credentials if self.instance.pk else {}
        for name in ALL_CREDENTIAL_FIELDS:
            kinds = [kind for kind, names in CREDENTIAL_FIELDS.items() if name in names]
            held = f"stored {mask_secret(stored[name])}; " if stored.get(name) else ""
            self.fields[f"secret_{name}"] = forms.CharField(
                label=name.replace("_", " "),
                required=False,
                strip=True,
                widget=forms.PasswordInput(
                    render_value=False, attrs={"autocomplete": "new-password"}
                ),
                help_text=f"{held}leave blank to keep. Used by: {', '.join(kinds)}.",
            )

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
