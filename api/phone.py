"""What a shipped phone app relies on.

Officers run one version of the phone app for months, so the operations it calls form a
contract. Each of them carries the OpenAPI tag ``PHONE`` (``tags=[PHONE]`` on the route); the
contract's version is ``CONTRACT_VERSION``. ``mobile_contract/`` keeps a snapshot of the tagged
operations and refuses a change that would break a shipped app unless the major version goes
up and its changelog says why.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

PHONE = "phone"
CONTRACT_VERSION = "1.0.0"

PHONE_TAG = {
    "name": PHONE,
    "description": "Called by the officers' phone app. Kept compatible with every shipped app: "
    "see mobile_contract/ (snapshot, sync protocol, examples).",
}


def name_enum_values(openapi: dict[str, Any]) -> dict[str, Any]:
    """Give enum values that are not identifiers (``14_17``, ``12345``) the names of their Python
    members as ``x-enum-varnames``, so generated clients name them ``AGE_14_17`` rather than by
    position (``VALUE_1``), which would shift whenever a value is added."""
    members = {}
    pending = list(StrEnum.__subclasses__())
    while pending:
        enum = pending.pop()
        members.setdefault(enum.__name__, []).append(enum)
        pending.extend(enum.__subclasses__())
    for name, schema in openapi.get("components", {}).get("schemas", {}).items():
        values = schema.get("enum")
        if not values or all(str(value).isidentifier() for value in values):
            continue
        for enum in members.get(name, []):
            if [member.value for member in enum] == values:
                schema["x-enum-varnames"] = [enum(value).name for value in values]
    return openapi
