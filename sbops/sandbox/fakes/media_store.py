"""The media the provider fakes serve, and `POST /sandbox-media` to upload some first.

A test or the customer simulator uploads a voice note or an image, gets back the reference
each provider would put in its webhook (a WhatsApp media id, a Telegram file_id, a Twilio
media URL path), and then posts a webhook naming it; the fakes serve the bytes when the
console downloads them.

The upload route lives on the default router as `/sandbox-media` rather than under
`/__sandbox/` (the server keeps that prefix for its own control API), so the recorder sees it
like any other request.

Uploads may name the credentials that own the media (`credentials`: WhatsApp
`access_token`, Telegram `bot_token`, Twilio `auth_token`); the fakes then refuse any other.
Without them any well-formed credential is accepted, since the sandbox cannot know the
console's accounts.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import itertools
import secrets
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from ..recorder import RecordedRequest
from ..routes import Response, error_response, route

PROVIDERS = ("whatsapp", "telegram", "twilio")
UPLOAD_PATH = "/sandbox-media"
# keeps a long-running demo sandbox from growing without bound: the oldest uploads go first
DEFAULT_CAPACITY_BYTES = 256 * 1024 * 1024
DEFAULT_TWILIO_ACCOUNT_SID = "AC" + "0" * 32

_EXTENSIONS = {
    "audio/ogg": "oga",
    "audio/mpeg": "mp3",
    "audio/mp4": "m4a",
    "audio/aac": "aac",
    "audio/amr": "amr",
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "image/gif": "gif",
    "video/mp4": "mp4",
    "video/3gpp": "3gp",
    "application/pdf": "pdf",
    "text/plain": "txt",
}


def extension_for(mime_type: str, filename: str = "") -> str:
    """A file extension (no dot) for a MIME type, else the filename's, else "bin"."""
    base = mime_type.split(";", 1)[0].strip().lower()
    if base in _EXTENSIONS:
        return _EXTENSIONS[base]
    if "." in filename:
        return filename.rsplit(".", 1)[1].lower()[:8] or "bin"
    return "bin"


@dataclass(frozen=True)
class StoredMedia:
    """One uploaded file and the references each provider knows it by."""

    id: str
    provider: str
    content: bytes
    mime_type: str
    filename: str
    # whatsapp: media_id; telegram: file_id, file_unique_id, file_path;
    # twilio: media_sid, account_sid, message_sid, url_path
    refs: dict[str, str] = field(default_factory=dict)
    # the owner's credentials, when the upload named them (see the module docstring)
    credentials: dict[str, str] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return len(self.content)

    @property
    def sha256_digest(self) -> bytes:
        return hashlib.sha256(self.content).digest()

    @property
    def sha256_base64(self) -> str:
        """As WhatsApp webhooks and Graph carry it."""
        return base64.b64encode(self.sha256_digest).decode("ascii")

    def describe(self) -> dict[str, Any]:
        """JSON-safe description (no bytes, no credentials) with the provider references."""
        return {
            "id": self.id,
            "provider": self.provider,
            "mime_type": self.mime_type,
            "filename": self.filename,
            "file_size": self.size,
            "sha256": self.sha256_base64,
            "sha256_hex": self.sha256_digest.hex(),
            **self.refs,
        }


class MediaStore:
    """Thread-safe in-memory store of uploads, looked up by any provider reference."""

    def __init__(self, *, capacity_bytes: int = DEFAULT_CAPACITY_BYTES) -> None:
        self._lock = threading.Lock()
        self._capacity = capacity_bytes
        self._items: OrderedDict[str, StoredMedia] = OrderedDict()
        self._by_ref: dict[tuple[str, str, str], str] = {}
        self._numbers = itertools.count(1)

    def add(
        self,
        *,
        provider: str,
        content: bytes,
        mime_type: str = "application/octet-stream",
        filename: str = "",
        credentials: dict[str, str] | None = None,
        account_sid: str = "",
        message_sid: str = "",
    ) -> StoredMedia:
        """Store `content` for `provider`; returns it with fresh provider references.

        ValueError for an unknown provider or content over the capacity.
        """
        if provider not in PROVIDERS:
            raise ValueError(f"provider must be one of {', '.join(PROVIDERS)}, got {provider!r}")
        if len(content) > self._capacity:
            raise ValueError(f"content of {len(content)} bytes exceeds {self._capacity}")
        with self._lock:
            number = next(self._numbers)
            refs = _references(
                provider,
                number,
                mime_type,
                filename,
                account_sid=account_sid or (credentials or {}).get("account_sid", ""),
                message_sid=message_sid,
            )
            item = StoredMedia(
                id=f"sbm_{number}_{secrets.token_hex(4)}",
                provider=provider,
                content=content,
                mime_type=mime_type,
                filename=filename,
                refs=refs,
                credentials=dict(credentials or {}),
            )
            self._items[item.id] = item
            for name, value in refs.items():
                self._by_ref[(provider, name, value)] = item.id
            self._evict()
        return item

    def find(self, provider: str, ref: str, value: str) -> StoredMedia | None:
        """The upload whose reference `ref` (e.g. "media_id") is `value`, or None."""
        with self._lock:
            item_id = self._by_ref.get((provider, ref, value))
            return self._items.get(item_id) if item_id else None

    def get(self, item_id: str) -> StoredMedia | None:
        with self._lock:
            return self._items.get(item_id)

    def clear(self) -> int:
        """Forget every upload; returns how many there were."""
        with self._lock:
            count = len(self._items)
            self._items.clear()
            self._by_ref.clear()
        return count

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)

    def _evict(self) -> None:
        total = sum(item.size for item in self._items.values())
        while total > self._capacity and len(self._items) > 1:
            _, oldest = self._items.popitem(last=False)
            total -= oldest.size
            for name, value in oldest.refs.items():
                self._by_ref.pop((oldest.provider, name, value), None)


