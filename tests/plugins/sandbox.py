"""Pytest fixtures for the loopback fake-provider sandbox.

Registered from tests/conftest.py with `pytest_plugins = ["tests.plugins.sandbox"]`.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sbops.sandbox import SandboxClient, SandboxServer


@pytest.fixture
def sandbox() -> Iterator[SandboxServer]:
    """A started sandbox on a free loopback port, with its own empty recorder and faults.

    It serves the provider fakes of the default router; it is stopped after the test.
    """
    server = SandboxServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def sandbox_client(sandbox: SandboxServer) -> SandboxClient:
    """A control-API client for the `sandbox` fixture's server."""
    return SandboxClient(sandbox.url)
