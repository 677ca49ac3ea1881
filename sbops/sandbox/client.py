"""`SandboxClient`: drives a running sandbox's control API (/__sandbox/*) from any process."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlencode, urlsplit

from .faults import Fault
from .recorder import RecordedRequest
from .server import CONTROL_PREFIX


class SandboxControlError(RuntimeError):
    """The sandbox answered a control call with an error status."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"sandbox control API answered {status}: {message}")
        self.status = status


class SandboxClient:
    """Client for the control API of the sandbox at `url` (e.g. "http://127.0.0.1:PORT").

    Precondition: `url` is an http:// URL. Proxy settings from the environment are ignored
    so that loopback calls never leave the machine.
    """

    def __init__(self, url: str, *, timeout: float = 10.0) -> None:
        if urlsplit(url).scheme != "http":
            raise ValueError(f"sandbox URL must start with http://, got {url!r}")
        self.url = url.rstrip("/")
        self.timeout = timeout
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def health(self) -> dict[str, Any]:
        """The health document, `{"ok": true}` when the sandbox is serving."""
        return self._call("GET", "/health")

    def add_fault(self, **spec: Any) -> Fault:
        """Queue a fault (fields as `Fault`); ValueError before any call if the spec is bad."""
        fault = Fault.from_dict(spec)
        return Fault.from_dict(self._call("POST", "/faults", fault.to_dict())["fault"])

    def faults(self) -> list[Fault]:
        """Pending faults, each with `times` set to its remaining uses."""
        return [Fault.from_dict(f) for f in self._call("GET", "/faults")["faults"]]

    def clear_faults(self) -> int:
        """Drop every pending fault; returns how many there were."""
        return int(self._call("DELETE", "/faults")["cleared"])

    def requests(self, path: str | None = None, method: str | None = None) -> list[RecordedRequest]:
        """Recorded requests, oldest first, filtered by path (exact, or prefix ending `*`)."""
        filters = {k: v for k, v in {"path": path, "method": method}.items() if v is not None}
        suffix = f"?{urlencode(filters)}" if filters else ""
        found = self._call("GET", f"/requests{suffix}")["requests"]
        return [RecordedRequest.from_dict(r) for r in found]

    def clear_requests(self) -> int:
        """Forget every recorded request; returns how many there were."""
        return int(self._call("DELETE", "/requests")["cleared"])

    def _call(self, method: str, endpoint: str, payload: Any = None) -> dict[str, Any]:
        data = None if payload is None else json.dumps(payload).encode("utf-8")
        request = urllib.request.Request(  # noqa: S310 - scheme checked in __init__
            f"{self.url}{CONTROL_PREFIX}{endpoint}", data=data, method=method
        )
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as exc:
            raise SandboxControlError(exc.code, _error_message(exc.read())) from None


def _error_message(body: bytes) -> str:
    try:
        return str(json.loads(body)["error"]["message"])
    except (ValueError, KeyError, TypeError):
        return body.decode("utf-8", errors="replace")
