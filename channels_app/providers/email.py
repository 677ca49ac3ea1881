"""Email inbound: Mailgun routes and Postmark inbound webhooks, one adapter for kind `email`.

The account's `config["provider"]` picks the provider (`mailgun` when unset). Each provider is
read into one provider-neutral `_Mail`, and one function turns that into the InboundMessage:
sender, subject, the reply text with its quoted history set apart, threading hints and
attachment descriptors.

Reference: shared/reference/platforms.md, sections D and E.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import policy
from email.header import decode_header, make_header
from email.message import Message as MimeMessage
from email.parser import BytesParser
from email.utils import collapse_rfc2231_value, getaddresses, parseaddr
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs

from django.http import HttpResponse

from channels_app.providers.base import (
    BadPayload,
    ParsedWebhook,
    SignatureInvalid,
    WebhookRequest,
    from_unix,
    ok_response,
    secrets_equal,
)
from conversations.inbound import Identity, InboundMessage
from conversations.models import ContentKind, IdentityKind
from conversations.text import clean_text

MAILGUN = "mailgun"
POSTMARK = "postmark"
PROVIDERS = (MAILGUN, POSTMARK)

MAX_BODY_BYTES = 30 * 1024 * 1024  # attachments arrive inside the webhook body
# Mailgun replay protection: a signed timestamp older than this, or further ahead than the
# allowed clock skew, is refused even when its signature is right.
MAILGUN_MAX_AGE_SECONDS = 15 * 60
MAILGUN_MAX_CLOCK_SKEW_SECONDS = 5 * 60
# the first attachment travels on to the media task inside the message, up to this size
INLINE_ATTACHMENT_LIMIT = 5 * 1024 * 1024
# charset detection reads a sample: it is slow on megabytes and the sample decides well
CHARSET_SAMPLE_BYTES = 64 * 1024
# when charset detection finds several equally good code pages, take the first of these
PREFERRED_GUESSES = ("utf_8", "cp1252", "iso8859_15", "iso8859_1", "cp1250")
MAX_PROVIDER_ID_LENGTH = 255  # Message.provider_message_id


def sign_mailgun(signing_key: str, timestamp: str | int, token: str) -> str:
    """The `signature` field Mailgun sends: hex HMAC-SHA256(key, timestamp + token)."""
    return hmac.new(
        signing_key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256
    ).hexdigest()


def sign_postmark(signing_key: str) -> dict[str, str]:
    """The Authorization header of a Postmark inbound webhook URL that carries basic-auth
    credentials (`https://postmark:<signing_key>@host/webhooks/email/<slug>/`)."""
    credentials = base64.b64encode(f"postmark:{signing_key}".encode()).decode()
    return {"Authorization": f"Basic {credentials}"}


@dataclass
class _Attachment:
    filename: str
    mime_type: str
    size: int
    inline: bool = False
    content_id: str = ""
    content: bytes | None = None  # Mailgun: the file part's bytes
    content_base64: str = ""  # Postmark: base64 as it came in the JSON


@dataclass
class _Mail:
    """One inbound mail as either provider describes it."""

    provider: str
    from_header: str
    envelope_sender: str = ""
    from_name: str = ""
    recipients: list[str] = field(default_factory=list)  # envelope: our own address(es)
    mailbox_hash: str = ""
    to: str = ""
    cc: str = ""
    subject: str = ""
    date: str = ""
    text: str = ""
    stripped_text: str = ""
    html: str = ""
    signature: str = ""
    message_id: str = ""
    in_reply_to: str = ""
    references: str = ""
    provider_id: str = ""
    attachments: list[_Attachment] = field(default_factory=list)
    received_at: datetime = field(default_factory=lambda: datetime.now(tz=UTC))
    notes: list[str] = field(default_factory=list)


class EmailAdapter:
    kind = "email"
    max_body_bytes = MAX_BODY_BYTES

    def handshake(self, request: WebhookRequest, account: Any) -> HttpResponse | None:
        return None

    def verify(self, request: WebhookRequest, account: Any) -> None:
        provider = _provider(account)
        key = account.credentials.get("signing_key", "")
        if not key:
            raise SignatureInvalid("the account has no signing key configured")
        if provider == MAILGUN:
            _mailgun_verify(request, key)
        else:
            _postmark_verify(request, key)

    def parse(self, request: WebhookRequest, account: Any) -> ParsedWebhook:
        provider = _provider(account)
        mail = _mailgun_read(request) if provider == MAILGUN else _postmark_read(request)
        parsed = ParsedWebhook()
        inbound = _inbound(mail)
        if inbound is None:
            parsed.ignored.append(
                f"{provider} mail without a readable sender address "
                f"(from {clean_text(mail.from_header)[:120]!r})"
            )
        else:
            parsed.messages.append(inbound)
        return parsed

    def acknowledge(self, request: WebhookRequest, parsed: ParsedWebhook) -> HttpResponse:
        return ok_response()


def _provider(account: Any) -> str:
    provider = str((account.config or {}).get("provider") or MAILGUN).strip().lower()
    if provider not in PROVIDERS:
        # nothing we can verify: refuse rather than accept unsigned mail
        raise SignatureInvalid(f"unsupported email provider {provider!r} in the account config")
    return provider


# --- Mailgun ----------------------------------------------------------------------------------


@dataclass
class _Form:
    fields: dict[str, str]  # lower-cased names, first value
    files: list[tuple[str, _Attachment]]  # (field name, attachment)


# the form a successful verify read, handed on to parse in the same request and thread: a
# 30 MB multipart body is then parsed once, not twice
_verified_forms = threading.local()


def _mailgun_verify(request: WebhookRequest, key: str) -> None:
    try:
        form = _mailgun_form(request)
    except BadPayload as exc:
        raise SignatureInvalid(f"cannot read the Mailgun signature fields: {exc.reason}") from exc
    timestamp = form.fields.get("timestamp", "").strip()
    token = form.fields.get("token", "").strip()
    signature = form.fields.get("signature", "").strip().lower()
    missing = [name for name, value in (("timestamp", timestamp), ("token", token)) if not value]
    if not signature:
        missing.append("signature")
    if missing:
        raise SignatureInvalid(f"missing Mailgun field(s): {', '.join(missing)}")
    if not secrets_equal(signature, sign_mailgun(key, timestamp, token)):
        raise SignatureInvalid("Mailgun signature does not match timestamp + token")
    try:
        signed_at = int(timestamp.split(".")[0])
    except ValueError as exc:
        raise SignatureInvalid(f"Mailgun timestamp {timestamp[:40]!r} is not a number") from exc
    age = time.time() - signed_at
    if age > MAILGUN_MAX_AGE_SECONDS:
        raise SignatureInvalid(
            f"Mailgun timestamp is {int(age)} s old (over {MAILGUN_MAX_AGE_SECONDS} s): a replay?"
        )
    if -age > MAILGUN_MAX_CLOCK_SKEW_SECONDS:
        raise SignatureInvalid(f"Mailgun timestamp is {int(-age)} s in the future")
    _verified_forms.last = (request.body, form)


def _mailgun_verified_form(request: WebhookRequest) -> _Form:
    last = getattr(_verified_forms, "last", None)
    _verified_forms.last = None
    if last is not None and last[0] is request.body:
        return last[1]
    return _mailgun_form(request)


def _mailgun_form(request: WebhookRequest) -> _Form:
    if request.content_type == "application/x-www-form-urlencoded":
        return _urlencoded_form(request.body)
    if request.content_type == "multipart/form-data":
        return _multipart_form(request)
    raise BadPayload(
        "expected application/x-www-form-urlencoded or multipart/form-data, "
        f"got {request.content_type or 'none'}",
        415,
    )


def _urlencoded_form(body: bytes) -> _Form:
    # latin-1 maps each byte to one character and back: the bytes of every value survive
    # parsing whatever charset they are in, and are decoded below, each with its charset
    raw = parse_qs(body.decode("latin-1"), keep_blank_values=True, encoding="latin-1")
    values = {name.lower(): items[0].encode("latin-1") for name, items in raw.items() if items}
    declared = _declared_charset(values)
    return _Form(
        fields={name: decode_text(value, declared) for name, value in values.items()}, files=[]
    )


def _multipart_form(request: WebhookRequest) -> _Form:
    """multipart/form-data read with the stdlib MIME parser, not Django's request.POST: the
    endpoint hands adapters the raw bytes (a journaled request can then be replayed)."""
    content_type = request.header("content-type")
    if "boundary=" not in content_type.lower():
        raise BadPayload("multipart/form-data without a boundary")
    envelope = b"Content-Type: " + content_type.encode("latin-1", "replace") + b"\r\n\r\n"
    document = BytesParser(policy=policy.HTTP).parsebytes(envelope + request.body)
    parts = document.get_payload() if document.is_multipart() else None
    if not isinstance(parts, list) or not parts:
        raise BadPayload("multipart/form-data body has no parts")
    raw: dict[str, tuple[bytes, str]] = {}
    files: list[tuple[str, _Attachment]] = []
    for part in parts:
        if not isinstance(part, MimeMessage):
            continue
        name = _header_param(part, "name").lower()
        if not name:
            continue
        payload = part.get_payload(decode=True)
        content = payload if isinstance(payload, bytes) else b""
        filename = _header_param(part, "filename")
        if filename or re.fullmatch(r"attachment-\d+", name):
            files.append(
                (
                    name,
                    _Attachment(
                        filename=filename or name,
                        mime_type=part.get_content_type(),
                        size=len(content),
                        content=content,
                    ),
                )
            )
        elif name not in raw:
            raw[name] = (content, part.get_content_charset() or "")
    declared = _declared_charset({name: value for name, (value, _) in raw.items()})
    fields = {
        name: decode_text(value, charset or declared) for name, (value, charset) in raw.items()
    }
    return _Form(fields=fields, files=files)


def _header_param(part: MimeMessage, name: str) -> str:
    """A Content-Disposition parameter; RFC 2231 (`filename*=UTF-8''…`) and raw UTF-8 decoded."""
    value = part.get_param(name, header="content-disposition")
    if value is None:
        return ""
    text = collapse_rfc2231_value(value)
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _declared_charset(values: dict[str, bytes]) -> str:
    """The charset the original mail declared in its top-level Content-Type, if any."""
    raw = values.get("message-headers")
    if not raw:
        return ""
    for name, value in _header_pairs(decode_text(raw)):
        if name.lower() == "content-type":
            match = re.search(r'charset\s*=\s*"?([\w.:-]+)', value, re.IGNORECASE)
            return match.group(1) if match else ""
    return ""


def _header_pairs(raw: str) -> list[tuple[str, str]]:
    """Mailgun's `message-headers`: a JSON list of [name, value] pairs; junk is skipped."""
    try:
        pairs = json.loads(raw)
    except ValueError:
        return []
    if not isinstance(pairs, list):
        return []
    return [
        (str(pair[0]), str(pair[1]))
        for pair in pairs
        if isinstance(pair, list | tuple) and len(pair) == 2
    ]


