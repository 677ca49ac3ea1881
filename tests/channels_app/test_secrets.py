"""Provider credentials are encrypted at rest, rotate with the key list, and never leave in clear:
not in the database column, an export, the admin page or the audit log."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.db import connection
from django.test import override_settings
from django.urls import reverse
from import_export.formats.base_formats import CSV

from channels_app.models import ChannelAccount
from channels_app.resources import ChannelAccountResource
from channels_app.services import channel_account_upsert
from conversations.models import ChannelKind
from sbops.core.crypto import TOKEN_PREFIX, SecretUnreadable
from sbops.core.models import AuditEntry

pytestmark = pytest.mark.django_db

SECRETS = {
    "access_token": "EAAG-live-access-token-9f3c1a",
    "app_secret": "whatsapp-app-secret-77d2",
    "verify_token": "verify-token-5b81e0",
}
OLD_KEY = "old-passphrase-for-rotation-test"
NEW_KEY = "new-passphrase-for-rotation-test"


def raw_credentials(account: ChannelAccount) -> str:
    """The column as a database dump would show it, bypassing the field's decryption."""
    table = connection.ops.quote_name(ChannelAccount._meta.db_table)
    column = connection.ops.quote_name(ChannelAccount._meta.get_field("credentials").column)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [account.pk])  # noqa: S608
        return cursor.fetchone()[0]


def assert_no_secret_in(text: str) -> None:
    for value in SECRETS.values():
        assert value not in text


@pytest.fixture
def account(channel_account_factory):
    return channel_account_factory(
        name="Casa WhatsApp", slug="casa-whatsapp", credentials=dict(SECRETS)
    )


@pytest.fixture
def logged_in_admin(client, admin_user):
    client.force_login(admin_user)
    return client


# --- at rest ------------------------------------------------------------------------------------


def test_database_column_holds_only_ciphertext(account):
    stored = raw_credentials(account)

    assert stored.startswith(TOKEN_PREFIX)
    assert_no_secret_in(stored)
    for name in SECRETS:
        assert name not in stored  # not even the names of the secrets


def test_model_reads_back_the_clear_dict(account):
    reloaded = ChannelAccount.objects.get(pk=account.pk)

    assert reloaded.credentials == SECRETS


def test_each_save_encrypts_afresh(account):
    first = raw_credentials(account)
    account.save()

    assert raw_credentials(account) != first
    assert ChannelAccount.objects.get(pk=account.pk).credentials == SECRETS


# --- key rotation -------------------------------------------------------------------------------


@pytest.fixture
def account_under_old_key(channel_account_factory):
    with override_settings(ENCRYPTION_KEYS=[OLD_KEY]):
        return channel_account_factory(slug="rotating", credentials=dict(SECRETS))


def test_value_written_under_old_key_is_read_when_old_key_is_second(account_under_old_key):
    with override_settings(ENCRYPTION_KEYS=[NEW_KEY, OLD_KEY]):
        reloaded = ChannelAccount.objects.get(pk=account_under_old_key.pk)
        assert reloaded.credentials == SECRETS

        # saving rewrites it under the new key, after which the old key can go
        reloaded.save()

    with override_settings(ENCRYPTION_KEYS=[NEW_KEY]):
        assert ChannelAccount.objects.get(pk=account_under_old_key.pk).credentials == SECRETS


def test_value_is_unreadable_when_its_key_is_gone(account_under_old_key):
    with override_settings(ENCRYPTION_KEYS=[NEW_KEY]), pytest.raises(SecretUnreadable):
        ChannelAccount.objects.get(pk=account_under_old_key.pk)

    # the right key still reads it: nothing was damaged by the failed read
    with override_settings(ENCRYPTION_KEYS=[OLD_KEY]):
        assert ChannelAccount.objects.get(pk=account_under_old_key.pk).credentials == SECRETS


# --- exports ------------------------------------------------------------------------------------


def test_resource_export_has_no_credentials(account):
    dataset = ChannelAccountResource().export()
    text = CSV().export_data(dataset)

    assert "credentials" not in dataset.headers
    assert "casa-whatsapp" in text  # the account is there
    assert_no_secret_in(text)
    assert TOKEN_PREFIX not in text


def test_admin_export_has_no_credentials(logged_in_admin, account):
    url = reverse("admin:channels_app_channelaccount_export")
    page = logged_in_admin.get(url)
    assert page.status_code == 200
    form = page.context["form"]
    fields = [name for names in form.resource_fields.values() for name in names]
    assert not any(name.endswith("credentials") for name in fields)
    csv_index = next(key for key, label in form.fields["format"].choices if label == "csv")

    response = logged_in_admin.post(
        url, {"format": csv_index, "resource": "0", **dict.fromkeys(fields, "on")}
    )

    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [row["slug"] for row in rows] == ["casa-whatsapp"]
    assert "credentials" not in rows[0]
    assert_no_secret_in(text)
    assert TOKEN_PREFIX not in text


# --- the admin change page ----------------------------------------------------------------------


