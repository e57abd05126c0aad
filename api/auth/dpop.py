"""DPoP (RFC 9449): proof that the caller holds the private key its tokens are bound to.

A phone keeps an ES256 key pair. With the login and with every request it sends a ``DPoP``
header: a JWT signed with that key, carrying the public key (``jwk``), the request's method
(``htm``) and URL without query (``htu``), the time (``iat``), a unique id (``jti``) and, with
an access token, the token's SHA-256 (``ath``). A login with a proof binds the session to the
key's thumbprint (RFC 7638); every later request of that session needs a fresh proof from the
same key, so a token copied off the phone is useless elsewhere.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

import jwt
from fastapi import Request
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import Session

from api.auth.models import DpopReplay
from api.errors import ProblemError
from api.settings import get_settings

HEADER = "DPoP"
ALGORITHMS = ("ES256",)
PROOF_TYP = "dpop+jwt"
MAX_JTI_LENGTH = 128
CHALLENGE = f'DPoP algs="{" ".join(ALGORITHMS)}"'
_DEFAULT_PORTS = {"http": 80, "https": 443}


class ProofError(Exception):
    """The proof is missing, malformed, or does not fit the request."""


@dataclass(frozen=True)
class Proof:
    jkt: str  # the RFC 7638 thumbprint of the key that signed it
    jti: str
    iat: int


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def thumbprint(jwk: Mapping[str, object]) -> str:
    """RFC 7638 thumbprint of an EC public key: SHA-256 of its required members, base64url."""
    members = {name: jwk[name] for name in ("crv", "kty", "x", "y")}
    canonical = json.dumps(members, separators=(",", ":"), sort_keys=True)
    return _b64url(hashlib.sha256(canonical.encode("utf-8")).digest())


def access_token_hash(access_token: str) -> str:
    """The ``ath`` a proof sent with this access token must carry."""
    return _b64url(hashlib.sha256(access_token.encode("ascii")).digest())


def normalise_url(url: str) -> str:
    """Scheme, host and path as RFC 9449 compares them: case-folded scheme and host, default
    port dropped, no query or fragment."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError as exc:
        raise ProofError("the DPoP proof's htu is not a URL") from exc
    if port is not None and port != _DEFAULT_PORTS.get(scheme):
        host = f"{host}:{port}"
    return f"{scheme}://{host}{parts.path or '/'}"


def _public_key(header: Mapping[str, object]) -> tuple[str, dict]:
    if header.get("typ") != PROOF_TYP:
        raise ProofError(f'the DPoP proof must have typ "{PROOF_TYP}"')
    algorithm = header.get("alg")
    if algorithm not in ALGORITHMS:
        raise ProofError(f"the DPoP proof must be signed with {', '.join(ALGORITHMS)}")
    jwk = header.get("jwk")
    if not isinstance(jwk, dict) or jwk.get("kty") != "EC" or jwk.get("crv") != "P-256":
        raise ProofError("the DPoP proof's jwk must be a P-256 public key")
    if "d" in jwk:
        raise ProofError("the DPoP proof's jwk must not carry the private key")
    return str(algorithm), jwk


def _signed_claims(proof: str) -> tuple[dict, dict]:
    """(claims, jwk) of a proof whose signature verifies with the key in its own header."""
    try:
        algorithm, jwk = _public_key(jwt.get_unverified_header(proof))
    except jwt.PyJWTError as exc:
        raise ProofError("the DPoP proof is not a JWT") from exc
    try:
        key = jwt.PyJWK(jwk, algorithm=algorithm).key
        claims = jwt.decode(
            proof,
            key=key,
            algorithms=[algorithm],
            options={"require": ["jti", "htm", "htu", "iat"], "verify_iat": False},
        )
    except jwt.MissingRequiredClaimError as exc:
        raise ProofError(f"the DPoP proof lacks the {exc.claim} claim") from exc
    except (jwt.PyJWTError, ValueError, TypeError) as exc:
        raise ProofError("the DPoP proof's signature does not verify with its jwk") from exc
    return claims, jwk