def _mailgun_read(request: WebhookRequest) -> _Mail:
    form = _mailgun_verified_form(request)
    fields = form.fields
    headers: dict[str, str] = {}
    for name, value in _header_pairs(fields.get("message-headers", "")):
        headers.setdefault(name.lower(), value)

    def header(name: str) -> str:
        # Mailgun posts each header as its own field too (`Message-Id`, `In-Reply-To`, …)
        return fields.get(name) or headers.get(name, "")

    mail = _Mail(
        provider=MAILGUN,
        from_header=fields.get("from") or headers.get("from", ""),
        envelope_sender=fields.get("sender", ""),
        recipients=[fields.get("recipient", "")],
        to=header("to"),
        cc=header("cc"),
        subject=fields.get("subject") or headers.get("subject", ""),
        date=header("date"),
        text=fields.get("body-plain", ""),
        stripped_text=fields.get("stripped-text", ""),
        html=fields.get("body-html") or fields.get("stripped-html", ""),
        signature=fields.get("stripped-signature", ""),
        message_id=header("message-id"),
        in_reply_to=header("in-reply-to"),
        references=header("references"),
        received_at=from_unix(fields.get("timestamp")),
    )
    inline_fields = set(_content_id_map(fields.get("content-id-map", "")).values())
    for name, attachment in form.files:
        attachment.inline = name in inline_fields
        mail.attachments.append(attachment)
    announced = _int(fields.get("attachment-count"))
    if announced > len(form.files):
        mail.notes.append(
            f"attachment-count says {announced}, the body carries {len(form.files)} "
            "(urlencoded routes cannot carry files)"
        )
    return mail


