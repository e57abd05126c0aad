"""Reporters' contact details: encrypted at rest, shown masked to everyone but supervisors."""

from __future__ import annotations

import base64
import json
from functools import lru_cache

from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from api.settings import get_settings


@lru_cache
def _fernet() -> Fernet:
    settings = get_settings()
    if settings.contact_key is not None:
        return Fernet(settings.contact_key.get_secret_value())
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"patrol reporter contact").derive(
        settings.secret_key.get_secret_value().encode()
    )
    return Fernet(base64.urlsafe_b64encode(derived))


def seal(contact: dict[str, str]) -> bytes | None:
    """Encrypt the non-empty contact fields; None when there are none."""
    kept = {k: v for k, v in contact.items() if v}
    return _fernet().encrypt(json.dumps(kept, ensure_ascii=False).encode()) if kept else None


def unseal(token: bytes | None) -> dict[str, str]:
    return json.loads(_fernet().decrypt(token)) if token else {}


def mask_phone(phone: str) -> str:
    digits = "".join(ch for ch in phone if ch.isdigit())
    if len(digits) < 7:
        return "*" * len(digits)
    return f"{digits[:3]}{'*' * (len(digits) - 7)}{digits[-4:]}"


def hint(contact: dict[str, str]) -> str | None:
    """What may be shown to any responder: a masked phone, or that an e-mail was left."""
    if contact.get("phone"):
        return mask_phone(contact["phone"])
    if contact.get("email"):
        name, _, domain = contact["email"].partition("@")
        return f"{name[:1]}***@{domain}"
    return None
