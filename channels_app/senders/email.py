"""Email through Django's mail backend, with our own Message-ID so that replies thread."""

from __future__ import annotations

from typing import Any

from django.core.mail import EmailMessage

from channels_app.models import SendOutcome
from channels_app.senders.base import Outgoing, SendResult


def message_id_for(account: Any, key: str) -> str:
    domain = (account.address.rpartition("@")[2] or "sbops.local").strip(">")
    return f"{key}@{domain}"


def send(account: Any, outgoing: Outgoing) -> SendResult:
    message_id = message_id_for(account, outgoing.idempotency_key)
    headers = {"Message-ID": f"<{message_id}>"}
    if outgoing.reply_to_provider_id:
        headers["In-Reply-To"] = f"<{outgoing.reply_to_provider_id}>"
        headers["References"] = f"<{outgoing.reply_to_provider_id}>"
    email = EmailMessage(
        subject=outgoing.subject or "(no subject)",
        body=outgoing.text,
        from_email=account.address,
        to=[outgoing.to],
        headers=headers,
    )
    try:
        email.send(fail_silently=False)
    except OSError as exc:  # SMTP refused or unreachable: try again later
        return SendResult(
            SendOutcome.RETRY, code="smtp", reason=f"{type(exc).__name__}: {exc}"[:500]
        )
    return SendResult(SendOutcome.SENT, provider_message_id=message_id)
