"""Secrets at rest: Fernet (AES-128-CBC + HMAC-SHA256) with keys from the environment.

`settings.ENCRYPTION_KEYS` is a list of passphrases; each is stretched with SHA-256 into a
Fernet key. The first key encrypts, every key decrypts, so keys rotate without downtime
(`reencrypt` rewrites a value under the first key).
"""

from __future__ import annotations

import base64
import hashlib
import json
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

TOKEN_PREFIX = "fernet:"  # noqa: S105 - a marker, not a secret


class SecretUnreadable(Exception):
    """A stored secret could not be decrypted with any configured key."""


@lru_cache(maxsize=8)
def _cipher(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("SBOPS_ENCRYPTION_KEYS is empty")
    fernets = [
        Fernet(base64.urlsafe_b64encode(hashlib.sha256(key.encode()).digest())) for key in keys
    ]
    return MultiFernet(fernets)


def cipher() -> MultiFernet:
    return _cipher(tuple(settings.ENCRYPTION_KEYS))


def encrypt_text(plain: str) -> str:
    return TOKEN_PREFIX + cipher().encrypt(plain.encode()).decode()


def decrypt_text(token: str) -> str:
    if not token.startswith(TOKEN_PREFIX):
        raise SecretUnreadable("value is not an sbops encrypted token")
    try:
        return cipher().decrypt(token[len(TOKEN_PREFIX) :].encode()).decode()
    except InvalidToken as exc:
        raise SecretUnreadable("no configured key decrypts this value") from exc


def reencrypt(token: str) -> str:
    return encrypt_text(decrypt_text(token))


class EncryptedJSONField(models.TextField):
    """A dict of secrets stored as one Fernet token; Python code sees the plain dict.

    The column never holds the clear text, so a database dump or a copied SQLite file does not
    leak provider credentials. Not searchable or filterable by content, by design.
    """

    description = "JSON object encrypted at rest"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("default", dict)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> dict | None:
        if value is None or value == "":
            return {}
        return json.loads(decrypt_text(value))

    def to_python(self, value: Any) -> dict:
        if isinstance(value, dict):
            return value
        if not value:
            return {}
        if isinstance(value, str) and value.startswith(TOKEN_PREFIX):
            return json.loads(decrypt_text(value))
        return json.loads(value)

    def get_prep_value(self, value: Any) -> str | None:
        if value is None:
            return None
        return encrypt_text(json.dumps(self.to_python(value), sort_keys=True))

    def value_to_string(self, obj: models.Model) -> str:
        # serializers (dumpdata, exports) get the ciphertext, never the clear text
        return self.get_prep_value(self.value_from_object(obj)) or ""


def mask_secret(value: str) -> str:
    """What a person may see of a secret: its length class and last two characters."""
    if not value:
        return ""
    if len(value) <= 6:
        return "•" * len(value)
    return "•" * 8 + value[-2:]
