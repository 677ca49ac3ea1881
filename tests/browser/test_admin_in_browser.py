"""The console as a person sees it in Chromium: demo data visible after login, per role."""

from __future__ import annotations

import pytest

from sbops.demo import load_demo_data
from tests.plugins.browser import admin_login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(transactional_db):
    load_demo_data()


def test_owner_sees_the_demo_business_and_the_price_book(demo, live_server, page):
    admin_login(page, live_server.url, "owner", "owner-demo-pass")
    assert page.locator("#site-name").inner_text() == "sbops console"
    assert page.get_by_role("link", name="Price entries").is_visible()
    page.locator("tr.model-conversation a", has_text="Conversations").click()
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/admin/conversations/conversation/")
    rows = page.locator("#result_list tbody tr")
    assert rows.count() == 6
    assert page.get_by_text("Tom Becker").first.is_visible()
    screenshot(page, "admin-owner-conversations")


def test_staff_sees_conversations_but_not_money_or_secrets(demo, live_server, page):
    admin_login(page, live_server.url, "staff", "staff-demo-pass")
    assert page.locator("tr.model-conversation").is_visible()
    assert page.get_by_role("link", name="Price entries").count() == 0
    assert page.get_by_role("link", name="Channel accounts").count() == 0
    page.goto(live_server.url + "/admin/channels_app/channelaccount/")
    assert "403" in page.title() or page.locator("text=403").count() > 0
    screenshot(page, "admin-staff-forbidden")


def test_admin_sees_which_secrets_are_stored_but_never_their_values(
    demo, live_server, page, settings
):
    admin_login(page, live_server.url, "admin", "admin-demo-pass")
    page.goto(live_server.url + "/admin/channels_app/channelaccount/")
    html = page.content()
    assert "demo-whatsapp" in html
    assert "app_secret ✓" in html
    for secret in settings.DEMO_SECRETS.values():
        assert secret not in html
    screenshot(page, "admin-channel-accounts")