def _content_id_map(raw: str) -> dict[str, str]:
    try:
        mapping = json.loads(raw) if raw else {}
    except ValueError:
        return {}
    return {str(k): str(v).lower() for k, v in mapping.items()} if isinstance(mapping, dict) else {}


# --- Postmark ---------------------------------------------------------------------------------


def _postmark_verify(request: WebhookRequest, key: str) -> None:
    """Basic auth in the webhook URL (any user name, password = signing key), or `?token=`."""
    authorization = request.header("authorization").strip()
    token = request.query_value("token")
    if not authorization and not token:
        raise SignatureInvalid("missing basic-auth credentials and ?token= for Postmark")
    if authorization:
        scheme, _, encoded = authorization.partition(" ")
        password = ""
        if scheme.lower() == "basic":
            try:
                decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
            except (binascii.Error, ValueError):
                decoded = ""
            password = decoded.partition(":")[2]
        if password and secrets_equal(password, key):
            return
    if token and secrets_equal(token, key):
        return
    raise SignatureInvalid("Postmark credentials do not match the signing key")


def _postmark_read(request: WebhookRequest) -> _Mail:
    charset = _content_type_charset(request.header("content-type"))
    payload = request.json_object(decode_text(request.body, charset))
    headers: dict[str, str] = {}
    for item in _list(payload.get("Headers")):
        if isinstance(item, dict) and item.get("Name"):
            headers.setdefault(str(item["Name"]).lower(), _str(item.get("Value")))
    from_full = payload.get("FromFull") if isinstance(payload.get("FromFull"), dict) else {}
    mailbox_hash = _str(payload.get("MailboxHash"))
    for recipient in _list(payload.get("ToFull")):
        if not mailbox_hash and isinstance(recipient, dict):
            mailbox_hash = _str(recipient.get("MailboxHash"))
    mail = _Mail(
        provider=POSTMARK,
        from_header=_str(payload.get("From")) or _str(from_full.get("Email")),
        from_name=_str(payload.get("FromName")) or _str(from_full.get("Name")),
        recipients=[_str(payload.get("OriginalRecipient")) or _str(payload.get("To"))],
        mailbox_hash=mailbox_hash,
        to=_str(payload.get("To")),
        cc=_str(payload.get("Cc")),
        subject=_str(payload.get("Subject")),
        date=_str(payload.get("Date")) or headers.get("date", ""),
        text=_str(payload.get("TextBody")),
        stripped_text=_str(payload.get("StrippedTextReply")),
        html=_str(payload.get("HtmlBody")),
        message_id=headers.get("message-id", ""),
        in_reply_to=headers.get("in-reply-to", ""),
        references=headers.get("references", ""),
        provider_id=_str(payload.get("MessageID")),
    )
    for index, item in enumerate(_list(payload.get("Attachments")), start=1):
        if not isinstance(item, dict):
            mail.notes.append(f"attachment {index} is not an object")
            continue
        content = re.sub(r"\s+", "", _str(item.get("Content")))
        mail.attachments.append(
            _Attachment(
                filename=_str(item.get("Name")) or f"attachment-{index}",
                mime_type=_str(item.get("ContentType")) or "application/octet-stream",
                size=_int(item.get("ContentLength")) or len(content) * 3 // 4,
                inline=bool(item.get("ContentID")),
                content_id=_str(item.get("ContentID")),
                content_base64=content,
            )
        )
    return mail


