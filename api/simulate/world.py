"""What every phone of a fleet shares: the timeline, the fault plan, the tallies and the ledger."""

from __future__ import annotations

import itertools
import random
from collections import Counter
from dataclasses import dataclass, field

from api.simulate.client import ApiClient, Credentials, Traffic
from api.simulate.clock import PhoneClock, Timeline
from api.simulate.faults import FaultCounts, FaultPlan
from api.simulate.ledger import HANDOVER_ORDER, Ledger
from api.simulate.scenario import LEAD_OUTCOMES, OUTCOMES


def at_or_past(state: str, wanted: str) -> bool:
    """Whether a handover in ``state`` has already made the step to ``wanted``."""
    if state not in HANDOVER_ORDER or wanted not in HANDOVER_ORDER:
        return state == wanted
    return HANDOVER_ORDER.index(state) >= HANDOVER_ORDER.index(wanted)


@dataclass
class Tally:
    points_sent: int = 0
    points_acknowledged: int = 0
    points_stored: int = 0
    points_duplicates: int = 0
    track_uploads: int = 0
    offline_spells: int = 0
    checkins: int = 0
    rule_rejections: int = 0
    inbox_read: int = 0
    inbox_acknowledged: int = 0
    leads: Counter = field(default_factory=Counter)
    handovers: Counter = field(default_factory=Counter)
    sweep_tasks_done: int = 0
    revisits_done: int = 0


@dataclass
class World:
    base_url: str
    timeline: Timeline
    plan: FaultPlan
    seed: int
    refresh_after_s: float | None = None
    traffic: Traffic = field(default_factory=Traffic)
    faults: FaultCounts = field(default_factory=FaultCounts)
    ledger: Ledger = field(default_factory=Ledger)
    tally: Tally = field(default_factory=Tally)
    errors: list[str] = field(default_factory=list)
    receivers: dict = field(default_factory=dict)  # organisation id -> the staff phone there
    _phones: itertools.count = field(default_factory=itertools.count)
    _outcomes: itertools.cycle = field(default_factory=lambda: itertools.cycle(OUTCOMES))
    _lead_outcomes: itertools.cycle = field(default_factory=lambda: itertools.cycle(LEAD_OUTCOMES))

    def next_outcome(self) -> str:
        """Outcomes go round the fleet, so a short run still meets every kind."""
        return next(self._outcomes)

    def next_lead_outcome(self) -> str:
        return next(self._lead_outcomes)

    def phone(self, credentials: Credentials) -> tuple[ApiClient, random.Random]:
        """A client with its own clock (skewed by minutes under the ``skew`` fault) and random source."""
        number = next(self._phones)
        rng = random.Random(f"{self.seed}:{number}:{credentials.username}")
        skew = 0.0
        if self.plan.on("skew") and rng.random() < 0.5:
            skew = rng.choice([-1, 1]) * rng.uniform(180.0, 900.0)
            self.faults.skewed_phones += 1
        client = ApiClient(
            base_url=self.base_url,
            credentials=credentials,
            clock=PhoneClock(self.timeline, skew),
            traffic=self.traffic,
            plan=self.plan,
            rng=random.Random(f"{self.seed}:{number}:network"),
            fault_counts=self.faults,
            refresh_after_s=self.refresh_after_s,
        )
        return client, rng

    def fail(self, who: str, problem: BaseException | str) -> None:
        self.errors.append(f"{who}: {problem}")
