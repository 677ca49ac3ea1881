"""Who may see, change and export what in the admin, per the role spec in sbops/roles_sync.py.

Every model our apps register in the admin is checked for every role, so a model added later is
covered without touching this file.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from billing.models import Budget, CostEntry, CostKind, PriceEntry, Provider
from channels_app.models import ChannelAccount
from conversations.models import Author, ChannelKind, Contact, ContactOptOut, Direction, Message
from conversations.services import message_create
from sbops.core.audit import audit_record
from sbops.core.models import InboxEvent
from sbops.core.roles import ADMIN, OWNER, STAFF
from sbops.roles_sync import ROLE_PERMISSIONS

pytestmark = pytest.mark.django_db


CHECKED_APPS = ("core", "billing", "conversations", "channels_app")
ROLES = [STAFF, OWNER, ADMIN, None]
REGISTERED = sorted(
    (model for model in admin.site._registry if model._meta.app_label in CHECKED_APPS),
    key=lambda model: model._meta.label_lower,
)
# models the `populated` fixture gives at least one row
POPULATED = {
    "core.inboxevent",
    "core.auditentry",
    "billing.priceentry",
    "billing.costentry",
    "billing.budget",
    "conversations.contact",
    "conversations.contactidentity",
    "conversations.contactoptout",
    "conversations.conversation",
    "conversations.message",
    "channels_app.channelaccount",
}
EVIL_NAME = '=HYPERLINK("http://evil.example/","Click me")'


def role_may(role: str | None, model, action: str) -> bool:
    """What ROLE_PERMISSIONS grants: (app label, model name or "*", actions)."""
    if role is None:
        return False
    opts = model._meta
    return any(
        app == opts.app_label and name in ("*", opts.model_name) and action in actions
        for app, name, actions in ROLE_PERMISSIONS[role]
    )


def role_may_view(role: str | None, model) -> bool:
    # Django's admin lets `change` imply `view`
    return role_may(role, model, "view") or role_may(role, model, "change")


def role_id(role: str | None) -> str:
    return role or "outsider"


def admin_url(model, view: str, *args) -> str:
    opts = model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=args)


def assert_refused(response, role: str | None) -> None:
    if role is None:
        # not staff at all: the admin sends them to its login page
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))
    else:
        assert response.status_code == 403


@pytest.fixture
def login(client, role_users):
    def log_in(role: str | None):
        client.force_login(role_users[role])
        return client

    return log_in


@pytest.fixture
def populated(
    admin_user, channel_account_factory, contact_identity_factory, message_factory, conversation
):
    """A row in every table the admin shows, as a working console would have."""
    account = ChannelAccount.objects.get(pk=conversation.channel_account_id)
    contact_identity_factory(contact=conversation.contact)
    ContactOptOut.objects.create(
        contact=conversation.contact, channel_kind=ChannelKind.TWILIO_SMS, source="keyword:STOP"
    )
    message_factory(conversation=conversation)
    message_factory(
        conversation=conversation, direction=Direction.OUTBOUND, author=Author.BOT, body="Hola!"
    )
    CostEntry.objects.create(
        occurred_at=timezone.now(),
        kind=CostKind.LLM_INPUT_TOKEN,
        provider=Provider.GROQ,
        sku="llama-3.1-8b-instant",
        quantity=Decimal("1200"),
        unit_price=Decimal("0.05"),
        per_quantity=1_000_000,
        amount=Decimal("0.00006"),
        source_key="llm-call-1:input",
        conversation_id=conversation.pk,
        channel_kind=conversation.channel_kind,
        tier="fast",
    )
    Budget.objects.create(monthly_limit=Decimal("150.00"))
    audit_record(actor=admin_user, action="channel_account.updated", target=account)
    InboxEvent.objects.create(op="conversation.updated", payload={"id": conversation.pk})
    return conversation


# --- change lists -------------------------------------------------------------------------------


def test_every_checked_app_has_models_in_the_admin():
    labels = {model._meta.label_lower for model in REGISTERED}
    assert labels >= POPULATED


@pytest.mark.parametrize("role", ROLES, ids=role_id)
@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label_lower)
def test_changelist_follows_the_role_spec(login, populated, role, model):
    response = login(role).get(admin_url(model, "changelist"))

    if role_may_view(role, model):
        assert response.status_code == 200
        shown = response.context["cl"].result_count
        assert shown == model._default_manager.count()
        if model._meta.label_lower in POPULATED:
            assert shown >= 1
    else:
        assert_refused(response, role)


def test_staff_sees_customers_but_not_money_accounts_or_audit(login, populated):
    client = login(STAFF)

    for model_url in ("contact", "conversation", "message"):
        url = reverse(f"admin:conversations_{model_url}_changelist")
        assert client.get(url).status_code == 200
    for url_name in (
        "billing_priceentry_changelist",
        "billing_costentry_changelist",
        "billing_budget_changelist",
        "channels_app_channelaccount_changelist",
        "core_auditentry_changelist",
    ):
        assert client.get(reverse(f"admin:{url_name}")).status_code == 403


def test_owner_views_everything_registered(login, populated):
    client = login(OWNER)

    for model in REGISTERED:
        assert client.get(admin_url(model, "changelist")).status_code == 200, model


# --- changes ------------------------------------------------------------------------------------


def current_form_data(page) -> dict[str, object]:
    """What the browser would post back unchanged from an admin change page."""
    data: dict[str, object] = {"_save": "Save"}
    for bound in page.context["adminform"].form:
        value = bound.value()
        if value is None or value is False:
            continue
        data[bound.html_name] = "on" if value is True else value
    return data


def test_owner_changes_budget(login, populated):
    client = login(OWNER)
    budget = Budget.objects.get()
    url = admin_url(Budget, "change", budget.pk)

    data = current_form_data(client.get(url))
    data["monthly_limit"] = "220.50"
    response = client.post(url, data)

    assert response.status_code == 302, response.content.decode()[:2000]
    budget.refresh_from_db()
    assert budget.monthly_limit == Decimal("220.50")


def test_owner_changes_and_adds_prices(login):
    client = login(OWNER)
    entry = PriceEntry.objects.filter(provider=Provider.GROQ).first()
    url = admin_url(PriceEntry, "change", entry.pk)

    data = current_form_data(client.get(url))
    data["price"] = "0.0612"
    response = client.post(url, data)

    assert response.status_code == 302, response.content.decode()[:2000]
    entry.refresh_from_db()
    assert entry.price == Decimal("0.0612")

    # a new price for the same sku from a later day
    data["valid_from"] = "2027-01-01"
    data["price"] = "0.07"
    response = client.post(admin_url(PriceEntry, "add"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert PriceEntry.objects.get(
        provider=entry.provider, kind=entry.kind, sku=entry.sku, valid_from=date(2027, 1, 1)
    ).price == Decimal("0.07")


def channel_account_form(account: ChannelAccount, **changes: str) -> dict[str, str]:
    data = {
        "name": account.name,
        "kind": account.kind,
        "slug": account.slug,
        "address": account.address,
        "config": "{}",
        "enabled": "on",
        "_save": "Save",
    }
    data.update(changes)
    return data


def test_owner_can_view_but_not_change_channel_accounts(login, channel_account_factory):
    account = channel_account_factory(name="Casa WhatsApp")
    client = login(OWNER)
    url = admin_url(ChannelAccount, "change", account.pk)

    page = client.get(url)
    assert page.status_code == 200
    assert page.context["has_change_permission"] is False

    response = client.post(url, channel_account_form(account, name="Hijacked"))

    assert response.status_code == 403
    account.refresh_from_db()
    assert account.name == "Casa WhatsApp"
    assert client.get(admin_url(ChannelAccount, "add")).status_code == 403


def test_admin_changes_channel_accounts(login, channel_account_factory):
    account = channel_account_factory(name="Casa WhatsApp")
    client = login(ADMIN)

    response = client.post(
        admin_url(ChannelAccount, "change", account.pk),
        channel_account_form(account, name="Casa WhatsApp Madrid"),
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    account.refresh_from_db()
    assert account.name == "Casa WhatsApp Madrid"
    # the secrets survived a save that typed none
    assert account.credentials["app_secret"] == "app-secret-1"


def test_staff_cannot_open_budget_or_price_change_pages(login, populated):
    client = login(STAFF)
    budget = Budget.objects.get()
    entry = PriceEntry.objects.first()

    assert client.get(admin_url(Budget, "change", budget.pk)).status_code == 403
    assert client.get(admin_url(PriceEntry, "change", entry.pk)).status_code == 403


# --- exports ------------------------------------------------------------------------------------


def export(client, model, file_format: str):
    """Walk the admin export the way a person does: open the form, submit it as offered."""
    url = admin_url(model, "export")
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["form"]
    fields = [name for names in form.resource_fields.values() for name in names]
    assert fields, "the export form offers no fields"
    choices = {label: key for key, label in form.fields["format"].choices}
    data = {"format": choices[file_format], "resource": "0", **dict.fromkeys(fields, "on")}
    response = client.post(url, data)
    assert response.status_code == 200, response.content.decode()[:2000]
    assert response.has_header("Content-Disposition")
    return response, len(fields)


def read_csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def read_xlsx(response) -> list[list[object]]:
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    return [[cell.value for cell in row] for row in book.active.iter_rows()]


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
@pytest.mark.parametrize("role", ROLES, ids=role_id)
@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label_lower)
def test_export_follows_the_role_spec(login, populated, role, model, file_format):
    client = login(role)

    if not role_may_view(role, model):
        url = admin_url(model, "export")
        assert_refused(client.get(url), role)
        assert_refused(client.post(url, {"format": "0", "resource": "0"}), role)
        return

    response, field_count = export(client, model, file_format)

    rows = read_csv(response) if file_format == "csv" else read_xlsx(response)
    header, body = rows[0], rows[1:]
    assert len(header) == field_count
    assert len(body) == model._default_manager.count()
    if model._meta.label_lower in POPULATED:
        assert body


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_customer_written_formula_is_escaped_in_exports(
    login, contact_factory, conversation_factory, file_format
):
    contact = contact_factory(display_name=EVIL_NAME)
    conversation = conversation_factory(contact=contact)
    message_create(
        conversation=conversation,
        direction=Direction.INBOUND,
        author=Author.CUSTOMER,
        body="=1+2",
    )
    client = login(STAFF)

    for model, column, expected in (
        (Contact, "display_name", "'" + EVIL_NAME),
        (Message, "body", "'=1+2"),
    ):
        response, _ = export(client, model, file_format)

        if file_format == "csv":
            rows = read_csv(response)
        else:
            book = openpyxl.load_workbook(io.BytesIO(response.content))
            cells = [cell for row in book.active.iter_rows() for cell in row]
            assert not any(cell.data_type == "f" for cell in cells), "a formula cell was written"
            rows = read_xlsx(response)
        header, body = rows[0], rows[1:]
        values = [row[header.index(column)] for row in body]
        assert expected in values  # inert, and every character the customer wrote is kept
        assert not any(str(value).startswith("=") for row in body for value in row)
