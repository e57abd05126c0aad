"""The contract's examples as HTTP exchanges: loaded from mobile_contract/examples, checked
with openapi-core against the committed snapshot, and sent to a live server.

An example is one request and its answer in the story of one night shift (see
mobile_contract/README.md). The live runner shifts the story's times to the present and
swaps the story's ids for those of the world it runs in.
"""

from __future__ import annotations

import json
import re
import urllib.parse
from datetime import UTC, datetime
from typing import Any

import httpx
from openapi_core import Config, OpenAPI
from openapi_core.testing import MockRequest, MockResponse

from mobile_contract import snapshot

EXAMPLES = snapshot.HERE / "examples"
SPEC = OpenAPI.from_dict(
    snapshot.load_snapshot(),
    config=Config(extra_media_type_deserializers={"application/problem+json": json.loads}),
)
STORY_NOW = datetime.fromisoformat("2026-11-30T00:00:00+08:00")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
_LEARNED_KEYS = {"id", "access_token", "refresh_token", "next"}


def load_examples() -> dict[str, dict[str, Any]]:
    return {
        path.stem: json.loads(path.read_text(encoding="utf-8")) for path in sorted(EXAMPLES.glob("*.json"))
    }


def encode_body(request: dict[str, Any]) -> tuple[bytes, str]:
    media = request.get("media_type", "application/json")
    if "body" not in request:
        return b"", media
    if media == "application/x-www-form-urlencoded":
        return urllib.parse.urlencode(request["body"]).encode(), media
    return json.dumps(request["body"], ensure_ascii=False).encode(), media


def url_path(example: dict[str, Any], path_params: dict[str, Any]) -> str:
    return example["path"].format(**{k: urllib.parse.quote(str(v)) for k, v in path_params.items()})


def validate(
    example: dict[str, Any],
    request: dict[str, Any],
    status: int,
    headers: dict[str, str],
    body: bytes,
    content_type: str,
    token: str | None,
) -> None:
    """Raise if the request or the answer does not fit the contract."""
    data, media = encode_body(request)
    mock = MockRequest(
        "http://phone.test",
        example["method"],
        url_path(example, request.get("path", {})),
        args=request.get("query"),
        headers={"Authorization": f"Bearer {token}"} if token else None,
        data=data,
        content_type=media,
    )
    SPEC.validate_request(mock)
    SPEC.validate_response(
        mock, MockResponse(body, status_code=status, headers=headers, content_type=content_type)
    )


def validate_example(example: dict[str, Any]) -> None:
    response = example["response"]
    has_body = "body" in response
    validate(
        example,
        example["request"],
        response["status"],
        response.get("headers", {}),
        json.dumps(response["body"], ensure_ascii=False).encode() if has_body else b"",
        response.get("media_type", "application/json") if has_body else "",
        None if example.get("auth") is False else "example-token",
    )


class LiveRunner:
    """Sends examples to a server in story order, the way a phone would."""

    def __init__(self, client: httpx.Client, ids: dict[Any, Any]) -> None:
        self.client = client
        self.ids = dict(ids)  # story value -> value in this world
        self.token: str | None = None

    def send(self, example: dict[str, Any]) -> httpx.Response:
        shift = datetime.now(UTC) - STORY_NOW
        request = _swap(example["request"], self.ids, shift)
        data, media = encode_body(request)
        token = None if example.get("auth") is False else self.token
        headers = {"Content-Type": media} if data else {}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        answer = self.client.request(
            example["method"],
            url_path(example, request.get("path", {})),
            params=request.get("query"),
            content=data or None,
            headers=headers,
        )
        assert answer.status_code == example["response"]["status"], (example["summary"], answer.text)
        validate(
            example,
            request,
            answer.status_code,
            dict(answer.headers),
            answer.content,
            answer.headers.get("content-type", "") if answer.content else "",
            token,
        )
        if answer.content:
            body = answer.json()
            self._learn(example["response"].get("body"), body)
            if answer.status_code == 200 and isinstance(body, dict) and "access_token" in body:
                self.token = body["access_token"]
        return answer

    def _learn(self, told: Any, real: Any) -> None:
        """Pair the story's server-made ids (and tokens, cursors) with the real ones."""
        if isinstance(told, dict) and isinstance(real, dict):
            for key, value in told.items():
                if key in _LEARNED_KEYS and isinstance(value, str) and value not in self.ids and key in real:
                    self.ids[value] = real[key]
                self._learn(value, real.get(key))
        elif isinstance(told, list) and isinstance(real, list):
            for told_item, real_item in zip(told, real, strict=False):
                self._learn(told_item, real_item)


def _swap(node: Any, ids: dict[Any, Any], shift, key: str = "") -> Any:
    """The request with the world's ids and the story's times moved to the present."""
    if isinstance(node, dict):
        return {k: _swap(v, ids, shift, k) for k, v in node.items()}
    if isinstance(node, list):
        return [_swap(v, ids, shift, key) for v in node]
    if isinstance(node, str):
        if _DATETIME.match(node):
            return (datetime.fromisoformat(node) + shift).isoformat()
        return ids.get(node, node)
    if isinstance(node, int) and key.endswith("organisation_id"):
        return ids.get(node, node)
    return node