def _content_type_charset(value: str) -> str:
    match = re.search(r'charset\s*=\s*"?([\w.:-]+)', value, re.IGNORECASE)
    return match.group(1) if match else ""


def _list(value: Any) -> list:
    return value if isinstance(value, list) else []


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ("" if value is None else str(value))


def _int(value: Any) -> int:
    try:
        return max(int(str(value).strip()), 0)
    except (TypeError, ValueError):
        return 0


# --- From a mail to the provider-neutral message ----------------------------------------------


def _inbound(mail: _Mail) -> InboundMessage | None:
    name, address = parseaddr(mail.from_header)
    if not _is_address(address):
        name, address = parseaddr(mail.envelope_sender)
    if not _is_address(address):
        return None
    address = address.strip().lower()
    subject = _decode_words(mail.subject).strip()
    body, quoted, source, full_length = _reply_text(mail)
    message_id = clean_text(_first_id(mail.message_id))
    in_reply_to = [clean_text(value) for value in message_ids(mail.in_reply_to)]
    references = [clean_text(value) for value in message_ids(mail.references)]
    inbound = InboundMessage(
        provider_message_id=_provider_message_id(mail, message_id, address),
        identities=[Identity(IdentityKind.EMAIL, address)],
        sent_at=mail.received_at,
        content_kind=ContentKind.EMAIL,
        body=body,
        display_name=_decode_words(mail.from_name or name).strip(),
        email=address,
        subject=subject,
        thread_message_ids=_unique([*in_reply_to, *reversed(references)], drop=message_id),
        thread_tokens=_unique([*_plus_tokens(mail), *SUBJECT_TAG.findall(clean_text(subject))]),
    )
    metadata_email: dict[str, Any] = {
        "provider": mail.provider,
        "subject": subject,
        "from": _decode_words(mail.from_header),
        "to": _decode_words(mail.to),
        "cc": _decode_words(mail.cc),
        "date": mail.date,
        "message_id": message_id,
        "in_reply_to": in_reply_to,
        "references": references,
        "quoted": quoted,
        "full_text_length": full_length,
        "html": source == "html",
        "body_source": source,
    }
    if mail.provider_id:
        metadata_email["provider_id"] = mail.provider_id
    if mail.signature:
        metadata_email["signature"] = mail.signature
    if mail.notes:
        metadata_email["notes"] = mail.notes
    inbound.metadata["email"] = metadata_email
    _attach(inbound, mail.attachments)
    if not body and not mail.attachments and subject:
        inbound.body = subject  # a subject-only mail still says something
        metadata_email["body_source"] = "subject"
    inbound.metadata = _clean(inbound.metadata)
    inbound.media = _clean(inbound.media)
    return inbound


