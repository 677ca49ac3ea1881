"""Shared fixtures: factories, role users, the sandbox, and a network guard.

The suite runs on whichever backend the environment selects (settings read it): the embedded
default with no variables, PostgreSQL with DATABASE_URL and Redis with REDIS_URL. `.ci/run`
runs it both ways. Only loopback connections are allowed (pytest-socket, see pyproject): a test
that reaches for the internet fails with SocketBlockedError.
"""

from __future__ import annotations

import pytest
from pytest_factoryboy import register

from sbops.core.roles import ADMIN, OWNER, STAFF
from tests import factories

pytest_plugins = ["tests.plugins.sandbox", "tests.plugins.console", "tests.plugins.browser"]

register(factories.UserFactory, "user")
register(factories.ChannelAccountFactory)
register(factories.ContactFactory)
register(factories.ContactIdentityFactory)
register(factories.ConversationFactory)
register(factories.MessageFactory)


@pytest.fixture(autouse=True)
def webhook_recording_inline(request, monkeypatch):
    """The webhook endpoint queues the recording of each request for the worker. In tests the
    worker's function runs at once, in this process (as django-q2's sync mode would), so a test
    posts a webhook and looks at what was recorded. Tests marked `real_queue` keep the queue."""
    if request.node.get_closest_marker("real_queue"):
        return
    import logging

    from django.utils.module_loading import import_string

    def run_now(task: str, *args, timeout: int | None = None, **kwargs) -> None:
        try:
            import_string(task)(*args, **kwargs)
        except Exception:  # a worker logs a failed task and carries on; so does this
            logging.getLogger("tests.worker").exception("task %s failed", task)

    monkeypatch.setattr("channels_app.webhooks.enqueue", run_now)


@pytest.fixture(autouse=True)
def fresh_webhook_accounts():
    """Each test has its own accounts: none may come from another test's cache."""
    from channels_app.selectors import forget_webhook_accounts

    forget_webhook_accounts()
    yield
    forget_webhook_accounts()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Role users are made for many tests; the production hasher would dominate the run."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def staff_user(db):
    return factories.UserFactory(username="agent", role=STAFF)


@pytest.fixture
def owner_user(db):
    return factories.UserFactory(username="boss", role=OWNER)


@pytest.fixture
def admin_user(db):
    return factories.UserFactory(username="sysadmin", role=ADMIN)


@pytest.fixture
def outsider_user(db):
    """Logged in, but in no role: a customer-facing account or a deactivated employee."""
    return factories.UserFactory(username="outsider", is_staff=False)


@pytest.fixture
def role_users(staff_user, owner_user, admin_user, outsider_user):
    return {STAFF: staff_user, OWNER: owner_user, ADMIN: admin_user, None: outsider_user}


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """Close connections after each async hop, so no thread keeps the test database open; and
    give each test session its own PostgreSQL test database, so two runs on one server (a
    developer's and CI's) never drop each other's."""
    import os
    import tempfile
    from pathlib import Path

    from django.conf import settings

    for database in settings.DATABASES.values():
        database["CONN_MAX_AGE"] = 0
        if "postgresql" in database["ENGINE"]:
            database.setdefault("TEST", {})["NAME"] = f"test_{database['NAME']}_{os.getpid()}"
        elif "sqlite3" in database["ENGINE"]:
            # a file in WAL mode, as in production: an in-memory shared-cache database answers
            # concurrent writers with "table is locked" instead of waiting its turn
            name = Path(str(database["NAME"])).stem
            database.setdefault("TEST", {})["NAME"] = str(
                Path(tempfile.gettempdir()) / f"sbops-test-{name}-{os.getpid()}.sqlite3"
            )
