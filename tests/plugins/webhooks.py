"""Posting webhooks to the real endpoints, signed as each provider signs them.

Provider signers live with their adapters (`channels_app.providers.<kind>.sign…`), so tests,
the simulator and the benchmark sign exactly as the verification expects.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def load_fixture(provider: str, name: str) -> Any:
    """tests/fixtures/<provider>/<name>.json, parsed."""
    return json.loads((FIXTURES / provider / f"{name}.json").read_text())


def webhook_url(account: Any) -> str:
    return f"/webhooks/{account.kind}/{account.slug}/"


def post_raw(
    client: Any,
    account: Any,
    body: bytes,
    *,
    content_type: str,
    headers: dict[str, str] | None = None,
    query: str = "",
):
    """POST exact bytes (the signature is over them) with extra headers."""
    url = webhook_url(account) + (f"?{query}" if query else "")
    extra = {
        f"HTTP_{name.upper().replace('-', '_')}": value for name, value in (headers or {}).items()
    }
    return client.generic("POST", url, data=body, content_type=content_type, **extra)