def _is_address(address: str) -> bool:
    # 254: the longest address SMTP allows, and what the contact's email column holds
    return 0 < len(address) <= 254 and "@" in address and not re.search(r"[\s\x00]", address)


def _provider_message_id(mail: _Mail, message_id: str, address: str) -> str:
    """The RFC Message-ID; else the provider's own id; else a digest that a redelivery of the
    same mail reproduces."""
    candidate = message_id or clean_text(mail.provider_id)
    if candidate and len(candidate) <= MAX_PROVIDER_ID_LENGTH:
        return candidate
    digest = hashlib.sha256()
    for part in (candidate, address, mail.date, mail.subject, mail.text or mail.html):
        digest.update(part.encode("utf-8", "surrogatepass") + b"\x00")
    return f"email-sha256:{digest.hexdigest()}"


def _reply_text(mail: _Mail) -> tuple[str, str, str, int]:
    """(reply, quoted history, where the reply came from, length of the whole text).

    A mail that is all history (a forward) keeps its whole text as the reply.
    """
    full = _normalise_newlines(mail.text).strip()
    stripped = _normalise_newlines(mail.stripped_text).strip()
    if stripped:
        if full.startswith(stripped):
            quoted = full[len(stripped) :].strip()
        else:
            quoted = split_quoted(full)[1] if full else ""
        return stripped, quoted, "provider_stripped", len(full or stripped)
    if full:
        reply, quoted = split_quoted(full)
        return reply or full, quoted if reply else "", "plain", len(full)
    if mail.html.strip():
        text = html_to_text(mail.html)
        reply, quoted = split_quoted(text)
        return reply or text, quoted if reply else "", "html", len(text)
    return "", "", "none", 0


