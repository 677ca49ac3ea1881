"""The three role groups a fresh install has, and the demo business anyone can load and log into."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from billing.models import Budget
from channels_app.models import ChannelAccount
from conversations.models import ChannelKind, Contact, ContactIdentity, Conversation, Message
from conversations.states import ConversationState
from sbops.core.models import AuditEntry
from sbops.core.roles import ADMIN, OWNER, ROLES, STAFF, user_roles
from sbops.demo import load_demo_data
from sbops.roles_sync import ROLE_PERMISSIONS

pytestmark = pytest.mark.django_db

DEMO_ACCOUNTS = {
    "demo-whatsapp": ChannelKind.WHATSAPP_CLOUD,
    "demo-twilio-sms": ChannelKind.TWILIO_SMS,
    "demo-twilio-whatsapp": ChannelKind.TWILIO_WHATSAPP,
    "demo-telegram": ChannelKind.TELEGRAM,
    "demo-email": ChannelKind.EMAIL,
}
DEMO_ROLES = {"admin": ADMIN, "owner": OWNER, "staff": STAFF}


def expected_permissions(role: str) -> set[tuple[str, str]]:
    """(app label, codename) pairs ROLE_PERMISSIONS grants, against the permissions that exist."""
    wanted = set()
    for app_label, model, actions in ROLE_PERMISSIONS[role]:
        perms = Permission.objects.filter(content_type__app_label=app_label)
        if model != "*":
            perms = perms.filter(content_type__model=model)
        for codename in perms.values_list("codename", flat=True):
            if codename.split("_", 1)[0] in actions:
                wanted.add((app_label, codename))
    return wanted


def group_permissions(role: str) -> set[tuple[str, str]]:
    return set(
        Group.objects.get(name=role).permissions.values_list("content_type__app_label", "codename")
    )


# --- roles --------------------------------------------------------------------------------------


def test_the_three_role_groups_exist():
    assert set(Group.objects.filter(name__in=ROLES).values_list("name", flat=True)) == {
        STAFF,
        OWNER,
        ADMIN,
    }


@pytest.mark.parametrize("role", ROLES)
def test_group_permissions_match_the_role_spec(role):
    expected = expected_permissions(role)

    assert expected, f"{role} grants nothing"
    assert group_permissions(role) == expected


def test_roles_hold_the_permissions_the_business_relies_on():
    staff = group_permissions(STAFF)
    owner = group_permissions(OWNER)
    admin = group_permissions(ADMIN)

    assert ("conversations", "change_conversation") in staff
    assert ("conversations", "view_message") in staff
    assert not any(app in ("billing", "channels_app", "core") for app, _ in staff)

    assert ("billing", "change_budget") in owner
    assert ("billing", "change_priceentry") in owner
    assert ("channels_app", "view_channelaccount") in owner
    assert ("channels_app", "change_channelaccount") not in owner
    assert ("core", "view_auditentry") in owner

    assert ("channels_app", "change_channelaccount") in admin
    assert ("auth", "change_user") in admin
    assert ("auth", "change_group") not in admin


# --- the demo -----------------------------------------------------------------------------------


def demo_counts() -> dict[str, int]:
    return {
        "users": get_user_model().objects.count(),
        "accounts": ChannelAccount.objects.count(),
        "contacts": Contact.objects.count(),
        "identities": ContactIdentity.objects.count(),
        "conversations": Conversation.objects.count(),
        "messages": Message.objects.count(),
        "budgets": Budget.objects.count(),
    }


@pytest.fixture
def demo():
    return load_demo_data()


def test_demo_loads_once_however_often_it_runs(demo):
    first = demo_counts()
    assert demo["conversations"] == first["conversations"] > 0
    assert demo["messages"] == first["messages"] > 0

    again = load_demo_data()

    assert again == {"conversations": 0, "messages": 0}
    assert demo_counts() == first


def test_demo_covers_every_conversation_state(demo):
    states = set(Conversation.objects.values_list("state", flat=True))

    assert states == set(ConversationState.values)


def test_demo_conversations_are_consistent_with_their_state(demo):
    for conversation in Conversation.objects.all():
        assert conversation.messages.exists()
        if conversation.state == ConversationState.HUMAN:
            assert conversation.assigned_to.username == "staff"
            assert conversation.first_staff_reply_at is not None
        if conversation.state == ConversationState.WAITING_HUMAN:
            assert conversation.handed_off_at is not None
            assert conversation.assigned_to is None
        if conversation.state == ConversationState.RESOLVED:
            assert conversation.resolved_at is not None
        else:
            assert conversation.resolved_at is None


def test_demo_accounts_have_fixed_slugs_and_use_the_sandbox(demo):
    accounts = {account.slug: account for account in ChannelAccount.objects.all()}

    assert set(accounts) == set(DEMO_ACCOUNTS)
    for slug, kind in DEMO_ACCOUNTS.items():
        assert accounts[slug].kind == kind
        assert accounts[slug].uses_sandbox is True
        assert accounts[slug].enabled is True
    # the demo secrets are what the customer simulator signs webhooks with
    secrets = settings.DEMO_SECRETS
    assert accounts["demo-whatsapp"].credentials["app_secret"] == secrets["whatsapp_app_secret"]
    assert (
        accounts["demo-telegram"].credentials["secret_token"] == (secrets["telegram_secret_token"])
    )


def test_demo_rerun_keeps_account_secrets_and_ids(demo):
    before = dict(ChannelAccount.objects.values_list("slug", "pk"))

    load_demo_data()

    assert dict(ChannelAccount.objects.values_list("slug", "pk")) == before
    account = ChannelAccount.objects.get(slug="demo-twilio-sms")
    assert account.credentials["auth_token"] == settings.DEMO_SECRETS["twilio_auth_token"]
    # each run is in the audit log as the admin's doing, naming secrets but not values
    entries = AuditEntry.objects.filter(target_type="channels_app.channelaccount")
    assert entries.count() == 2 * len(DEMO_ACCOUNTS)
    assert set(entries.values_list("actor_label", flat=True)) == {"admin"}


@pytest.mark.parametrize("username", sorted(DEMO_ROLES))
def test_demo_users_log_in_with_the_configured_password_and_have_their_role(client, demo, username):
    user = get_user_model().objects.get(username=username)

    assert user_roles(user) == {DEMO_ROLES[username]}
    assert user.is_staff and user.is_active
    assert not user.is_superuser
    assert not client.login(username=username, password="wrong-password")  # noqa: S106

    response = client.post(
        reverse("admin:login"),
        {
            "username": username,
            "password": settings.DEMO_PASSWORDS[username],
            "next": reverse("admin:index"),
        },
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")
    assert client.get(reverse("admin:index")).status_code == 200


def test_demo_staff_sees_conversations_but_not_channel_accounts(client, demo):
    client.login(username="staff", password=settings.DEMO_PASSWORDS["staff"])

    conversations = client.get(reverse("admin:conversations_conversation_changelist"))
    accounts = client.get(reverse("admin:channels_app_channelaccount_changelist"))

    assert conversations.status_code == 200
    assert "Lucía Fernández" in conversations.content.decode()
    assert accounts.status_code == 403
