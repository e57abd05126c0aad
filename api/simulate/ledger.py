"""What the phones meant to store, so that a test (or a person) can compare it with the server.

Every record made on a phone carries the id the phone made, so the ledger can say exactly which
rows must exist: each point, check-in, encounter and person once, nothing extra. Handovers made
by the server for escorts are entered under the id the officer's phone looked up.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

HANDOVER_ORDER = ("held", "requested", "accepted", "in_transit", "arrived", "handed_over", "closed")


@dataclass
class Ledger:
    shifts: dict[str, dict] = field(default_factory=dict)
    points: dict[str, str] = field(default_factory=dict)  # point id -> shift id
    checkins: dict[str, str] = field(default_factory=dict)  # check-in id -> hotspot id
    encounters: dict[str, dict] = field(default_factory=dict)
    people: list[str] = field(default_factory=list)
    handovers: dict[str, dict] = field(default_factory=dict)
    leads: dict[str, dict] = field(default_factory=dict)
    sweeps: list[str] = field(default_factory=list)
    sweep_tasks_done: list[str] = field(default_factory=list)
    revisits_done: dict[str, str] = field(default_factory=dict)  # revisit id -> encounter id
    acknowledged: list[str] = field(default_factory=list)  # inbox items
    users: list[str] = field(default_factory=list)  # usernames of every phone of the fleet

    def shift(self, shift_id: str, team_id: str, username: str) -> None:
        self.shifts.setdefault(shift_id, {"team_id": team_id, "started_by": username, "ended": False})

    def handover(self, handover_id: str, *, kind: str, encounter_id: str | None, state: str) -> None:
        self.handovers.setdefault(handover_id, {"kind": kind, "encounter_id": encounter_id, "state": state})

    def advance_handover(self, handover_id: str, state: str) -> None:
        """Handover states only move forward (phones of both sides report their steps)."""
        entry = self.handovers.get(handover_id)
        if entry is not None and HANDOVER_ORDER.index(state) > HANDOVER_ORDER.index(entry["state"]):
            entry["state"] = state

    def lead(self, lead_id: str, **facts) -> None:
        self.leads.setdefault(lead_id, {}).update(facts)

    def outcomes(self) -> Counter:
        return Counter(entry["outcome"] for entry in self.encounters.values())

    def write(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self), ensure_ascii=False, indent=1), encoding="utf-8")

    @classmethod
    def read(cls, path: Path) -> Ledger:
        return cls(**json.loads(path.read_text(encoding="utf-8")))
