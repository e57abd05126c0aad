"""The compatibility gate: what breaks a shipped phone app fails, what only adds passes.

Each test mutates a copy of the committed snapshot (or a tiny contract) the way a careless
change to the app would, and reads the verdict.
"""

import copy
import subprocess
import sys
from pathlib import Path

import pytest

from mobile_contract import compat, snapshot

SNAPSHOT = snapshot.load_snapshot()
CHANGELOG = snapshot.CHANGELOG.read_text(encoding="utf-8")
ROOT = Path(__file__).resolve().parents[2]


def changed(mutate) -> dict:
    document = copy.deepcopy(SNAPSHOT)
    mutate(document)
    return document


def schemas(document: dict) -> dict:
    return document["components"]["schemas"]


def op(document: dict, method: str, path: str) -> dict:
    return document["paths"][path][method]


def breaks(mutate) -> list[str]:
    return [str(c) for c in compat.breaking_changes(SNAPSHOT, changed(mutate))]


def test_the_app_keeps_the_committed_contract():
    """The gate itself: the live phone part against the snapshot shipped apps were built on."""
    live = snapshot.phone_part(snapshot.app_document())
    result = compat.verdict(SNAPSHOT, live, CHANGELOG)
    assert result.ok, "\n".join([*map(str, result.breaking), *result.problems])


def test_the_snapshot_holds_only_phone_operations_and_what_they_use():
    operations = [o for ops in SNAPSHOT["paths"].values() for o in ops.values()]
    assert len(operations) >= 40 and all("phone" in o["tags"] for o in operations)
    ids = {o["operationId"] for o in operations}
    assert {"login", "startShift", "uploadTrack", "logEncounter", "readInbox", "serverTime"} <= ids
    assert not ids & {"createHotspot", "startSweep", "assignLead", "readAuditLog", "acceptHandover"}
    assert SNAPSHOT["info"]["version"] == SNAPSHOT["x-contract-version"]
    assert "Problem" in schemas(SNAPSHOT) and "HotspotCreate" not in schemas(SNAPSHOT)


def test_an_unchanged_contract_has_no_breaking_change():
    assert compat.breaking_changes(SNAPSHOT, copy.deepcopy(SNAPSHOT)) == []


@pytest.mark.parametrize(
    ("mutation", "expected"),
    [
        (lambda d: d["paths"].pop("/api/v1/revisits"), "GET /api/v1/revisits: the operation was removed"),
        (
            lambda d: schemas(d)["ShiftPublic"]["properties"].pop("on_duty"),
            "<ShiftPublic>.on_duty: the field was removed",
        ),
        (lambda d: schemas(d)["ShiftStart"]["required"].append("route_id"), ".route_id: now required"),
        (
            lambda d: (
                schemas(d)["CheckIn"]["properties"].update(device={"type": "string"}),
                schemas(d)["CheckIn"]["required"].append("device"),
            ),
            ".device: a new required field",
        ),
        (lambda d: schemas(d)["Datum"]["enum"].remove("bd09"), "no longer accepts ['bd09']"),
        (lambda d: schemas(d)["Priority"]["enum"].append("urgent"), "may now answer ['urgent']"),
        (
            lambda d: schemas(d)["TrackUpload"]["properties"]["points"].update(maxItems=1000),
            "maxItems 5000 -> 1000",
        ),
        (
            lambda d: schemas(d)["ShiftPublic"]["properties"]["jurisdiction"].update(
                anyOf=[{"type": "string"}, {"type": "null"}], type=None
            ),
            "may now answer null",
        ),
        (lambda d: schemas(d)["InboxPage"]["required"].remove("items"), ".items: no longer always present"),
        (
            lambda d: op(d, "post", "/api/v1/patrols/{shift_id}/track")["responses"].pop("409"),
            "409: the status",
        ),
        (
            lambda d: op(d, "post", "/api/v1/patrols")["responses"]["201"].update(description="Queued"),
            "its meaning changed",
        ),
        (
            lambda d: op(d, "get", "/api/v1/inbox")["parameters"].pop(0),
            "query after: the parameter was removed",
        ),
        (
            lambda d: op(d, "get", "/api/v1/inbox")["parameters"].append(
                {"in": "query", "name": "device", "required": True, "schema": {"type": "string"}}
            ),
            "a required parameter was added",
        ),
        (
            lambda d: op(d, "get", "/api/v1/inbox")["parameters"][1]["schema"].update(default=20),
            "the default changed from 100 to 20",
        ),
        (lambda d: op(d, "get", "/api/v1/time").update(security=[{"OAuth2PasswordBearer": []}]), "now needs"),
        (
            lambda d: op(d, "get", "/api/v1/time").update(operationId="getTime"),
            "operationId serverTime became",
        ),
        (
            lambda d: schemas(d)["AgeBand"]["x-enum-varnames"].__setitem__(1, "TEENAGER"),
            "the generated name of '14_17' changed from age_14_17 to TEENAGER",
        ),
        (
            lambda d: op(d, "post", "/api/v1/auth/token")["requestBody"]["content"].update(
                {
                    "application/json": op(d, "post", "/api/v1/auth/token")["requestBody"]["content"].pop(
                        "application/x-www-form-urlencoded"
                    )
                }
            ),
            "application/x-www-form-urlencoded is no longer accepted",
        ),
        (
            lambda d: op(d, "post", "/api/v1/patrols")["responses"].update(
                {"202": op(d, "post", "/api/v1/patrols")["responses"]["201"]}
            ),
            "202: a new success status",
        ),
        (
            lambda d: op(d, "get", "/api/v1/time")["responses"]["200"]["headers"].clear(),
            "X-Server-Time header is no longer sent",
        ),
    ],
    ids=[
        "route removed",
        "response field removed",
        "request field now required",
        "new required request field",
        "request enum narrowed",
        "response enum widened",
        "request bound tightened",
        "response field nullable",
        "response field optional",
        "status removed",
        "status meaning changed",
        "parameter removed",
        "required parameter added",
        "request default changed",
        "login now required",
        "operation id renamed",
        "enum value's generated name changed",
        "request media type removed",
        "new success status",
        "response header dropped",
    ],
)
def test_breaking_changes_are_caught(mutation, expected):
    found = breaks(mutation)
    assert any(expected in change for change in found), found


