"""What a shipped phone app relies on.

Officers run one version of the phone app for months, so the operations it calls form a
contract. Each of them carries the OpenAPI tag ``PHONE`` (``tags=[PHONE]`` on the route); the
contract's version is ``CONTRACT_VERSION``. ``mobile_contract/`` keeps a snapshot of the tagged
operations and refuses a change that would break a shipped app unless the major version goes
up and its changelog says why.
"""

from __future__ import annotations

PHONE = "phone"
CONTRACT_VERSION = "1.0.0"

PHONE_TAG = {
    "name": PHONE,
    "description": "Called by the officers' phone app. Kept compatible with every shipped app: "
    "see mobile_contract/ (snapshot, sync protocol, examples).",
}
