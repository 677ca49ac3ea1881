"""A test that reaches for the internet must fail loudly, not hang or pass by luck."""

import socket

import httpx
import pytest
from pytest_socket import SocketConnectBlockedError as SocketBlockedError


@pytest.mark.filterwarnings("ignore:A test tried to use socket")
def test_connecting_outside_loopback_is_refused():
    with pytest.raises(SocketBlockedError):
        socket.create_connection(("93.184.216.34", 443), timeout=1)


@pytest.mark.filterwarnings("ignore:A test tried to use socket")
def test_sdk_style_http_client_to_a_public_host_is_refused():
    with pytest.raises(SocketBlockedError, match="93.184.216.34"):
        httpx.get("https://93.184.216.34/", timeout=1)


def test_loopback_stays_allowed(sandbox):
    response = httpx.get(sandbox.url + "/__sandbox/health", timeout=5)
    assert response.json() == {"ok": True}
