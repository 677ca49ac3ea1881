"""What the sandbox received: a `RecordedRequest` per request, kept by a thread-safe `Recorder`."""

from __future__ import annotations

import base64
import itertools
import json
import threading
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs


def path_matches(pattern: str, path: str) -> bool:
    """True when `path` equals `pattern`, or starts with it when `pattern` ends with `*`."""
    if pattern.endswith("*"):
        return path.startswith(pattern[:-1])
    return path == pattern


def method_matches(expected: str | None, method: str) -> bool:
    """True when `expected` is None (any method) or names `method`, ignoring case."""
    return expected is None or expected.upper() == method.upper()


class Headers(Mapping[str, str]):
    """Immutable request headers with case-insensitive lookup.

    Iteration yields each name once, spelled as first received; a header sent several
    times reads as its values joined by ", " (use `get_all` for the separate values).
    """

    def __init__(self, items: Mapping[str, str] | Iterable[tuple[str, str]] = ()) -> None:
        pairs = items.items() if isinstance(items, Mapping) else items
        self._pairs: tuple[tuple[str, str], ...] = tuple((str(k), str(v)) for k, v in pairs)
        self._by_lower: dict[str, tuple[str, list[str]]] = {}
        for name, value in self._pairs:
            entry = self._by_lower.setdefault(name.lower(), (name, []))
            entry[1].append(value)

    def __getitem__(self, name: str) -> str:
        return ", ".join(self._by_lower[name.lower()][1])

    def __iter__(self) -> Iterator[str]:
        return (name for name, _ in self._by_lower.values())

    def __len__(self) -> int:
        return len(self._by_lower)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._by_lower

    def get_all(self, name: str) -> list[str]:
        """Every value received for `name`, in order; empty when absent."""
        entry = self._by_lower.get(name.lower())
        return list(entry[1]) if entry else []

    def raw_items(self) -> tuple[tuple[str, str], ...]:
        """The (name, value) pairs exactly as received, duplicates included."""
        return self._pairs

    def __repr__(self) -> str:
        return f"Headers({dict(self)!r})"


@dataclass(frozen=True)
class RecordedRequest:
    """One HTTP request as the sandbox received it. `path` is the raw path, without query."""

    id: int
    time: datetime
    method: str
    path: str
    query: dict[str, list[str]] = field(default_factory=dict)
    headers: Headers = field(default_factory=Headers)
    body: bytes = b""

    @property
    def text(self) -> str:
        """The body decoded as UTF-8; undecodable bytes become U+FFFD."""
        return self.body.decode("utf-8", errors="replace")

    def json(self) -> Any:
        """The body parsed as JSON. Precondition: the body is JSON (else ValueError)."""
        return json.loads(self.body)

    def form(self) -> dict[str, list[str]]:
        """The body parsed as application/x-www-form-urlencoded, like `query`.

        Precondition: the body is urlencoded UTF-8 (else UnicodeDecodeError).
        """
        return parse_qs(self.body.decode("utf-8"), keep_blank_values=True)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form; the body is text when it is UTF-8, base64 otherwise."""
        try:
            body, encoding = self.body.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            body, encoding = base64.b64encode(self.body).decode("ascii"), "base64"
        return {
            "id": self.id,
            "time": self.time.isoformat(),
            "method": self.method,
            "path": self.path,
            "query": self.query,
            "headers": dict(self.headers),
            "body": body,
            "body_encoding": encoding,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RecordedRequest:
        """Inverse of `to_dict`. Precondition: `data` came from `to_dict`."""
        if data.get("body_encoding") == "base64":
            body = base64.b64decode(data["body"])
        else:
            body = str(data.get("body", "")).encode("utf-8")
        return cls(
            id=int(data["id"]),
            time=datetime.fromisoformat(data["time"]),
            method=data["method"],
            path=data["path"],
            query={k: list(v) for k, v in data.get("query", {}).items()},
            headers=Headers(data.get("headers", {})),
            body=body,
        )


class Recorder:
    """Thread-safe log of received requests, oldest first.

    `limit` caps memory for a long-running sandbox (the demo): the oldest requests are
    forgotten first. None keeps everything.
    """

    def __init__(self, *, limit: int | None = 10_000) -> None:
        if limit is not None and limit < 1:
            raise ValueError(f"limit must be at least 1 or None, got {limit!r}")
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._requests: deque[RecordedRequest] = deque(maxlen=limit)

    def record(
        self,
        *,
        method: str,
        path: str,
        query: dict[str, list[str]] | None = None,
        headers: Headers | Mapping[str, str] | None = None,
        body: bytes = b"",
    ) -> RecordedRequest:
        """Store a request and return it with the next id (ids never repeat, even after clear)."""
        with self._lock:
            request = RecordedRequest(
                id=next(self._ids),
                time=datetime.now(UTC),
                method=method.upper(),
                path=path,
                query=dict(query or {}),
                headers=headers if isinstance(headers, Headers) else Headers(headers or {}),
                body=body,
            )
            self._requests.append(request)
        return request

    def requests(self, path: str | None = None, method: str | None = None) -> list[RecordedRequest]:
        """Recorded requests, oldest first, filtered by path (exact, or prefix ending `*`)."""
        with self._lock:
            snapshot = list(self._requests)
        return [
            r
            for r in snapshot
            if (path is None or path_matches(path, r.path)) and method_matches(method, r.method)
        ]

    def last(self, path: str | None = None, method: str | None = None) -> RecordedRequest:
        """The newest matching request. Raises LookupError, listing what was received, if none."""
        found = self.requests(path, method)
        if found:
            return found[-1]
        received = [f"{r.method} {r.path}" for r in self.requests()]
        wanted = f"{method or '*'} {path or '*'}"
        raise LookupError(f"sandbox received no request matching {wanted}; received: {received}")

    def count(self, path: str | None = None, method: str | None = None) -> int:
        """How many recorded requests match the filters."""
        return len(self.requests(path, method))

    def clear(self) -> int:
        """Forget every recorded request; returns how many there were."""
        with self._lock:
            cleared = len(self._requests)
            self._requests.clear()
        return cleared