def verify(proof: str, *, method: str, url: str, now: datetime, access_token: str | None = None) -> Proof:
    """Check a proof against the request it came with; ProofError says what is wrong."""
    claims, jwk = _signed_claims(proof)
    window = get_settings().dpop_iat_window_s
    iat = claims["iat"]
    if isinstance(iat, bool) or not isinstance(iat, int | float):
        raise ProofError("the DPoP proof's iat must be a number of seconds")
    if abs(now.timestamp() - iat) > window:
        raise ProofError(
            f"the DPoP proof's iat is more than {window} s from the server's time; "
            "make a new proof for every request (and check the device clock)"
        )
    if claims["htm"] != method:
        raise ProofError(f"the DPoP proof is for {claims['htm']!s:.10}, not {method}")
    if not isinstance(claims["htu"], str) or normalise_url(claims["htu"]) != normalise_url(url):
        raise ProofError(f"the DPoP proof's htu must be {normalise_url(url)}")
    jti = claims["jti"]
    if not isinstance(jti, str) or not 0 < len(jti) <= MAX_JTI_LENGTH:
        raise ProofError(f"the DPoP proof's jti must be a string of 1 to {MAX_JTI_LENGTH} characters")
    if access_token is not None and not hmac.compare_digest(
        str(claims.get("ath", "")), access_token_hash(access_token)
    ):
        raise ProofError("the DPoP proof's ath does not match the access token")
    return Proof(jkt=thumbprint(jwk), jti=jti, iat=int(iat))


def remember(session: Session, proof: Proof, now: datetime) -> None:
    """Record the proof as used; ProofError when it was used before. Not committed.

    It is kept until its iat is too old for it to be accepted anyway; a later row for the same
    key and jti only replaces one that has expired."""
    expires = datetime.fromtimestamp(proof.iat + get_settings().dpop_iat_window_s + 1, UTC)
    statement = insert(DpopReplay).values(jkt=proof.jkt, jti=proof.jti, expires_at=expires)
    stored = session.scalar(
        statement.on_conflict_do_update(
            index_elements=["jkt", "jti"],
            set_={"expires_at": statement.excluded.expires_at},
            where=DpopReplay.expires_at < now,
        ).returning(DpopReplay.jti)
    )
    if stored is None:
        raise ProofError("this DPoP proof was already used; make a new one for every request")


def purge(session: Session, now: datetime) -> int:
    """Forget proofs too old to be replayed. Not committed."""
    result = session.execute(DpopReplay.__table__.delete().where(DpopReplay.expires_at < now))
    return result.rowcount


def request_url(request: Request) -> str:
    """The URL a proof for this request must name: the configured public origin (behind a
    proxy) or the request's own scheme and host, with the path."""
    public = get_settings().public_url
    if public:
        return public.rstrip("/") + request.url.path
    return f"{request.url.scheme}://{request.url.netloc}{request.url.path}"


def refused(detail: str) -> ProblemError:
    return ProblemError(
        401,
        detail,
        kind="invalid-dpop-proof",
        headers={"WWW-Authenticate": f'{CHALLENGE}, error="invalid_dpop_proof"'},
    )


def proof_header(request: Request) -> str | None:
    """The request's single DPoP header, None without one; two are refused."""
    values = request.headers.getlist(HEADER)
    if len(values) > 1:
        raise refused("send one DPoP header, not several")
    return values[0] if values else None


def check(request: Request, session: Session, proof: str, *, access_token: str | None = None) -> Proof:
    """Verify the proof sent with this request and record it against replay (not committed);
    a 401 problem when it fails."""
    now = datetime.now(UTC)
    try:
        verified = verify(
            proof, method=request.method, url=request_url(request), now=now, access_token=access_token
        )
        remember(session, verified, now)
    except ProofError as exc:
        raise refused(str(exc)) from exc
    return verified
