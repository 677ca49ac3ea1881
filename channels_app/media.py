"""Downloading a customer's attachment from the provider that holds it.

`fetch_media(account, media)` reads the `media` dict an adapter recorded on the message and
returns the bytes, or raises `MediaUnavailable` saying whether a later attempt may succeed.

Rules, whatever the provider:
- Only the provider's own hosts, over HTTPS (allow-lists below), plus the sandbox's exact
  origin for a demo account (`uses_sandbox`) and the origin of an `api_base_url` an admin
  configured. Every redirect is checked the same way, so a payload or a redirect can never make
  the console fetch from elsewhere (cloud metadata, the office network, another local port).
- Credentials go only to the URL the provider gave, never to where it redirects.
- At most MAX_MEDIA_BYTES: refused by the declared size, by Content-Length, and while reading.
- Timeouts on connect and read, and a deadline for the whole download.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import mimetypes
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import quote, urlsplit

import httpx
from django.conf import settings

from channels_app import telegram_api
from channels_app.models import ChannelAccount
from channels_app.providers.base import api_base_url

MAX_MEDIA_BYTES = 25 * 1024 * 1024
TELEGRAM_DOWNLOAD_LIMIT = 20 * 1024 * 1024  # what the Bot API lets a bot download
TIMEOUT = httpx.Timeout(30.0, connect=5.0)
DEADLINE_SECONDS = 90.0  # below the task timeout, so a slow download fails as a retry
MAX_REDIRECTS = 3
MAX_API_ANSWER_BYTES = 256 * 1024

WHATSAPP_API = "https://graph.facebook.com/v25.0"
WHATSAPP_SANDBOX_PREFIX = "/whatsapp/v25.0"
WHATSAPP_HOSTS = ("graph.facebook.com", "lookaside.fbsbx.com", "*.fbcdn.net", "*.whatsapp.net")
TELEGRAM_HOSTS = ("api.telegram.org",)
TWILIO_API = "https://api.twilio.com"
TWILIO_SANDBOX_PREFIX = "/twilio"
TWILIO_HOSTS = ("api.twilio.com", "*.twilio.com", "*.twiliocdn.com")
# Media of Twilio accounts without "Enforce HTTP Auth on Media URLs" redirects to Twilio's own
# bucket on S3 (support.twilio.com article 223183748): allowed under that bucket's path only.
TWILIO_BUCKETS = (("s3-external-1.amazonaws.com", "/media.twiliocdn.com/"),)
# Graph error codes that mean "try again later" although the HTTP status is a 4xx
WHATSAPP_TRANSIENT_CODES = frozenset({1, 2, 4, 17, 341, 613, 80007, 130429, 131000, 131016})

_EXTENSIONS = {
    "audio/ogg": ".ogg",
    "audio/mpeg": ".mp3",
    "audio/mp4": ".m4a",
    "audio/aac": ".aac",
    "audio/amr": ".amr",
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/webp": ".webp",
    "image/gif": ".gif",
    "video/mp4": ".mp4",
    "video/3gpp": ".3gp",
    "application/pdf": ".pdf",
    "text/plain": ".txt",
}


@dataclass(frozen=True)
class FetchedMedia:
    content: bytes
    mime_type: str
    filename: str


class MediaUnavailable(Exception):
    """The attachment could not be fetched. `reason` is safe to show staff (no secrets);
    `retryable` says whether trying again later may succeed."""

    def __init__(self, reason: str, retryable: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable


def fetch_media(account: ChannelAccount, media: dict[str, Any]) -> FetchedMedia:
    """The attachment described by `media` (a message's `media` dict), from its provider.

    Precondition: `account` is the channel account the message came in on.
    """
    provider = (media or {}).get("provider", "")
    fetcher = _FETCHERS.get(provider)
    if fetcher is None:
        raise MediaUnavailable(
            f"no downloader for media from {provider or 'an unknown provider'}", False
        )
    return fetcher(account, media)


# --- hosts ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class HostPolicy:
    """Where a provider's media may come from.

    `hosts`: HTTPS on the default port; "*.example.com" means any subdomain of example.com.
    `origins`: exact (scheme, host, port) triples (the sandbox, a configured API base).
    `buckets`: (host, path prefix) pairs, HTTPS.
    """

    provider: str
    hosts: tuple[str, ...]
    origins: frozenset[tuple[str, str, int]] = field(default_factory=frozenset)
    buckets: tuple[tuple[str, str], ...] = ()

    def allows(self, url: httpx.URL) -> bool:
        if url.userinfo:
            return False
        scheme, host, port = _origin(url)
        if (scheme, host, port) in self.origins:
            return True
        if scheme != "https" or port != 443:
            return False
        if any(_host_matches(host, pattern) for pattern in self.hosts):
            return True
        return any(host == h and url.path.startswith(prefix) for h, prefix in self.buckets)


def _origin(url: httpx.URL) -> tuple[str, str, int]:
    scheme = url.scheme.lower()
    port = url.port or (443 if scheme == "https" else 80)
    return scheme, url.host.lower().rstrip("."), port


def _host_matches(host: str, pattern: str) -> bool:
    if pattern.startswith("*."):
        return host.endswith(pattern[1:]) and len(host) > len(pattern) - 1
    return host == pattern


def _policy(
    account: ChannelAccount,
    provider: str,
    hosts: tuple[str, ...],
    buckets: tuple[tuple[str, str], ...] = (),
) -> HostPolicy:
    origins = set()
    extra = [(account.config or {}).get("api_base_url", "")]
    if account.uses_sandbox:
        extra.append(settings.SANDBOX_URL)
    for base in extra:
        if base and urlsplit(base).hostname:
            origins.add(_origin(httpx.URL(base)))
    return HostPolicy(provider, hosts, frozenset(origins), buckets)


# --- HTTP -----------------------------------------------------------------------------------


def _open_client(account: ChannelAccount) -> httpx.Client:
    # Redirects are followed by hand (each hop is checked). A sandbox is on loopback: no proxy
    # from the environment may see those calls.
    return httpx.Client(timeout=TIMEOUT, follow_redirects=False, trust_env=not account.uses_sandbox)


@dataclass(frozen=True)
class _Answer:
    content: bytes
    content_type: str


def _download(
    client: httpx.Client,
    url: str,
    *,
    policy: HostPolicy,
    what: str,
    headers: dict[str, str] | None = None,
    limit: int | None = None,
    deadline: float,
    retry_not_found: bool = False,
    transient_codes: frozenset[int] = frozenset(),
) -> _Answer:
    """GET `url` and its redirects, each checked against `policy`, reading at most `limit`."""
    limit = MAX_MEDIA_BYTES if limit is None else limit
    try:
        target = httpx.URL(url)
    except (httpx.InvalidURL, TypeError) as exc:
        raise MediaUnavailable(f"{what}: the media URL is not valid ({exc})", False) from None
    for hop in range(MAX_REDIRECTS + 1):
        if not target.host or not policy.allows(target):
            raise MediaUnavailable(
                f"{what}: refused to download from {target.host or 'a URL without a host'}, "
                f"which is not one of {policy.provider}'s hosts",
                False,
            )
        # credentials only for the URL the provider named: a redirect goes to a signed,
        # short-lived URL (Twilio's CDN, Meta's lookaside) that needs none
        send = dict(headers or {}) if hop == 0 else {}
        try:
            with client.stream("GET", target, headers=send) as response:
                if response.is_redirect:
                    location = response.headers.get("location")
                    if not location:
                        raise MediaUnavailable(f"{what}: a redirect without a Location", False)
                    target = response.url.join(location)
                    continue
                if response.status_code >= 400:
                    raise _http_error(response, what, retry_not_found, transient_codes)
                if response.status_code != 200:
                    raise MediaUnavailable(f"{what}: unexpected HTTP {response.status_code}", False)
                return _Answer(
                    _read_limited(response, what, limit, deadline),
                    response.headers.get("content-type", ""),
                )
        except httpx.TimeoutException:
            raise MediaUnavailable(f"{what}: {target.host} did not answer in time", True) from None
        except httpx.UnsupportedProtocol:
            raise MediaUnavailable(f"{what}: unsupported URL scheme", False) from None
        except httpx.HTTPError as exc:
            raise MediaUnavailable(
                f"{what}: could not reach {target.host} ({type(exc).__name__})", True
            ) from None
    raise MediaUnavailable(f"{what}: more than {MAX_REDIRECTS} redirects", False)


def _read_limited(response: httpx.Response, what: str, limit: int, deadline: float) -> bytes:
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _too_large(what, int(declared), limit)
    chunks: list[bytes] = []
    total = 0
    for chunk in response.iter_bytes():
        total += len(chunk)
        if total > limit:
            raise _too_large(what, total, limit, at_least=True)
        if time.monotonic() > deadline:
            raise MediaUnavailable(
                f"{what}: the download took longer than {DEADLINE_SECONDS:.0f} s", True
            )
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large(what: str, size: int, limit: int, *, at_least: bool = False) -> MediaUnavailable:
    amount = f"{'over ' if at_least else ''}{_megabytes(size)}"
    return MediaUnavailable(
        f"{what}: the file is {amount}, above the {_megabytes(limit)} limit", False
    )


def _megabytes(size: int) -> str:
    if size < 1024 * 1024:
        return f"{size} bytes"
    return f"{size / (1024 * 1024):.1f} MB"


def _http_error(
    response: httpx.Response, what: str, retry_not_found: bool, transient_codes: frozenset[int]
) -> MediaUnavailable:
    """429 and 5xx are worth retrying; other 4xx are not, unless the provider's own error code
    says the trouble is temporary."""
    status = response.status_code
    detail, code = _error_detail(response)
    reason = f"{what}: HTTP {status}" + (f" ({detail})" if detail else "")
    if status == 429 or status >= 500:
        return MediaUnavailable(reason, True)
    if status == 404 and retry_not_found:
        return MediaUnavailable(reason, True)
    return MediaUnavailable(reason, code in transient_codes)


def _error_detail(response: httpx.Response) -> tuple[str, int | None]:
    """A short provider error text and code from the body, if it is JSON."""
    try:
        raw = b""
        for chunk in response.iter_bytes():
            raw += chunk
            if len(raw) > 4096:
                break
        body = json.loads(raw)
    except (ValueError, httpx.HTTPError):
        return "", None
    if not isinstance(body, dict):
        return "", None
    inner = body.get("error") if isinstance(body.get("error"), dict) else body
    message = inner.get("message") or inner.get("description") or ""
    code = inner.get("code", inner.get("error_code"))
    code = code if isinstance(code, int) else None
    text = f"code {code}: {message}" if code is not None else str(message)
    return text[:160], code


def _deadline() -> float:
    return time.monotonic() + DEADLINE_SECONDS


# --- WhatsApp Cloud API ---------------------------------------------------------------------


def _fetch_whatsapp(account: ChannelAccount, media: dict[str, Any]) -> FetchedMedia:
    token = (account.credentials or {}).get("access_token", "")
    if not token:
        raise MediaUnavailable("the WhatsApp account has no access_token", False)
    base = api_base_url(account, default=WHATSAPP_API, sandbox_prefix=WHATSAPP_SANDBOX_PREFIX)
    policy = _policy(account, "WhatsApp", WHATSAPP_HOSTS)
    auth = {"Authorization": f"Bearer {token}"}
    deadline = _deadline()
    media_id = str(media.get("id") or "")
    info: dict[str, Any] = {}
    with _open_client(account) as client:
        if media_id:
            lookup = f"{base}/{quote(media_id, safe='')}"
            phone_number_id = str((account.config or {}).get("phone_number_id") or "")
            if phone_number_id:
                # Graph then checks that the media was sent to this business number
                lookup += f"?phone_number_id={quote(phone_number_id, safe='')}"
            answer = _download(
                client,
                lookup,
                policy=policy,
                what="WhatsApp media lookup",
                headers=auth,
                limit=MAX_API_ANSWER_BYTES,
                deadline=deadline,
                transient_codes=WHATSAPP_TRANSIENT_CODES,
            )
            info = _json_object(answer.content, "WhatsApp media lookup")
        url = str(info.get("url") or media.get("url") or "")
        if not url:
            raise MediaUnavailable("WhatsApp gave no URL for this media", False)
        declared = str(info.get("file_size") or "")
        if declared.isdigit() and int(declared) > MAX_MEDIA_BYTES:
            raise _too_large("WhatsApp media", int(declared), MAX_MEDIA_BYTES)
        # the media URL is on another Meta host, and wants the same Bearer token
        download = _download(
            client,
            url,
            policy=policy,
            what="WhatsApp media download",
            headers=auth,
            deadline=deadline,
            transient_codes=WHATSAPP_TRANSIENT_CODES,
        )
    _check_sha256(download.content, [info.get("sha256"), media.get("sha256")])
    mime_type = str(info.get("mime_type") or media.get("mime_type") or "") or _base_type(
        download.content_type
    )
    return FetchedMedia(
        content=download.content,
        mime_type=mime_type or "application/octet-stream",
        filename=_filename(media.get("filename"), f"whatsapp-{media_id or 'media'}", mime_type),
    )


def _json_object(content: bytes, what: str) -> dict[str, Any]:
    try:
        value = json.loads(content)
    except ValueError:
        raise MediaUnavailable(f"{what}: the answer is not JSON", True) from None
    if not isinstance(value, dict):
        raise MediaUnavailable(f"{what}: the answer is not a JSON object", True)
    return value


def sha256_digest(value: str) -> bytes | None:
    """The 32-byte digest a provider wrote as hex or base64 (either alphabet), else None."""
    text = value.strip()
    if re.fullmatch(r"[0-9a-fA-F]{64}", text):
        return bytes.fromhex(text)
    padded = text + "=" * (-len(text) % 4)
    altchars = b"-_" if ("-" in text or "_" in text) else None
    try:
        raw = base64.b64decode(padded, altchars=altchars, validate=True)
    except (binascii.Error, ValueError):
        return None
    return raw if len(raw) == 32 else None


def _check_sha256(content: bytes, expected: Iterable[Any]) -> None:
    actual = hashlib.sha256(content).digest()
    for value in expected:
        if not value:
            continue
        digest = sha256_digest(str(value))
        if digest is None:
            raise MediaUnavailable(
                "WhatsApp gave a sha256 that is not a SHA-256 digest: the file cannot be checked",
                False,
            )
        if digest != actual:
            raise MediaUnavailable(
                "the downloaded file does not match the sha256 WhatsApp gave for it "
                "(corrupted or altered on the way): refused",
                False,
            )


# --- Telegram Bot API -----------------------------------------------------------------------


def _fetch_telegram(account: ChannelAccount, media: dict[str, Any]) -> FetchedMedia:
    file_id = str(media.get("file_id") or "")
    if not file_id:
        raise MediaUnavailable("the Telegram media has no file_id", False)
    _refuse_telegram_size(media.get("file_size"))
    try:
        info = telegram_api.get_file(account, file_id)
        url = telegram_api.file_url(account, str(info["file_path"]))
    except telegram_api.TelegramApiError as exc:
        raise MediaUnavailable(f"Telegram {exc.description}", exc.retryable) from None
    _refuse_telegram_size(info.get("file_size"))
    policy = _policy(account, "Telegram", TELEGRAM_HOSTS)
    with _open_client(account) as client:
        # the token is in the URL path: errors name the host only
        download = _download(
            client, url, policy=policy, what="Telegram file download", deadline=_deadline()
        )
    file_path = str(info["file_path"])
    mime_type = str(media.get("mime_type") or "")
    if not mime_type:
        served = _base_type(download.content_type)
        guessed = mimetypes.guess_type(file_path)[0] or ""
        mime_type = guessed or (served if served != "application/octet-stream" else "")
    return FetchedMedia(
        content=download.content,
        mime_type=mime_type or "application/octet-stream",
        filename=_filename(
            media.get("filename") or media.get("file_name"),
            f"telegram-{PurePosixPath(file_path).stem}",
            mime_type,
            fallback_suffix=PurePosixPath(file_path).suffix,
        ),
    )


def _refuse_telegram_size(size: Any) -> None:
    if not isinstance(size, int):
        return
    if size > TELEGRAM_DOWNLOAD_LIMIT:
        raise MediaUnavailable(
            f"Telegram lets bots download files up to {_megabytes(TELEGRAM_DOWNLOAD_LIMIT)}; "
            f"this one is {_megabytes(size)}",
            False,
        )
    if size > MAX_MEDIA_BYTES:
        raise _too_large("Telegram file", size, MAX_MEDIA_BYTES)


# --- Twilio ---------------------------------------------------------------------------------


def _fetch_twilio(account: ChannelAccount, media: dict[str, Any]) -> FetchedMedia:
    credentials = account.credentials or {}
    account_sid = credentials.get("account_sid", "")
    auth_token = credentials.get("auth_token", "")
    if not account_sid or not auth_token:
        raise MediaUnavailable("the Twilio account has no account_sid or auth_token", False)
    url = str(media.get("url") or "")
    if not url:
        raise MediaUnavailable("the Twilio media has no URL", False)
    base = api_base_url(account, default=TWILIO_API, sandbox_prefix=TWILIO_SANDBOX_PREFIX)
    if base != TWILIO_API and url.startswith(TWILIO_API + "/"):
        # like pointing twilio-python's base_url elsewhere: the same path on the configured API
        url = base + url[len(TWILIO_API) :]
    policy = _policy(account, "Twilio", TWILIO_HOSTS, TWILIO_BUCKETS)
    basic = base64.b64encode(f"{account_sid}:{auth_token}".encode()).decode("ascii")
    with _open_client(account) as client:
        download = _download(
            client,
            url,
            policy=policy,
            what="Twilio media download",
            headers={"Authorization": f"Basic {basic}"},
            deadline=_deadline(),
            # Twilio may post the webhook before the media has propagated: a 404 is transient
            retry_not_found=True,
        )
    mime_type = str(media.get("mime_type") or "") or _base_type(download.content_type)
    media_sid = PurePosixPath(urlsplit(url).path).name or "media"
    return FetchedMedia(
        content=download.content,
        mime_type=mime_type or "application/octet-stream",
        filename=_filename(media.get("filename"), f"twilio-{media_sid}", mime_type),
    )


# --- email ----------------------------------------------------------------------------------


def _fetch_email(account: ChannelAccount, media: dict[str, Any]) -> FetchedMedia:
    encoded = media.get("inline_base64")
    if not encoded:
        why = str(media.get("note") or "too large to carry inline")
        raise MediaUnavailable(f"the email attachment was not kept with the message: {why}", False)
    if len(encoded) > (MAX_MEDIA_BYTES * 4) // 3 + 4:
        raise _too_large("email attachment", (len(encoded) * 3) // 4, MAX_MEDIA_BYTES)
    try:
        content = base64.b64decode(encoded, validate=False)
    except (binascii.Error, ValueError, TypeError):
        raise MediaUnavailable("the email attachment is not valid base64", False) from None
    if len(content) > MAX_MEDIA_BYTES:
        raise _too_large("email attachment", len(content), MAX_MEDIA_BYTES)
    mime_type = str(media.get("mime_type") or "") or "application/octet-stream"
    return FetchedMedia(
        content=content,
        mime_type=mime_type,
        filename=_filename(media.get("filename"), "email-attachment", mime_type),
    )


_FETCHERS = {
    "whatsapp": _fetch_whatsapp,
    "telegram": _fetch_telegram,
    "twilio": _fetch_twilio,
    "email": _fetch_email,
}


# --- names and types ------------------------------------------------------------------------


def _base_type(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


def _filename(given: Any, stem: str, mime_type: str, *, fallback_suffix: str = "") -> str:
    """A safe file name: the customer's own (directory parts dropped), else `stem` + extension."""
    if isinstance(given, str) and given.strip():
        name = PurePosixPath(given.replace("\\", "/")).name
        name = re.sub(r"[^\w.\- ]", "_", name).strip(" .")
        if name and name not in {".", ".."}:
            return _shorten(name)
    suffix = _EXTENSIONS.get(_base_type(mime_type)) or fallback_suffix
    if not suffix:
        suffix = mimetypes.guess_extension(_base_type(mime_type)) or ".bin"
    safe_stem = re.sub(r"[^\w.\-]", "_", stem)[:80]
    return f"{safe_stem}{suffix}"


def _shorten(name: str, limit: int = 100) -> str:
    if len(name) <= limit:
        return name
    stem, dot, suffix = name.rpartition(".")
    if dot and len(suffix) <= 10:
        return f"{stem[: limit - len(suffix) - 1]}.{suffix}"
    return name[:limit]
