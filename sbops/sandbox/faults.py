"""Injected failures: a `Fault` answers matching requests instead of the fakes, N times."""

from __future__ import annotations

import base64
import dataclasses
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .recorder import method_matches, path_matches
from .routes import Body, Response

_FIELDS = frozenset(
    {"path", "method", "status", "body", "headers", "delay", "retry_after", "times", "drop"}
)


@dataclass(frozen=True)
class Fault:
    """Answer the next `times` requests matching `path` (and `method`) this way.

    `path` is exact, or a prefix ending in `*`. `method` None matches any method.
    `body` is sent like a Response body (dict/list as JSON). `delay` seconds pass before
    answering. `retry_after` sets the Retry-After header. `times` None means until cleared.
    `drop` closes the connection without any response (after `delay`), so the client sees
    a reset or a timeout; status, body and headers are then ignored.
    """

    path: str
    method: str | None = None
    status: int = 500
    body: Body = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    retry_after: int | float | str | None = None
    times: int | None = 1
    drop: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.path, str) or not self.path.startswith("/"):
            raise ValueError(f"fault path must be a string starting with '/': {self.path!r}")
        if self.method is not None:
            if not isinstance(self.method, str) or not self.method:
                raise ValueError(f"fault method must be a non-empty string: {self.method!r}")
            object.__setattr__(self, "method", self.method.upper())
        if not _is_int(self.status) or not 100 <= self.status <= 599:
            raise ValueError(f"fault status must be an int from 100 to 599: {self.status!r}")
        if not isinstance(self.body, bytes | str | dict | list | None):
            raise ValueError(f"fault body must be bytes, str, dict, list or None: {self.body!r}")
        if not isinstance(self.headers, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in self.headers.items()
        ):
            raise ValueError(f"fault headers must map str to str: {self.headers!r}")
        if not _is_number(self.delay) or self.delay < 0:
            raise ValueError(f"fault delay must be a number of seconds >= 0: {self.delay!r}")
        if self.retry_after is not None and not (
            isinstance(self.retry_after, str) or _is_number(self.retry_after)
        ):
            raise ValueError(f"fault retry_after must be seconds or a string: {self.retry_after!r}")
        if self.times is not None and (not _is_int(self.times) or self.times < 1):
            raise ValueError(f"fault times must be an int >= 1, or None: {self.times!r}")
        if not isinstance(self.drop, bool):
            raise ValueError(f"fault drop must be true or false: {self.drop!r}")

    def matches(self, method: str, path: str) -> bool:
        """True when this fault applies to a request with `method` and `path`."""
        return method_matches(self.method, method) and path_matches(self.path, path)

    def response(self) -> Response:
        """The Response this fault answers with (meaningless when `drop`)."""
        headers = dict(self.headers)
        if self.retry_after is not None:
            headers["Retry-After"] = _format_retry_after(self.retry_after)
        return Response(status=self.status, body=self.body, headers=headers)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe spec; a bytes body travels as `body_base64`."""
        spec: dict[str, Any] = {
            "path": self.path,
            "method": self.method,
            "status": self.status,
            "headers": dict(self.headers),
            "delay": self.delay,
            "retry_after": self.retry_after,
            "times": self.times,
            "drop": self.drop,
        }
        if isinstance(self.body, bytes):
            spec["body_base64"] = base64.b64encode(self.body).decode("ascii")
        else:
            spec["body"] = self.body
        return spec

    @classmethod
    def from_dict(cls, spec: Mapping[str, Any]) -> Fault:
        """Build from a spec like `to_dict`'s. ValueError naming any unknown or invalid field."""
        if not isinstance(spec, Mapping):
            raise ValueError(f"fault spec must be an object, got {type(spec).__name__}")
        values = dict(spec)
        if "body_base64" in values:
            if "body" in values:
                raise ValueError("fault spec has both body and body_base64")
            try:
                values["body"] = base64.b64decode(values.pop("body_base64"), validate=True)
            except (ValueError, TypeError) as exc:
                raise ValueError(f"fault body_base64 is not valid base64: {exc}") from None
        unknown = sorted(set(values) - _FIELDS)
        if unknown:
            raise ValueError(f"unknown fault field(s): {', '.join(unknown)}")
        if "path" not in values:
            raise ValueError("fault spec needs a path")
        return cls(**values)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _format_retry_after(value: int | float | str) -> str:
    if isinstance(value, str):
        return value
    return str(int(value)) if float(value).is_integer() else str(value)


class FaultPlan:
    """Thread-safe ordered list of pending faults; the first match is used up first."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        # Each entry pairs a fault with its remaining uses (None: unlimited).
        self._pending: list[list[Any]] = []

    def add(self, fault: Fault) -> Fault:
        """Queue `fault` after those already pending; returns it."""
        with self._lock:
            self._pending.append([fault, fault.times])
        return fault

    def take(self, method: str, path: str) -> Fault | None:
        """Use up one application of the first fault matching the request, or return None."""
        with self._lock:
            for index, entry in enumerate(self._pending):
                fault, remaining = entry
                if not fault.matches(method, path):
                    continue
                if remaining is not None:
                    if remaining <= 1:
                        del self._pending[index]
                    else:
                        entry[1] = remaining - 1
                return fault
        return None

    def list(self) -> list[Fault]:
        """Pending faults in order, each with `times` set to its remaining uses."""
        with self._lock:
            return [dataclasses.replace(f, times=remaining) for f, remaining in self._pending]

    def clear(self) -> int:
        """Drop every pending fault; returns how many there were."""
        with self._lock:
            cleared = len(self._pending)
            self._pending.clear()
        return cleared