def _references(
    provider: str,
    number: int,
    mime_type: str,
    filename: str,
    *,
    account_sid: str,
    message_sid: str,
) -> dict[str, str]:
    if provider == "whatsapp":
        # Graph media ids are long decimal numbers
        return {"media_id": str(10**15 + secrets.randbelow(9 * 10**15))}
    if provider == "telegram":
        base = mime_type.split(";", 1)[0].strip().lower()
        folder = {"audio/ogg": "voice", "image": "photos", "video": "videos", "audio": "music"}
        directory = folder.get(base) or folder.get(base.split("/", 1)[0], "documents")
        return {
            "file_id": "AwACAgIAAxkBAAI" + secrets.token_urlsafe(24),
            "file_unique_id": "AgAD" + secrets.token_urlsafe(6),
            "file_path": f"{directory}/file_{number}.{extension_for(mime_type, filename)}",
        }
    account = account_sid or DEFAULT_TWILIO_ACCOUNT_SID
    message = message_sid or "MM" + secrets.token_hex(16)
    media_sid = "ME" + secrets.token_hex(16)
    return {
        "media_sid": media_sid,
        "account_sid": account,
        "message_sid": message,
        "url_path": f"/twilio/2010-04-01/Accounts/{account}/Messages/{message}/Media/{media_sid}",
    }


media_store = MediaStore()
"""The store every fake serves from."""


@route("POST", UPLOAD_PATH)
def upload_media(request: RecordedRequest) -> Response:
    """`POST /sandbox-media` {"provider", "content_base64", "mime_type", "filename",
    optional "credentials", "account_sid", "message_sid"} → 201 with the references."""
    try:
        spec = request.json()
    except ValueError as exc:
        return error_response(400, "sandbox_invalid_media", f"body is not JSON: {exc}")
    if not isinstance(spec, dict):
        return error_response(400, "sandbox_invalid_media", "body must be a JSON object")
    provider = spec.get("provider")
    if provider not in PROVIDERS:
        return error_response(
            400,
            "sandbox_invalid_media",
            f"provider must be one of {', '.join(PROVIDERS)}, got {provider!r}",
            field="provider",
        )
    try:
        content = base64.b64decode(spec.get("content_base64") or "", validate=True)
    except (binascii.Error, ValueError, TypeError) as exc:
        return error_response(
            400,
            "sandbox_invalid_media",
            f"content_base64 is not valid base64: {exc}",
            field="content_base64",
        )
    if not content:
        return error_response(
            400, "sandbox_invalid_media", "content_base64 is empty", field="content_base64"
        )
    credentials = spec.get("credentials") or {}
    if not isinstance(credentials, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in credentials.items()
    ):
        return error_response(
            400,
            "sandbox_invalid_media",
            "credentials must map names to strings",
            field="credentials",
        )
    text_fields = {}
    for name in ("mime_type", "filename", "account_sid", "message_sid"):
        value = spec.get(name) or ""
        if not isinstance(value, str):
            return error_response(
                400, "sandbox_invalid_media", f"{name} must be a string", field=name
            )
        text_fields[name] = value
    try:
        item = media_store.add(
            provider=provider,
            content=content,
            mime_type=text_fields["mime_type"] or "application/octet-stream",
            filename=text_fields["filename"],
            credentials=credentials,
            account_sid=text_fields["account_sid"],
            message_sid=text_fields["message_sid"],
        )
    except ValueError as exc:
        return error_response(413, "sandbox_invalid_media", str(exc), field="content_base64")
    return Response(status=201, body=item.describe())
