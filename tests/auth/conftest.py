"""Logins, tokens and DPoP proofs as a phone and the console make them, over real HTTP."""

from __future__ import annotations

import base64
import hashlib
import secrets
import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from api.auth.models import Role
from api.settings import get_settings
from tests.factories import make_user

TOKEN_PATH = "/api/v1/auth/token"


class PhoneKey:
    """An ES256 key pair as the phone app keeps it, and the DPoP proofs it signs."""

    def __init__(self) -> None:
        self.private = ec.generate_private_key(ec.SECP256R1())
        self.jwk = jwt.algorithms.ECAlgorithm.to_jwk(self.private.public_key(), as_dict=True)

    def proof(
        self,
        method: str,
        url: str,
        *,
        access_token: str | None = None,
        iat: float | None = None,
        jti: str | None = None,
        typ: str = "dpop+jwt",
        jwk: dict | None = None,
    ) -> str:
        claims = {
            "jti": jti or secrets.token_urlsafe(16),
            "htm": method,
            "htu": url,
            "iat": int(time.time() if iat is None else iat),
        }
        if access_token is not None:
            digest = hashlib.sha256(access_token.encode()).digest()
            claims["ath"] = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
        return jwt.encode(
            claims, self.private, algorithm="ES256", headers={"typ": typ, "jwk": jwk or self.jwk}
        )


@pytest.fixture
def phone_key() -> PhoneKey:
    return PhoneKey()


@pytest.fixture
def settings():
    """The live settings of the in-process server; a test changes them with ``monkeypatch``."""
    return get_settings()


@pytest.fixture
def officer(session, city):
    return make_user(session, Role.officer, "T101")


def login(client, username: str, password: str, *, proof: str | None = None):
    headers = {"DPoP": proof} if proof else {}
    return client.post(TOKEN_PATH, data={"username": username, "password": password}, headers=headers)


def bearer(tokens: dict) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens['access_token']}"}