def _attach(inbound: InboundMessage, attachments: list[_Attachment]) -> None:
    if not attachments:
        return
    descriptors = [
        {
            "provider": "email",
            "filename": attachment.filename,
            "mime_type": attachment.mime_type,
            "size": attachment.size,
            "inline": attachment.inline,
            "content_id": attachment.content_id,
        }
        for attachment in attachments
    ]
    inbound.metadata["attachments"] = descriptors
    # an inline picture is usually a signature logo: the first real attachment is the media
    chosen = next((i for i, a in enumerate(attachments) if not a.inline), 0)
    attachment, media = attachments[chosen], dict(descriptors[chosen])
    if attachment.size > INLINE_ATTACHMENT_LIMIT:
        note = f"too large to keep ({attachment.size} bytes, limit {INLINE_ATTACHMENT_LIMIT})"
        media["note"] = descriptors[chosen]["note"] = note
    elif attachment.content is not None:
        media["inline_base64"] = base64.b64encode(attachment.content).decode("ascii")
    elif not attachment.content_base64:
        media["note"] = descriptors[chosen]["note"] = "no content in the webhook"
    else:
        try:
            content = base64.b64decode(attachment.content_base64, validate=True)
        except (binascii.Error, ValueError):
            media["note"] = descriptors[chosen]["note"] = "unreadable base64 content"
        else:
            media["size"] = descriptors[chosen]["size"] = len(content)
            if len(content) > INLINE_ATTACHMENT_LIMIT:
                note = f"too large to keep ({len(content)} bytes, limit {INLINE_ATTACHMENT_LIMIT})"
                media["note"] = descriptors[chosen]["note"] = note
            else:
                media["inline_base64"] = attachment.content_base64
    inbound.media = media
    if not inbound.body:
        inbound.content_kind = (
            ContentKind.IMAGE if attachment.mime_type.startswith("image/") else ContentKind.DOCUMENT
        )