@pytest.mark.parametrize(
    "mutation",
    [
        lambda d: schemas(d)["ShiftPublic"]["properties"].update(vehicle={"type": "string"}),
        lambda d: schemas(d)["CheckIn"]["properties"].update(device={"type": "string"}),
        lambda d: schemas(d)["Datum"]["enum"].append("cgcs2000"),
        lambda d: schemas(d)["Priority"]["enum"].remove("normal"),
        lambda d: schemas(d)["TrackUpload"]["properties"]["points"].update(maxItems=10000),
        lambda d: schemas(d)["CheckIn"]["properties"].update(
            hotspot_id={"anyOf": [{"type": "string", "format": "uuid"}, {"type": "null"}]}
        ),
        lambda d: d["paths"].update(
            {"/api/v1/weather": {"get": {"operationId": "weather", "responses": {}}}}
        ),
        lambda d: op(d, "post", "/api/v1/patrols")["responses"].update(
            {"429": op(d, "post", "/api/v1/patrols")["responses"]["409"]}
        ),
        lambda d: op(d, "get", "/api/v1/inbox")["parameters"].append(
            {"in": "query", "name": "kind", "required": False, "schema": {"type": "string"}}
        ),
    ],
    ids=[
        "response field added",
        "optional request field added",
        "request enum widened",
        "response enum narrowed",
        "request bound loosened",
        "request field nullable",
        "operation added",
        "error status added",
        "optional parameter added",
    ],
)
def test_additive_changes_pass(mutation):
    assert breaks(mutation) == []


def bumped(version: str, mutate=lambda d: schemas(d)["ShiftPublic"]["properties"].pop("on_duty")) -> dict:
    def change(document):
        mutate(document)
        document["x-contract-version"] = document["info"]["version"] = version

    return changed(change)


def test_a_breaking_change_needs_a_major_version_with_a_changelog_entry():
    assert not compat.verdict(SNAPSHOT, bumped("1.0.0"), CHANGELOG).ok
    assert not compat.verdict(SNAPSHOT, bumped("1.1.0"), CHANGELOG + "\n## 1.1.0\n\nDropped on_duty.\n").ok
    assert not compat.verdict(SNAPSHOT, bumped("2.0.0"), CHANGELOG).ok, "no entry for 2.0.0"
    assert not compat.verdict(SNAPSHOT, bumped("2.0.0"), CHANGELOG + "\n## 2.0.0\n").ok, "an empty entry"
    accepted = compat.verdict(SNAPSHOT, bumped("2.0.0"), CHANGELOG + "\n## 2.0.0\n\n`on_duty` is gone.\n")
    assert accepted.ok and accepted.breaking


def test_the_version_never_goes_back_and_every_bump_is_explained():
    assert not compat.verdict(SNAPSHOT, bumped("0.9.0", mutate=lambda d: None), CHANGELOG).ok
    additive = bumped("1.1.0", mutate=lambda d: None)
    assert not compat.verdict(SNAPSHOT, additive, CHANGELOG).ok
    assert compat.verdict(SNAPSHOT, additive, CHANGELOG + "\n## 1.1.0 (2026-12-01)\n\nNew fields.\n").ok


def test_the_command_refuses_a_breaking_snapshot_and_refreshes_a_compatible_one(tmp_path):
    def run(command: str, document: dict):
        path = tmp_path / "openapi.json"
        path.write_text(snapshot.dumps(document), encoding="utf-8")
        done = subprocess.run(
            [sys.executable, "-m", "mobile_contract", command, "--snapshot-file", str(path)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        return done, path.read_text(encoding="utf-8")

    # The app lacks a field an old snapshot promised: shipped apps would break.
    promised_more = changed(
        lambda d: schemas(d)["ShiftPublic"]["properties"].update(vehicle={"type": "string"})
    )
    done, kept = run("refresh", promised_more)
    assert done.returncode == 1 and "ShiftPublic" in done.stdout and "vehicle" in done.stdout
    assert kept == snapshot.dumps(promised_more), "a refused refresh leaves the snapshot alone"
    # The app has an operation the old snapshot lacked: compatible, and refresh takes it in.
    fewer = changed(lambda d: d["paths"].pop("/api/v1/revisits"))
    done, _ = run("check", fewer)
    assert done.returncode == 0 and "lags the app" in done.stdout
    done, refreshed = run("refresh", fewer)
    assert done.returncode == 0 and refreshed == snapshot.SNAPSHOT.read_text(encoding="utf-8")
