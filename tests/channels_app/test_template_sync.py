"""Template sync against the sandbox's Graph fake, the status webhook value, and the admin."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from django.urls import reverse

from channels_app import admin_templates  # noqa: F401  (registers the admin until admin.py does)
from channels_app.models import MessageTemplate
from channels_app.tasks_templates import apply_template_status, sync_all_whatsapp_templates
from channels_app.template_sync import (
    TemplateSyncFailed,
    template_status_apply,
    templates_sync,
)
from sbops.core.models import AuditEntry
from tests.factories import ChannelAccountFactory

pytestmark = pytest.mark.django_db

WABA_ID = "102290129340398"


def thirty_templates() -> list[dict]:
    templates = [
        {
            "name": f"notice_{number:02d}",
            "id": str(1_500_000_000_000_000 + number),  # Meta's ids are stable
            "language": "en_US",
            "category": "UTILITY",
            "components": [
                {
                    "type": "BODY",
                    "text": "Hello {{1}}, notice " + str(number),
                    "example": {"body_text": [["Ana"]]},
                }
            ],
            "quality_score": {"score": "GREEN"},
        }
        for number in range(29)
    ]
    templates.append(
        {
            "name": "order_update",
            "language": "de",
            "category": "UTILITY",
            "id": "1402938475610293",
            "components": [
                {
                    "type": "HEADER",
                    "format": "TEXT",
                    "text": "Bestellstatus <b>{{1}}</b>",
                    "example": {"header_text": ["<script>alert(1)</script>"]},
                },
                {
                    "type": "BODY",
                    "text": "Hallo {{1}}, Ihre Bestellung {{2}} ist unterwegs.",
                    "example": {"body_text": [["Lena", "#4711"]]},
                },
                {"type": "FOOTER", "text": "Antworten Sie STOP zum Abmelden"},
            ],
        }
    )
    return templates


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(trust_env=False, timeout=10) as client:
        yield client


@pytest.fixture
def graph(sandbox, settings, http) -> Iterator[str]:
    """The sandbox as the Graph API, holding the 30 templates; restored to its defaults after."""
    settings.SANDBOX_URL = sandbox.url
    loaded = http.post(f"{sandbox.url}/sandbox-templates", json=thirty_templates())
    assert loaded.status_code == 201, loaded.text
    yield sandbox.url
    http.delete(f"{sandbox.url}/sandbox-templates")


@pytest.fixture
def account(db):
    return ChannelAccountFactory(
        name="Shop WhatsApp", uses_sandbox=True, config={"waba_id": WABA_ID, "phone_number_id": "1"}
    )


def template_requests(sandbox) -> list:
    return [r for r in sandbox.recorder.requests() if r.path.endswith("/message_templates")]


def test_sync_reads_every_page(graph, sandbox, account, admin_user):
    result = templates_sync(account=account, actor=admin_user)

    assert (result.created, result.updated, result.unchanged, result.removed_or_missing) == (
        30,
        0,
        0,
        0,
    )
    assert account.message_templates.count() == 30
    order = account.message_templates.get(name="order_update", language="de")
    assert order.provider_template_id == "1402938475610293"
    assert order.status == "APPROVED"
    assert order.components[1]["text"].startswith("Hallo {{1}}")
    assert order.last_synced_at is not None
    assert account.message_templates.get(name="notice_03").quality == "GREEN"
    # 100 a page asked; the token went along as a Bearer header
    requests = template_requests(sandbox)
    assert requests and requests[0].headers["authorization"] == "Bearer EAAG-test-token"
    entry = AuditEntry.objects.get(action="whatsapp_templates_synced")
    assert entry.actor == admin_user and entry.data["created"] == 30


def test_sync_follows_paging_next(graph, sandbox, account, monkeypatch):
    monkeypatch.setattr("channels_app.template_sync.PAGE_SIZE", 7)
    result = templates_sync(account=account, actor=None)
    assert result.created == 30
    assert len(template_requests(sandbox)) == 5  # 7 + 7 + 7 + 7 + 2


def test_max_pages_guard_writes_nothing(graph, account, monkeypatch):
    monkeypatch.setattr("channels_app.template_sync.PAGE_SIZE", 7)
    monkeypatch.setattr("channels_app.template_sync.MAX_PAGES", 3)
    with pytest.raises(TemplateSyncFailed, match="more than 3 pages"):
        templates_sync(account=account, actor=None)
    assert not MessageTemplate.objects.exists()


def test_second_sync_updates_and_marks_deleted(graph, http, account):
    templates_sync(account=account, actor=None)
    changed = thirty_templates()
    changed[5]["status"] = "PAUSED"
    removed = changed.pop(7)
    assert http.post(f"{graph}/sandbox-templates", json=changed).status_code == 201

    result = templates_sync(account=account, actor=None)

    assert (result.created, result.updated, result.unchanged, result.removed_or_missing) == (
        0,
        1,
        28,
        1,
    )
    assert account.message_templates.get(name="notice_05").status == "PAUSED"
    gone = account.message_templates.get(name=removed["name"])
    assert gone.status == "DELETED"  # the row is kept
    assert account.message_templates.count() == 30


def test_paging_next_to_another_host_is_refused(graph, account, monkeypatch):
    real_get = httpx.Client.get

    def redirect_paging(self, url, **kwargs):
        response = real_get(self, url, **kwargs)
        body = response.json()
        body["paging"] = {"next": "https://attacker.example/v25.0/x/message_templates"}
        return httpx.Response(200, json=body, request=response.request)

    monkeypatch.setattr(httpx.Client, "get", redirect_paging)
    with pytest.raises(TemplateSyncFailed, match="attacker.example"):
        templates_sync(account=account, actor=None)
    assert not MessageTemplate.objects.exists()


def test_graph_error_is_reported_and_nothing_written(graph, account):
    account.credentials = {}
    account.save()
    with pytest.raises(TemplateSyncFailed, match="no access_token"):
        templates_sync(account=account, actor=None)

    account.credentials = {"access_token": "x"}
    account.config = {"waba_id": WABA_ID, "api_base_url": graph + "/nowhere"}
    account.save()
    with pytest.raises(TemplateSyncFailed, match="WhatsApp refused the template list"):
        templates_sync(account=account, actor=None)
    assert not MessageTemplate.objects.exists()


def test_status_update_from_the_webhook(graph, account):
    templates_sync(account=account, actor=None)
    update = {
        "event": "PAUSED",
        "message_template_id": 1402938475610293,
        "message_template_name": "order_update",
        "message_template_language": "de",
        "reason": "NONE",
        "message_template_category": "UTILITY",
    }
    row = template_status_apply(account=account, update=update)
    assert row is not None and row.status == "PAUSED"
    assert row.rejection_reason == ""

    by_name = {
        "event": "REJECTED",
        "message_template_name": "notice_01",
        "message_template_language": "en_US",
        "reason": "PROMOTIONAL",
    }
    rejected = template_status_apply(account=account, update=by_name)
    assert rejected is not None
    rejected.refresh_from_db()
    assert (rejected.status, rejected.rejection_reason) == ("REJECTED", "PROMOTIONAL")

    unknown = {
        "event": "APPROVED",
        "message_template_id": 99,
        "message_template_name": "nope",
        "message_template_language": "en_US",
    }
    assert template_status_apply(account=account, update=unknown) is None
    assert AuditEntry.objects.filter(action="whatsapp_template_status_changed").count() == 2


def test_scheduled_sync_covers_enabled_whatsapp_accounts(graph, account):
    ChannelAccountFactory(name="Off", enabled=False, uses_sandbox=True, config={"waba_id": "1"})
    broken = ChannelAccountFactory(name="No WABA", uses_sandbox=True, config={})
    outcome = sync_all_whatsapp_templates()
    assert outcome["synced"] == {
        account.slug: {"created": 30, "updated": 0, "unchanged": 0, "removed_or_missing": 0}
    }
    assert list(outcome["failed"]) == [broken.slug]
    assert "waba_id" in outcome["failed"][broken.slug]


@pytest.mark.django_db(transaction=True)
def test_status_task_applies_or_syncs_an_unknown_template(graph, account):
    assert apply_template_status(
        account.pk,
        {
            "event": "APPROVED",
            "message_template_name": "order_update",
            "message_template_language": "de",
            "reason": "NONE",
        },
    ).startswith("unknown template; synced: 30 new")
    assert (
        apply_template_status(
            account.pk, {"event": "DISABLED", "message_template_id": "1402938475610293"}
        )
        == "template order_update (de) is now DISABLED"
    )
    assert account.message_templates.get(name="order_update").status == "DISABLED"


# --- admin ---------------------------------------------------------------------------------


def test_admin_changelist_and_preview(graph, account, admin_user, client):
    templates_sync(account=account, actor=None)
    client.force_login(admin_user)

    listing = client.get(reverse("admin:channels_app_messagetemplate_changelist"))
    assert listing.status_code == 200
    assert "order_update" in listing.content.decode()

    order = account.message_templates.get(name="order_update")
    page = client.get(reverse("admin:channels_app_messagetemplate_change", args=[order.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "template-preview" in html and "not a sent message" in html
    assert "Hallo Lena, Ihre Bestellung #4711 ist unterwegs." in html
    # the template's own markup and the example's are shown as text, never as HTML
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Bestellstatus &lt;b&gt;" in html


def test_admin_sync_action_and_disable(graph, http, account, admin_user, client):
    templates_sync(account=account, actor=None)
    changed = thirty_templates()
    changed[0]["status"] = "DISABLED"
    http.post(f"{graph}/sandbox-templates", json=changed)
    client.force_login(admin_user)
    url = reverse("admin:channels_app_messagetemplate_changelist")
    order = account.message_templates.get(name="order_update")

    response = client.post(
        url, {"action": "sync_selected_accounts", "_selected_action": [order.pk]}, follow=True
    )
    assert "Shop WhatsApp: templates synced: 0 new, 1 updated, 29 unchanged" in (
        response.content.decode()
    )
    assert account.message_templates.get(name="notice_00").status == "DISABLED"

    client.post(url, {"action": "disable_selected", "_selected_action": [order.pk]})
    order.refresh_from_db()
    assert order.enabled is False
    page = client.get(reverse("admin:channels_app_messagetemplate_change", args=[order.pk]))
    assert "template order_update (de) is disabled in sbops" in page.content.decode()


def test_channel_account_level_sync_action(graph, account, admin_user, rf):
    from django.contrib import admin as django_admin
    from django.contrib.messages.storage.fallback import FallbackStorage

    from channels_app.models import ChannelAccount

    request = rf.post("/")
    request.user = admin_user
    request.session = {}
    request._messages = FallbackStorage(request)
    modeladmin = django_admin.site._registry[ChannelAccount]
    admin_templates.sync_whatsapp_templates(
        modeladmin, request, ChannelAccount.objects.filter(pk=account.pk)
    )
    assert account.message_templates.count() == 30
    assert [str(m) for m in request._messages] == [
        "Shop WhatsApp: templates synced: 30 new, 0 updated, 0 unchanged, 0 no longer listed."
    ]
