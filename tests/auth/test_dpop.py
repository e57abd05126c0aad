"""DPoP (RFC 9449): a login signed with the phone's key binds its tokens to that key; without a
fresh proof from the same key they are refused."""

import time

import jwt
import pytest

from api.auth.models import Role
from tests.auth.conftest import TOKEN_PATH, PhoneKey, bearer, login
from tests.factories import make_user

ME = "/api/v1/auth/me"


def thumbprint(jwk: dict) -> str:
    """RFC 7638 thumbprint of an EC key, worked out the way the RFC's example does."""
    import base64
    import hashlib
    import json

    canonical = json.dumps(
        {k: jwk[k] for k in ("crv", "kty", "x", "y")}, separators=(",", ":"), sort_keys=True
    )
    return base64.urlsafe_b64encode(hashlib.sha256(canonical.encode()).digest()).rstrip(b"=").decode()


@pytest.fixture
def bound(client, server, officer, phone_key):
    """An officer's login made with a proof from the phone's key."""
    response = login(
        client, officer.user.username, officer.password, proof=phone_key.proof("POST", server + TOKEN_PATH)
    )
    assert response.status_code == 200, response.text
    return response.json()


def call(client, server, tokens, key: PhoneKey | None, *, path=ME, method="GET", scheme="DPoP", **proof_args):
    token = tokens["access_token"]
    headers = {"Authorization": f"{scheme} {token}"}
    if key is not None:
        proof_args.setdefault("access_token", token)
        headers["DPoP"] = key.proof(
            proof_args.pop("htm", method), proof_args.pop("htu", server + path.split("?")[0]), **proof_args
        )
    return client.request(method, path, headers=headers)


def test_a_login_with_a_proof_is_bound_to_the_key(client, server, bound, phone_key):
    assert bound["token_type"] == "DPoP"
    claims = jwt.decode(bound["access_token"], options={"verify_signature": False})
    assert claims["cnf"] == {"jkt": thumbprint(phone_key.jwk)}
    answer = call(client, server, bound, phone_key)
    assert answer.status_code == 200, answer.text
    assert call(client, server, bound, phone_key, path="/api/v1/hotspots?limit=5").status_code == 200


def refused(response, *words):
    assert response.status_code == 401, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"].startswith("DPoP")
    detail = response.json()["detail"]
    assert all(word in detail for word in words), detail


def test_a_proof_from_another_key_is_refused(client, server, bound):
    refused(call(client, server, bound, PhoneKey()), "another key")


def test_the_bound_token_without_a_proof_is_refused(client, server, bound):
    refused(call(client, server, bound, None), "DPoP proof")
    refused(call(client, server, bound, None, scheme="Bearer"), "bound to a key")


def test_a_replayed_proof_is_refused(client, server, bound, phone_key):
    proof = phone_key.proof("GET", server + ME, access_token=bound["access_token"])
    headers = {"Authorization": f"DPoP {bound['access_token']}", "DPoP": proof}
    assert client.get(ME, headers=headers).status_code == 200
    refused(client.get(ME, headers=headers), "already used")


@pytest.mark.parametrize(
    ("proof_args", "words"),
    [
        ({"htu": "http://elsewhere.example/api/v1/auth/me"}, ("htu",)),
        ({"htu_path": "/api/v1/hotspots"}, ("htu",)),
        ({"htm": "POST"}, ("POST",)),
        ({"iat": time.time() - 600}, ("iat",)),
        ({"iat": time.time() + 600}, ("iat",)),
        ({"access_token": "some-other-token"}, ("ath",)),
        ({"typ": "JWT"}, ("typ",)),
    ],
    ids=["other-host", "other-path", "other-method", "stale", "future", "other-token", "typ"],
)
def test_a_proof_that_does_not_fit_the_request_is_refused(
    client, server, bound, phone_key, proof_args, words
):
    if "htu_path" in proof_args:
        proof_args = {"htu": server + proof_args.pop("htu_path")}
    refused(call(client, server, bound, phone_key, **proof_args), *words)


def test_a_proof_carrying_the_private_key_is_refused(client, server, bound, phone_key):
    private = jwt.algorithms.ECAlgorithm.to_jwk(phone_key.private, as_dict=True)
    refused(call(client, server, bound, phone_key, jwk=private), "private key")


def test_the_refresh_of_a_bound_login_needs_the_key(client, server, bound, phone_key):
    body = {"refresh_token": bound["refresh_token"]}
    refused(client.post("/api/v1/auth/refresh", json=body), "bound to a key")
    other = PhoneKey().proof("POST", server + "/api/v1/auth/refresh")
    refused(client.post("/api/v1/auth/refresh", json=body, headers={"DPoP": other}), "bound to a key")
    proof = phone_key.proof("POST", server + "/api/v1/auth/refresh")
    renewed = client.post("/api/v1/auth/refresh", json=body, headers={"DPoP": proof})
    assert renewed.status_code == 200, renewed.text
    assert renewed.json()["token_type"] == "DPoP"
    assert call(client, server, renewed.json(), phone_key).status_code == 200


def test_a_bad_proof_at_login_is_refused_before_the_password_counts(client, server, officer, phone_key):
    stale = phone_key.proof("POST", server + TOKEN_PATH, iat=time.time() - 3600)
    refused(login(client, officer.user.username, officer.password, proof=stale), "iat")
    wrong_url = phone_key.proof("POST", server + "/api/v1/auth/refresh")
    refused(login(client, officer.user.username, officer.password, proof=wrong_url), "htu")


def test_with_dpop_required_officers_need_a_bound_login(
    client, server, session, officer, phone_key, monkeypatch, settings
):
    monkeypatch.setattr(settings, "officer_dpop_required", True)
    plain = login(client, officer.user.username, officer.password)
    assert plain.status_code == 401
    assert plain.json()["type"] == "/problems/dpop-required"
    assert "DPoP" in plain.json()["detail"] and plain.headers["www-authenticate"].startswith("DPoP")
    assert client.get(ME, headers=officer.headers).status_code == 401  # an older plain login
    tokens = login(
        client, officer.user.username, officer.password, proof=phone_key.proof("POST", server + TOKEN_PATH)
    ).json()
    assert call(client, server, tokens, phone_key).status_code == 200
    dispatcher = make_user(session, Role.dispatcher, "T100")
    console = login(client, dispatcher.user.username, dispatcher.password)
    assert console.status_code == 200 and console.json()["token_type"] == "bearer"
    assert client.get(ME, headers=bearer(console.json())).status_code == 200


def test_plain_logins_stay_bearer_by_default(client, officer):
    tokens = login(client, officer.user.username, officer.password).json()
    assert tokens["token_type"] == "bearer"
    assert "cnf" not in jwt.decode(tokens["access_token"], options={"verify_signature": False})
    assert client.get(ME, headers=bearer(tokens)).status_code == 200
    assert client.get(ME, headers={"Authorization": f"DPoP {tokens['access_token']}"}).status_code == 401