def _clean(value: Any) -> Any:
    """NUL and lone surrogates out of every string: PostgreSQL's jsonb refuses both."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {clean_text(str(k)): _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(item) for item in value]
    return value


# --- Threading hints --------------------------------------------------------------------------

SUBJECT_TAG = re.compile(r"\[#\s*([A-Za-z0-9_-]+)\s*\]")
_BRACKETED_ID = re.compile(r"<\s*([^<>\s]+)\s*>")


def message_ids(value: str) -> list[str]:
    """The message ids in an In-Reply-To or References header, in header order.

    Tolerates what clients send: several ids, folded lines, comments, angle brackets missing.
    """
    if not value:
        return []
    found = _BRACKETED_ID.findall(value)
    if not found:
        found = [token.strip("<>,;\"'()") for token in re.split(r"[\s,;]+", value)]
        found = [token for token in found if "@" in token]
    return _unique(found)


def _first_id(value: str) -> str:
    ids = message_ids(value)
    if ids:
        return ids[0]
    return value.strip().strip("<>").strip()


def _plus_tokens(mail: _Mail) -> list[str]:
    """The reply-address token: `support+981@…` gives "981" (Postmark calls it MailboxHash)."""
    tokens = [mail.mailbox_hash.strip()] if mail.mailbox_hash.strip() else []
    for _name, address in getaddresses([r for r in mail.recipients if r]):
        local = address.rpartition("@")[0]
        if "+" in local:
            tokens.append(local.split("+", 1)[1])
    return [token for token in tokens if token]


def _unique(items: list[str], *, drop: str = "") -> list[str]:
    return [item for item in dict.fromkeys(items) if item and item != drop]


def _decode_words(value: str) -> str:
    """RFC 2047 encoded words (`=?utf-8?q?…?=`), which some providers pass through."""
    if not value or "=?" not in value:
        return value or ""
    try:
        return str(make_header(decode_header(value)))
    except (ValueError, LookupError, UnicodeError):
        return value


# --- Charsets ---------------------------------------------------------------------------------


def decode_text(data: bytes, declared: str = "") -> str:
    """Bytes of a mail field as text, never raising.

    Valid UTF-8 with non-ASCII bytes is taken as UTF-8 (providers convert to it, and legacy
    text is almost never valid UTF-8 by accident); otherwise the declared charset; then a
    guess by charset-normalizer; last, UTF-8 with replacement characters.
    """
    if not data:
        return ""
    if not data.isascii():
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            pass
    if declared:
        try:
            return data.decode(declared.strip().strip("\"'"))
        except (LookupError, UnicodeError, ValueError):
            pass
    if data.isascii():
        return data.decode("ascii")
    guessed = _guess_charset(data)
    if guessed:
        try:
            return data.decode(guessed, "replace")
        except (LookupError, ValueError):
            pass
    return data.decode("utf-8", "replace")


def _guess_charset(data: bytes) -> str:
    try:
        from charset_normalizer import from_bytes  # installed with requests; imported lazily
    except ImportError:
        return ""
    try:
        matches = list(from_bytes(data[:CHARSET_SAMPLE_BYTES]))
    except Exception:  # a detector bug must never cost the message
        return ""
    if not matches:
        return ""
    best = matches[0]
    # on short text many code pages tie; mail without a charset is most often Western
    tied = {
        match.encoding
        for match in matches
        if (match.chaos, match.coherence) == (best.chaos, best.coherence)
    }
    return next((name for name in PREFERRED_GUESSES if name in tied), best.encoding)


# --- Quoted history ---------------------------------------------------------------------------

_ATTRIBUTION = re.compile(
    r"^\s*(?:"
    r"On\s.+\swrote\s*:"  # Gmail, Apple Mail, Thunderbird
    r"|Am\s.+\sschrieb.*:"  # German clients
    r"|El\s.+\sescribió\s*:"
    r"|Le\s.+\sa\s+écrit\s*:"
    r"|Em\s.+\sescreveu\s*:"
    r")\s*$",
    re.IGNORECASE,
)
_ORIGINAL_MESSAGE = re.compile(
    r"^\s*-{2,}\s*(?:Original Message|Ursprüngliche Nachricht|Mensaje original|"
    r"Message d'origine|Mensagem original|Forwarded message)\s*-{2,}\s*$",
    re.IGNORECASE,
)
_OUTLOOK_FROM = re.compile(r"^\s*\*?(?:From|Von|De)\s*:\*?\s*\S", re.IGNORECASE)
_OUTLOOK_SENT = re.compile(
    r"^\s*\*?(?:Sent|Date|Gesendet|Datum|Enviado|Fecha|Envoyé)\s*:", re.IGNORECASE
)


def split_quoted(text: str) -> tuple[str, str]:
    """(the reply, the quoted history) of a plain-text mail.

    History starts at the first reply separator ("On … wrote:", "Am … schrieb …:",
    "-----Original Message-----", an Outlook "From: … Sent: …" block); above it, lines
    starting with ">" are quotes too.
    """
    lines = _normalise_newlines(text).split("\n")
    cut = _separator_line(lines)
    head, tail = (lines, []) if cut is None else (lines[:cut], lines[cut:])
    reply = [line for line in head if not line.lstrip().startswith(">")]
    quoted = [line for line in head if line.lstrip().startswith(">")] + tail
    return "\n".join(reply).strip(), "\n".join(quoted).strip()


def _separator_line(lines: list[str]) -> int | None:
    for index, line in enumerate(lines):
        stripped = line.strip()
        if not stripped or stripped.startswith(">") or len(stripped) > 400:
            continue
        if _ATTRIBUTION.match(stripped) or _ORIGINAL_MESSAGE.match(stripped):
            return index
        # attributions that the sender's client wrapped onto a second line
        if index + 1 < len(lines) and _ATTRIBUTION.match(f"{stripped} {lines[index + 1].strip()}"):
            return index
        if _OUTLOOK_FROM.match(stripped) and any(
            _OUTLOOK_SENT.match(following) for following in lines[index + 1 : index + 4]
        ):
            return index
    return None


def _normalise_newlines(text: str) -> str:
    return (text or "").replace("\r\n", "\n").replace("\r", "\n")


# --- HTML to text -----------------------------------------------------------------------------

_SKIPPED_TAGS = {"script", "style", "title", "noscript", "template", "head", "svg"}
# a blank line before and after
_PARAGRAPH_TAGS = {
    "address", "blockquote", "dl", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "ol",
    "p", "pre", "table", "ul",
}  # fmt: skip
# a line of their own (Gmail writes every line as a <div>, and <div><br></div> for a blank one)
_LINE_TAGS = {
    "article", "aside", "br", "dd", "div", "dt", "fieldset", "figcaption", "footer", "form",
    "header", "li", "main", "nav", "section", "tr",
}  # fmt: skip


class _HtmlText(HTMLParser):
    """HTML reduced to readable text: no tags, no scripts or styles, entities decoded, block
    elements on their own lines, blockquotes as "> " quotes (so the quote splitter sees them)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.current: list[str] = []
        self.current_depth = 0
        self.skipping = 0
        self.quote_depth = 0
        self.preformatted = 0
        self.blank_pending = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "body":
            self.skipping = 0  # a <head> its author forgot to close
        if tag in _SKIPPED_TAGS:
            self.skipping += 1
            return
        if self.skipping:
            return
        if tag in _PARAGRAPH_TAGS or tag in _LINE_TAGS:
            self._break(paragraph=tag in _PARAGRAPH_TAGS, explicit=tag == "br")
        if tag == "blockquote":
            self.quote_depth += 1
            self.current_depth = self.quote_depth
        elif tag == "pre":
            self.preformatted += 1
        elif tag == "li":
            self.current.append("- ")
        elif tag == "img":
            alt = (dict(attrs).get("alt") or "").strip()
            if alt:
                self.current.append(f"[{alt}]")
        elif tag in ("td", "th"):
            self.current.append(" ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _SKIPPED_TAGS:
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED_TAGS:
            self.skipping = max(self.skipping - 1, 0)
            return
        if self.skipping or tag == "br":
            return
        if tag in _PARAGRAPH_TAGS or tag in _LINE_TAGS:
            self._break(paragraph=tag in _PARAGRAPH_TAGS)
        if tag == "blockquote":
            self.quote_depth = max(self.quote_depth - 1, 0)
            self.current_depth = self.quote_depth
        elif tag == "pre":
            self.preformatted = max(self.preformatted - 1, 0)

    def handle_data(self, data: str) -> None:
        if self.skipping:
            return
        if self.preformatted:
            for number, chunk in enumerate(data.split("\n")):
                if number:
                    self._break(explicit=True)
                self.current.append(chunk)
            return
        self.current.append(re.sub(r"\s+", " ", data))

    def _break(self, *, paragraph: bool = False, explicit: bool = False) -> None:
        line = "".join(self.current)
        line = line.rstrip() if self.preformatted else re.sub(r"\s+", " ", line).strip()
        if line.strip("- "):
            if self.blank_pending and self.lines and self.lines[-1]:
                self.lines.append("")
            self.lines.append("> " * self.current_depth + line)
            self.blank_pending = False
        elif explicit and self.lines:
            self.lines.append("")  # <br> on an empty line: a blank line the author wanted
        self.blank_pending = self.blank_pending or paragraph
        self.current = []
        self.current_depth = self.quote_depth

    def text(self) -> str:
        self.close()
        self._break()
        return re.sub(r"\n{3,}", "\n\n", "\n".join(self.lines)).strip()


def html_to_text(html: str) -> str:
    parser = _HtmlText()
    parser.feed(html)
    return parser.text()


ADAPTER = EmailAdapter()


def adapter_for_kind(kind: str) -> EmailAdapter:
    return ADAPTER