def change_url(account: ChannelAccount) -> str:
    return reverse("admin:channels_app_channelaccount_change", args=[account.pk])


def test_admin_change_page_never_shows_secret_values(logged_in_admin, account):
    page = logged_in_admin.get(change_url(account))

    assert page.status_code == 200
    html = page.content.decode()
    assert_no_secret_in(html)
    assert TOKEN_PREFIX not in html
    # but it says which secrets are stored, with an input to replace each
    for name, value in SECRETS.items():
        assert f'name="secret_{name}"' in html
        assert f"stored ••••••••{value[-2:]}; leave blank to keep" in html
    assert 'name="secret_bot_token"' in html  # other kinds' inputs, empty
    assert html.count("stored ••") == len(SECRETS)


def test_view_only_change_page_shows_no_secrets(client, owner_user, account):
    client.force_login(owner_user)

    page = client.get(change_url(account))

    assert page.status_code == 200
    html = page.content.decode()
    assert "Casa WhatsApp" in html
    assert_no_secret_in(html)
    assert TOKEN_PREFIX not in html
    assert "secret_access_token" not in html


def test_admin_change_list_says_which_secrets_are_set(logged_in_admin, channel_account_factory):
    channel_account_factory(slug="half-set", credentials={"access_token": SECRETS["access_token"]})

    html = logged_in_admin.get(reverse("admin:channels_app_channelaccount_changelist")).content
    html = html.decode()

    assert "access_token ✓" in html
    assert "app_secret ✗" in html
    assert SECRETS["access_token"] not in html


def form_data(account: ChannelAccount, **secrets: str) -> dict[str, str]:
    data = {
        "name": account.name,
        "kind": account.kind,
        "slug": account.slug,
        "enabled": "on",
        "address": account.address,
        "config": json.dumps(account.config),
        "_save": "Save",
    }
    data.update({f"secret_{name}": value for name, value in secrets.items()})
    return data


def test_admin_save_with_blank_secret_keeps_the_stored_one(logged_in_admin, account):
    response = logged_in_admin.post(
        change_url(account), form_data(account, access_token="", app_secret="", verify_token="")
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    assert ChannelAccount.objects.get(pk=account.pk).credentials == SECRETS


def test_admin_save_with_new_secret_replaces_only_that_one(logged_in_admin, account):
    response = logged_in_admin.post(
        change_url(account),
        form_data(account, access_token="", app_secret="rotated-app-secret", verify_token=""),
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    credentials = ChannelAccount.objects.get(pk=account.pk).credentials
    assert credentials == {**SECRETS, "app_secret": "rotated-app-secret"}
    assert "rotated-app-secret" not in raw_credentials(account)
    # and the page does not echo the new value back
    assert "rotated-app-secret" not in logged_in_admin.get(change_url(account)).content.decode()


def test_admin_add_stores_typed_secrets_encrypted(logged_in_admin):
    response = logged_in_admin.post(
        reverse("admin:channels_app_channelaccount_add"),
        {
            "name": "Casa Telegram",
            "kind": ChannelKind.TELEGRAM,
            "slug": "casa-telegram",
            "enabled": "on",
            "address": "@CasaBot",
            "config": "{}",
            "secret_bot_token": "123456:telegram-bot-token",
            "secret_secret_token": "telegram-secret-token",
            "_save": "Save",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    created = ChannelAccount.objects.get(slug="casa-telegram")
    assert created.credentials == {
        "bot_token": "123456:telegram-bot-token",
        "secret_token": "telegram-secret-token",
    }
    assert "telegram-bot-token" not in raw_credentials(created)


# --- the audit log ------------------------------------------------------------------------------


def test_upsert_audit_names_secrets_but_not_their_values(admin_user):
    created = channel_account_upsert(
        slug="audited",
        name="Audited account",
        kind=ChannelKind.WHATSAPP_CLOUD,
        credentials=dict(SECRETS),
        actor=admin_user,
    )
    channel_account_upsert(
        slug="audited",
        name="Audited account",
        kind=ChannelKind.WHATSAPP_CLOUD,
        credentials={"app_secret": "second-app-secret"},
        actor=admin_user,
    )

    entries = list(
        AuditEntry.objects.filter(
            target_type="channels_app.channelaccount", target_id=str(created.pk)
        ).order_by("pk")
    )
    assert [entry.action for entry in entries] == [
        "channel_account.created",
        "channel_account.updated",
    ]
    assert entries[0].data["secrets_set"] == sorted(SECRETS)
    assert entries[1].data["secrets_set"] == ["app_secret"]
    assert all(entry.actor_label == admin_user.username for entry in entries)
    dumped = json.dumps([entry.data for entry in entries])
    assert_no_secret_in(dumped)
    assert "second-app-secret" not in dumped
    # the merge kept the secrets that were not given again
    assert ChannelAccount.objects.get(pk=created.pk).credentials == {
        **SECRETS,
        "app_secret": "second-app-secret",
    }
