"""Route registry for fakes: `Router` maps method + path pattern to a handler of `Response`."""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from .recorder import RecordedRequest

logger = logging.getLogger(__name__)

Body = bytes | str | dict[str, Any] | list[Any] | None
Handler = Callable[..., "Response"]

_PARAM = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
# The server sets these itself from the body it actually sends.
_FRAMING_HEADERS = frozenset({"content-length", "transfer-encoding"})


@dataclass(frozen=True)
class Response:
    """What a fake answers. A dict or list body is sent as JSON, a str as UTF-8 text."""

    status: int = 200
    body: Body = b""
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str | None = None

    def render(self) -> tuple[int, list[tuple[str, str]], bytes]:
        """Status, headers (Content-Type included when known) and body bytes to send."""
        content_type = self.content_type
        body = self.body
        if isinstance(body, dict | list):
            payload = json.dumps(body).encode("utf-8")
            content_type = content_type or "application/json"
        elif isinstance(body, str):
            payload = body.encode("utf-8")
            content_type = content_type or "text/plain; charset=utf-8"
        elif body is None:
            payload = b""
        else:
            payload = bytes(body)
            if payload:
                content_type = content_type or "application/octet-stream"
        headers = [(k, v) for k, v in self.headers.items() if k.lower() not in _FRAMING_HEADERS]
        has_type = any(k.lower() == "content-type" for k, _ in headers)
        if content_type and not has_type:
            headers.insert(0, ("Content-Type", content_type))
        return self.status, headers, payload


def error_response(status: int, kind: str, message: str, **details: Any) -> Response:
    """A JSON error body `{"error": {"type", "message", ...details}}` marked as the sandbox's."""
    return Response(status=status, body={"error": {"type": kind, "message": message, **details}})


@dataclass(frozen=True)
class _Route:
    method: str
    pattern: str
    regex: re.Pattern[str]
    handler: Handler


def _compile(pattern: str) -> re.Pattern[str]:
    if not pattern.startswith("/"):
        raise ValueError(f"route pattern must start with '/': {pattern!r}")
    parts: list[str] = []
    names: set[str] = set()
    position = 0
    for match in _PARAM.finditer(pattern):
        literal = pattern[position : match.start()]
        if "{" in literal or "}" in literal:
            raise ValueError(f"malformed path parameter in route pattern {pattern!r}")
        name = match.group(1)
        if name in names:
            raise ValueError(f"path parameter {name!r} appears twice in {pattern!r}")
        names.add(name)
        parts.append(re.escape(literal))
        parts.append(f"(?P<{name}>[^/]+)")
        position = match.end()
    tail = pattern[position:]
    if "{" in tail or "}" in tail:
        raise ValueError(f"malformed path parameter in route pattern {pattern!r}")
    parts.append(re.escape(tail))
    return re.compile("".join(parts))


class Router:
    """Method + path-pattern routes. Thread-safe; fakes usually register at import time.

    A pattern is a path with `{name}` parameters, each matching one non-empty segment piece
    without `/` (e.g. `/v21.0/{phone_number_id}/messages`, `/bot{token}/sendMessage`).
    Patterns without parameters win over parameterized ones; otherwise the first added wins.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._routes: list[_Route] = []

    def add(self, method: str, pattern: str, handler: Handler) -> None:
        """Register `handler(request, **params) -> Response`. ValueError if already registered."""
        method = method.upper()
        route = _Route(method, pattern, _compile(pattern), handler)
        with self._lock:
            if any(r.method == method and r.pattern == pattern for r in self._routes):
                raise ValueError(f"route already registered: {method} {pattern}")
            self._routes.append(route)

    def route(self, method: str, pattern: str) -> Callable[[Handler], Handler]:
        """Decorator form of `add`."""

        def register(handler: Handler) -> Handler:
            self.add(method, pattern, handler)
            return handler

        return register

    def patterns(self) -> list[tuple[str, str]]:
        """Registered (method, pattern) pairs, in registration order."""
        with self._lock:
            return [(r.method, r.pattern) for r in self._routes]

    def resolve(self, method: str, path: str) -> tuple[Handler, dict[str, str]] | None:
        """The handler and URL-decoded path parameters for a request, or None."""
        method = method.upper()
        with self._lock:
            candidates = [r for r in self._routes if r.method == method]
        candidates.sort(key=lambda r: r.regex.groups > 0)  # stable: literal routes first
        for route in candidates:
            match = route.regex.fullmatch(path)
            if match:
                return route.handler, {k: unquote(v) for k, v in match.groupdict().items()}
        return None

    def dispatch(self, request: RecordedRequest) -> Response:
        """Answer `request`: the handler's Response, 404 when no route, 500 when it raises."""
        resolved = self.resolve(request.method, request.path)
        if resolved is None:
            return error_response(
                404,
                "sandbox_route_not_found",
                f"the sandbox has no fake for {request.method} {request.path}",
                method=request.method,
                path=request.path,
            )
        handler, params = resolved
        try:
            response = handler(request, **params)
        except Exception as exc:
            logger.exception("sandbox handler failed for %s %s", request.method, request.path)
            return error_response(
                500,
                "sandbox_handler_error",
                f"sandbox handler for {request.method} {request.path} raised "
                f"{type(exc).__name__}: {exc}",
                exception=type(exc).__name__,
            )
        if not isinstance(response, Response):
            return error_response(
                500,
                "sandbox_handler_error",
                f"sandbox handler for {request.method} {request.path} returned "
                f"{type(response).__name__}, not Response",
                exception="TypeError",
            )
        return response


default_router = Router()
"""The router a SandboxServer uses unless given another; the provider fakes register here."""

route = default_router.route
"""Decorator registering a handler on `default_router`."""
