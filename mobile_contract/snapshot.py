"""The phone's part of the app's OpenAPI document, and the committed snapshot of it.

The part holds every operation tagged ``phone`` (api/phone.py) with the components they
reach through ``$ref``; its version is the app's ``x-contract-version``.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

from api.phone import PHONE

HERE = Path(__file__).resolve().parent
SNAPSHOT = HERE / "openapi.json"
CHANGELOG = HERE / "CHANGELOG.md"

_REF = re.compile(r"^#/components/(\w+)/(.+)$")
_DESCRIPTION = (
    "The part of the street patrol and relief API that the officers' phone app calls. Shipped "
    "apps rely on it for months: mobile_contract/README.md says what may change, SYNC.md how "
    "the phone syncs."
)


def app_document() -> dict[str, Any]:
    """The app's whole OpenAPI document, as served at /openapi.json."""
    from api.main import app

    return copy.deepcopy(app.openapi())


def phone_part(document: dict[str, Any]) -> dict[str, Any]:
    """The operations tagged ``phone`` and everything they refer to, as a document of its own."""
    paths = {}
    for path, operations in document["paths"].items():
        phone = {method: op for method, op in operations.items() if PHONE in op.get("tags", [])}
        if phone:
            paths[path] = phone
    version = document["info"]["x-contract-version"]
    return {
        "openapi": document["openapi"],
        "info": {
            "title": f"{document['info']['title']}: phone contract",
            "version": version,
            "description": _DESCRIPTION,
            "x-api-version": document["info"]["version"],
        },
        "x-contract-version": version,
        "tags": [tag for tag in document.get("tags", []) if tag["name"] == PHONE],
        "paths": paths,
        "components": _components_used(document, paths),
    }


def _components_used(document: dict[str, Any], paths: dict[str, Any]) -> dict[str, Any]:
    components = document.get("components", {})
    used: dict[str, dict[str, Any]] = {}
    pending = list(_refs(paths))
    while pending:
        section, name = pending.pop()
        if name in used.setdefault(section, {}):
            continue
        used[section][name] = components[section][name]
        pending.extend(_refs(components[section][name]))
    schemes = {
        name
        for ops in paths.values()
        for op in ops.values()
        for req in op.get("security", [])
        for name in req
    }
    if schemes:
        used["securitySchemes"] = {name: components["securitySchemes"][name] for name in schemes}
    return {section: dict(sorted(entries.items())) for section, entries in sorted(used.items())}


def _refs(node: Any):
    """(section, name) of every ``$ref`` to a component inside ``node``."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and (found := _REF.match(ref)):
            yield found.group(1), found.group(2)
        for value in node.values():
            yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def dumps(document: dict[str, Any]) -> str:
    """The snapshot's text: stable key order, readable Chinese, a final newline."""
    return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def load_snapshot(path: Path = SNAPSHOT) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))
