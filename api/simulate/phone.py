"""A patrol officer's phone: it knows the API only through HTTP.

Each fix is recorded every few simulated seconds and kept until the phone has coverage; under a
bridge or in a culvert (within ``DEAD_ZONE_M`` of a ``bridge_culvert`` hotspot) nothing is sent at
all, and what piled up goes out in batches once the team is back in the open. Records made
offline (check-ins, encounters, lead steps) wait in an outbox and go out in order.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from api.simulate import handovers
from api.simulate.client import ApiError, Credentials
from api.simulate.inbox import Inbox
from api.simulate.scenario import (
    DRIVE_MPS,
    WALK_MPS,
    Contacts,
    encounter,
    gps_fix,
    heading,
    hurried_draft,
    in_datum,
    lead_encounter_outcome,
    offset,
    representative_point,
    step_towards,
)
from api.simulate.world import World
from geo.datum import Datum
from geo.distance import metres_between

FIX_S = 5.0
UPLOAD_EVERY_S = 30.0
INBOX_EVERY_S = 20.0
HANDOVER_EVERY_S = 10.0
DEAD_ZONE_M = 100.0
BACKLOG_BATCH = 10
ACCEPT_LEADS_UNTIL = 0.9  # share of the shift after which offers are passed on to the next team
ESCORT_PATIENCE_S = 600.0


@dataclass
class Target:
    """Somewhere the team goes, and what it does there."""

    kind: str  # stop | lead | task | revisit
    lon: float
    lat: float
    dwell_s: float
    hotspot_id: str | None = None
    lead_id: str | None = None
    task_id: str | None = None
    revisit: dict | None = None
    meetings: int = 0


@dataclass
class Escort:
    encounter_id: str
    kind: str
    to_organisation_id: int
    handover_id: str | None = None
    arrive_at_s: float | None = None
    give_up_s: float = 0.0


@dataclass
class Crew:
    """The officers of one team in the fleet: they share the shift the first one starts."""

    team_id: str
    members: list[str]
    shift: asyncio.Future | None = None
    done: dict[str, asyncio.Event] = field(default_factory=dict)

    def new_round(self) -> None:
        self.shift = asyncio.get_running_loop().create_future()
        self.done = {name: asyncio.Event() for name in self.members}


class Officer:
    def __init__(self, world: World, credentials: Credentials, crew: Crew, contacts: Contacts) -> None:
        self.world = world
        self.name = credentials.username
        self.client, self.rng = world.phone(credentials)
        self.crew = crew
        self.leader = crew.members[0] == self.name
        self.contacts = contacts
        self.datum = Datum.gcj02 if self.rng.random() < 0.35 else Datum.wgs84
        self.inbox = Inbox(world, self.client)
        self.hotspots: dict[str, dict] = {}
        self.dead_zones: list[tuple[float, float]] = []
        self.stops: list[Target] = []
        self.police_station: int | None = None
        self.route_id: str | None = None
        self.battery = self.rng.uniform(60, 100)

    # Once per run --------------------------------------------------------------------------

    async def prepare(self) -> None:
        """Log in, register the phone for pushes, and load the team, its route and the map."""
        await self.client.login()
        me = await self.client.call("GET", "/auth/me")
        self.user_id = me["id"]
        await self.client.call(
            "POST",
            "/devices",
            json={"token": f"sim-{self.user_id}", "platform": "android", "app_version": "1.0.0-sim"},
        )
        teams = await self.client.call("GET", "/teams")
        team = next(t for t in teams if t["id"] == self.crew.team_id)
        features = await self.client.call(
            "GET", "/hotspots", params={"jurisdiction": team["jurisdiction"], "limit": 1000}
        )
        self.hotspots = {f["id"]: f for f in features["features"]}
        self.dead_zones = [
            representative_point(f["geometry"])
            for f in self.hotspots.values()
            if f["properties"]["kind"] == "bridge_culvert"
        ]
        await self._choose_route(team, teams)
        police = await self.client.call("GET", "/organisations", params={"kind": "police_station"})
        self.police_station = police["features"][0]["id"] if police["features"] else None
        await self.inbox.skip_history()

    async def _choose_route(self, team: dict, teams: list[dict]) -> None:
        """The team's route: the district's routes and teams, each in name order, paired up."""
        routes = await self.client.call("GET", "/routes")
        local = sorted(
            (r for r in routes if r["properties"]["jurisdiction"] == team["jurisdiction"]),
            key=lambda r: r["properties"]["name"],
        )
        siblings = sorted(t["call_sign"] for t in teams if t["jurisdiction"] == team["jurisdiction"])
        route = local[siblings.index(team["call_sign"]) % len(local)]
        self.route_id = route["id"]
        for stop in route["properties"]["stops"]:
            feature = self.hotspots.get(stop["hotspot_id"])
            if feature is None:
                continue
            lon, lat = representative_point(feature["geometry"])
            self.stops.append(Target("stop", lon, lat, 0.0, hotspot_id=stop["hotspot_id"]))

    # One shift ------------------------------------------------------------------------------

    async def shift(self) -> None:
        self.targets: deque[Target] = deque()
        self.outbox: deque[tuple[str, Callable[[], Awaitable[None]]]] = deque()
        self.pending_points: list[dict] = []
        self.escorts: list[Escort] = []
        self.my_encounters: dict[str, dict] = {}
        self.sweep_tasks: dict[str, str] = {}  # hotspot id -> task id
        self.leads_taken: set[str] = set()
        self.visited: set[str] = set()  # hotspots checked in at this shift
        self.next_stop = 0
        self.dwell_left = 0.0
        self.current: Target | None = None
        self.offline = False
        self.last_upload = self.last_inbox = self.last_handover = -1e9
        self.lon, self.lat = self.stops[0].lon, self.stops[0].lat
        self.shift_id = await self._join_shift()
        try:
            await self._patrol()
        finally:
            self.crew.done[self.name].set()
        if self.leader:
            await self._end_shift()

    async def _join_shift(self) -> str:
        if not self.leader:
            shift_id = await asyncio.wait_for(asyncio.shield(self.crew.shift), timeout=120)
            await self.client.call("GET", f"/patrols/{shift_id}")
            return shift_id
        body = {
            "id": str(uuid.uuid4()),
            "team_id": self.crew.team_id,
            "route_id": self.route_id,
            "started_at": self.client.clock.at(0).isoformat(),
        }
        try:
            shift = await self.client.call("POST", "/patrols", json=body)
        except ApiError as exc:
            if exc.kind != "on-duty":
                raise
            await self._end_stale_shift(body["id"])
            shift = await self.client.call("POST", "/patrols", json=body)
        self.world.ledger.shift(shift["id"], self.crew.team_id, self.name)
        self.crew.shift.set_result(shift["id"])
        return shift["id"]

    async def _end_stale_shift(self, shift_id: str) -> None:
        """A shift left open (a phone that died mid-shift) is closed before the next one starts;
        the open shift may also be this very start, committed by a duplicate of the request."""
        team = await self.client.call("GET", f"/teams/{self.crew.team_id}")
        if team["on_duty_shift"] and team["on_duty_shift"] != shift_id:
            await self.client.call("POST", f"/patrols/{team['on_duty_shift']}/end", json={})

    async def _end_shift(self) -> None:
        for event in self.crew.done.values():
            await asyncio.wait_for(event.wait(), timeout=600)
        ended = self.client.clock.at(self.world.timeline.elapsed())
        await self.client.call("POST", f"/patrols/{self.shift_id}/end", json={"ended_at": ended.isoformat()})
        self.world.ledger.shifts[self.shift_id]["ended"] = True

    async def _patrol(self) -> None:
        timeline = self.world.timeline
        t = 0.0
        while t < timeline.duration_s or (self._busy() and t < timeline.horizon_s):
            await timeline.sleep_until(t)
            self._move(t)
            self._record_fix(t)
            if self._in_coverage():
                await self._sync(t)
            t += FIX_S
        await self._sync(t, final=True)

    def _busy(self) -> bool:
        """Work taken on that is finished before the shift ends: leads, escorts and the outbox."""
        pending = [self.current, *self.targets]
        leads = any(target is not None and target.kind == "lead" for target in pending)
        return leads or bool(self.escorts) or bool(self.outbox)

    # Moving and recording -------------------------------------------------------------------

    def _move(self, t: float) -> None:
        if self.current is not None and self.dwell_left > 0:
            self._linger(t)
            return
        if self.current is None:
            self.current = self.targets.popleft() if self.targets else self._next_stop()
        to = self.current
        self.heading = heading(self.lon, self.lat, to.lon, to.lat)
        self.speed = DRIVE_MPS * self.rng.uniform(0.7, 1.2)
        self.lon, self.lat, arrived = step_towards(self.lon, self.lat, to.lon, to.lat, self.speed * FIX_S)
        if arrived:
            self._arrive(to, t)

    def _next_stop(self) -> Target:
        stop = self.stops[self.next_stop % len(self.stops)]
        self.next_stop += 1
        return Target(
            "stop",
            stop.lon,
            stop.lat,
            self.rng.uniform(70, 100),
            hotspot_id=stop.hotspot_id,
            meetings=self.rng.choice([1, 1, 2]),
        )

    def _linger(self, t: float) -> None:
        """Walk about the place, meeting the people there at even intervals of the stay."""
        target = self.current
        self.speed = WALK_MPS * self.rng.uniform(0, 1)
        self.heading = self.rng.uniform(0, 360)
        self.lon, self.lat = offset(target.lon, target.lat, self.rng.gauss(0, 12), self.rng.gauss(0, 12))
        before = self.dwell_left
        self.dwell_left -= FIX_S
        if target.meetings:
            spacing = target.dwell_s / (target.meetings + 1)
            for k in range(1, target.meetings + 1):
                mark = target.dwell_s - k * spacing
                if self.dwell_left < mark <= before:
                    self._meet(t)
        if self.dwell_left <= 0:
            self.current = None

    def _arrive(self, target: Target, t: float) -> None:
        self.dwell_left = target.dwell_s
        if target.hotspot_id is not None:
            self._queue_checkin(target.hotspot_id, t)
            task_id = self.sweep_tasks.pop(target.hotspot_id, None)
            if task_id is not None:
                self.outbox.append(("sweep task", lambda: self._task_done(task_id)))
        if target.kind == "lead":
            self.outbox.append(("lead", lambda: self._handle_lead(target.lead_id, t)))
        elif target.kind == "revisit":
            self.outbox.append(("revisit", lambda: self._revisit(target.revisit, t)))
        if self.dwell_left <= 0:
            self.current = None

    def _record_fix(self, t: float) -> None:
        fix = gps_fix(self.lon, self.lat, self.rng)
        lon, lat = in_datum(self.datum, fix.lon, fix.lat)
        self.battery = max(5.0, self.battery - FIX_S / 200)
        point = {
            "id": str(uuid.uuid4()),
            "t": self.client.clock.at(t).isoformat(),
            "lon": lon,
            "lat": lat,
            "datum": self.datum.value,
            "accuracy_m": fix.accuracy_m,
            "speed_mps": round(getattr(self, "speed", 0.0), 2),
            "heading_deg": round(getattr(self, "heading", 0.0), 1),
            "battery_pct": int(self.battery),
        }
        self.pending_points.append(point)
        self.world.ledger.points[point["id"]] = self.shift_id

    def _in_coverage(self) -> bool:
        covered = all(
            metres_between(self.lon, self.lat, lon, lat) > DEAD_ZONE_M for lon, lat in self.dead_zones
        )
        if not covered and not self.offline:
            self.world.tally.offline_spells += 1
        self.offline = not covered
        return covered

    # Talking to the server ------------------------------------------------------------------

    async def _sync(self, t: float, final: bool = False) -> None:
        await self._guarded("outbox", self._flush_outbox)
        if final or t - self.last_upload >= UPLOAD_EVERY_S:
            self.last_upload = t
            await self._guarded("track upload", self._upload_track)
        if not final and t - self.last_inbox >= INBOX_EVERY_S:
            self.last_inbox = t
            await self._guarded("inbox", lambda: self.inbox.drain(lambda item: self._act_on(item, t)))
        if t - self.last_handover >= HANDOVER_EVERY_S or final:
            self.last_handover = t
            await self._guarded("handovers", lambda: self._progress_escorts(t))

    async def _guarded(self, what: str, action: Callable[[], Awaitable[None]]) -> None:
        try:
            await action()
        except (ApiError, KeyError, ValueError, StopIteration) as exc:
            self.world.fail(f"{self.name} {what}", exc)

    async def _flush_outbox(self) -> None:
        while self.outbox:
            what, send = self.outbox[0]
            try:
                await send()
            except ApiError as exc:
                self.world.fail(f"{self.name} {what}", exc)
            self.outbox.popleft()

    async def _upload_track(self) -> None:
        if not self.pending_points:
            return
        points, self.pending_points = self.pending_points, []
        size = BACKLOG_BATCH if len(points) > UPLOAD_EVERY_S / FIX_S + 2 else len(points)
        batches = [points[i : i + size] for i in range(0, len(points), size)]
        if len(batches) > 1 and self.world.plan.strikes("reorder", self.rng):
            self.rng.shuffle(batches)
            self.world.faults.reordered += 1
        for batch in batches:
            self.world.tally.points_sent += len(batch)
            receipt = await self.client.call(
                "POST", f"/patrols/{self.shift_id}/track", json={"points": batch}
            )
            self.world.tally.track_uploads += 1
            self.world.tally.points_acknowledged += receipt["received"]
            self.world.tally.points_stored += receipt["stored"]
            self.world.tally.points_duplicates += receipt["duplicates"]

    def _queue_checkin(self, hotspot_id: str, t: float) -> None:
        self.visited.add(hotspot_id)
        body = {
            "id": str(uuid.uuid4()),
            "hotspot_id": hotspot_id,
            "at": self.client.clock.at(t).isoformat(),
            "note": "到达巡查点",
        }

        async def send() -> None:
            await self.client.call("POST", f"/patrols/{self.shift_id}/checkins", json=body)
            self.world.ledger.checkins[body["id"]] = hotspot_id
            self.world.tally.checkins += 1

        self.outbox.append(("check-in", send))

    # Encounters -----------------------------------------------------------------------------

    def _meet(self, t: float, outcome: str | None = None) -> None:
        body = self._encounter(outcome or self.world.next_outcome(), t)
        self.outbox.append(("encounter", lambda: self._log_encounter(body)))

    def _encounter(self, outcome: str, t: float, **extra) -> dict:
        return encounter(
            outcome,
            rng=self.rng,
            place=in_datum(self.datum, self.lon, self.lat),
            occurred_at=self.client.clock.at(t).isoformat(),
            shift_id=self.shift_id,
            contacts=self.contacts,
            **extra,
        )

    async def _log_encounter(self, body: dict) -> dict:
        """Send the form; now and then a hurried first draft lacks a field and the server names the
        rule, as the app would show it, before the complete form goes again under the same id."""
        params = {"datum": self.datum.value}
        draft = hurried_draft(body) if self.rng.random() < 0.25 else None
        if draft is not None:
            form, rule = draft
            try:
                await self.client.call("POST", "/encounters", json=form, params=params, expect=())
            except ApiError as exc:
                rules = [e.get("type") for e in exc.problem.get("errors", [])]
                if exc.status != 422 or f"rule:{rule}" not in rules:
                    raise
                self.world.tally.rule_rejections += 1
        stored = await self.client.call("POST", "/encounters", json=body, params=params)
        self._remember(body, stored)
        await self._follow_up(body)
        return stored

    def _remember(self, body: dict, stored: dict) -> None:
        entry = {
            "outcome": body["outcome"],
            "officer": self.name,
            "shift_id": self.shift_id,
            "categories": body.get("categories", []),
            "police_referral": stored["police_referral"],
            "person_id": stored["person_id"],
        }
        self.world.ledger.encounters[body["id"]] = entry
        if "new_person" in body:
            self.world.ledger.people.append(body["new_person"]["id"])
        self.my_encounters[body["id"]] = {**entry, "lon": self.lon, "lat": self.lat}

    async def _follow_up(self, body: dict) -> None:
        outcome = body["outcome"]
        if outcome in ("escorted_to_station", "escorted_to_hospital"):
            self.escorts.append(
                Escort(
                    encounter_id=body["id"],
                    kind="to_station" if outcome == "escorted_to_station" else "to_hospital",
                    to_organisation_id=body["destination_organisation_id"],
                    give_up_s=self.world.timeline.elapsed() + ESCORT_PATIENCE_S,
                )
            )
        if outcome == "escorted_to_hospital":
            # the station is asked to come and establish who the patient is (身份甄别)
            await self._request_handover("identity_check", self.contacts.station_id, body)
        if outcome == "police_referral" and self.police_station is not None:
            await self._request_handover("police_referral", self.police_station, body)

    async def _request_handover(self, kind: str, to_organisation_id: int, body: dict) -> None:
        request = {
            "id": str(uuid.uuid4()),
            "kind": kind,
            "to_organisation_id": to_organisation_id,
            "encounter_id": body["id"],
            "person_id": body.get("new_person", {}).get("id"),
            "needs": body.get("needs", []),
            "health_notes": "、".join(body.get("categories", [])) or None,
        }
        created = await self.client.call("POST", "/handovers", json=request)
        self.world.ledger.handover(created["id"], kind=kind, encounter_id=body["id"], state=created["state"])
        self.world.tally.handovers[f"requested:{kind}"] += 1

    # Escorts and their handovers --------------------------------------------------------------

    async def _progress_escorts(self, t: float) -> None:
        for escort in list(self.escorts):
            if await self._progress(escort, t):
                self.escorts.remove(escort)

    async def _progress(self, escort: Escort, t: float) -> bool:
        """One step of an escort; True when there is nothing more for this phone to do."""
        if escort.handover_id is None:
            mine = await self.client.call("GET", "/handovers", params={"open_only": "false"})
            matches = (
                h for h in mine if (h["encounter_id"], h["kind"]) == (escort.encounter_id, escort.kind)
            )
            found = next(matches, None)
            if found is None:
                raise ValueError(f"no handover for escort encounter {escort.encounter_id}")
            escort.handover_id = found["id"]
            self.world.ledger.handover(
                found["id"], kind=found["kind"], encounter_id=escort.encounter_id, state=found["state"]
            )
            self.world.tally.handovers[f"requested:{found['kind']}"] += 1
        state = await handovers.state_of(self.client, escort.handover_id)
        if state == "requested":
            return t > escort.give_up_s
        if state == "accepted":
            await handovers.step(self.world, self.client, escort.handover_id, "in_transit")
            escort.arrive_at_s = t + 60.0
            return False
        if state == "in_transit" and t >= (escort.arrive_at_s or 0):
            await handovers.step(self.world, self.client, escort.handover_id, "arrived")
            await self._hand_over(escort)
            return True
        return state not in ("in_transit",)

    async def _hand_over(self, escort: Escort) -> None:
        """At the door: the phone shows a one-time code and the receiver types it in. A code that a
        duplicated request replaced is refused; the officer shows a fresh one, and after three the
        receiver signs on the officer's screen instead."""
        receiver = self.world.receivers.get(escort.to_organisation_id)
        if receiver is None:
            return
        for _ in range(3):
            issued = await self.client.call("POST", f"/handovers/{escort.handover_id}/code")
            if await receiver.confirm(escort.handover_id, code=issued["code"]):
                break
        else:
            signature = f"signatures/{escort.handover_id}.png"
            if not await receiver.confirm(escort.handover_id, signature=signature):
                raise ValueError(f"handover {escort.handover_id} could not be confirmed")
            self.world.tally.handovers["signed_instead_of_code"] += 1
        await receiver.close(escort.handover_id)

    # The inbox --------------------------------------------------------------------------------

    async def _act_on(self, item: dict, t: float) -> bool:
        kind, payload = item["kind"], item["payload"]
        if kind == "revisit" and payload.get("encounter_id") in self.my_encounters:
            return self._plan_revisit(payload)
        if not self.leader:
            return False
        if kind == "lead.offer":
            return await self._answer_offer(payload["lead_id"], t)
        if kind == "lead.assigned":
            await self._take_lead(payload["lead_id"], "assigned")
            return True
        if kind == "sweep.tasks":
            await self._plan_sweep(payload["sweep_id"])
            return True
        return False

    async def _answer_offer(self, lead_id: str, t: float) -> bool:
        if t > ACCEPT_LEADS_UNTIL * self.world.timeline.duration_s:
            await self._decline(lead_id)
            return True
        try:
            await self.client.call("POST", f"/leads/{lead_id}/accept")
        except ApiError as exc:
            if exc.kind != "offer-gone":
                raise
            return True
        await self._take_lead(lead_id, "accepted")
        return True

    async def _decline(self, lead_id: str) -> None:
        """Too late in the shift: pass the offer on. After a lost answer the retry finds the offer
        gone (409), or already with the next team (403, or 404 once this team may no longer see
        it); each means the first decline went through."""
        try:
            await self.client.call("POST", f"/leads/{lead_id}/decline")
        except ApiError as exc:
            if exc.status not in (403, 404, 409):
                raise
            lead = await self.client.call("GET", f"/leads/{lead_id}", expect=(200, 404))
            if lead.get("offer") and lead["offer"]["team_id"] == self.crew.team_id:
                raise
        self.world.ledger.lead(lead_id, declined_by=self.crew.team_id)
        self.world.tally.leads["declined"] += 1

    async def _take_lead(self, lead_id: str, how: str) -> None:
        """Go to the lead's place first thing (a lead offered or assigned twice is taken once)."""
        if lead_id in self.leads_taken:
            return
        lead = await self.client.call("GET", f"/leads/{lead_id}")
        if lead["status"] not in ("accepted", "arrived") or lead["team_id"] != self.crew.team_id:
            return  # an old item: the lead was closed, linked or given to another team since
        self.leads_taken.add(lead_id)
        self.world.ledger.lead(lead_id, team_id=self.crew.team_id, taken=how)
        self.world.tally.leads[how] += 1
        current = self.current
        if current is not None and current.kind != "lead":
            if self.dwell_left <= 0:  # still on the way: go there after the lead
                self.targets.appendleft(current)
            self.current, self.dwell_left = None, 0.0  # the team leaves for the lead at once
        target = Target("lead", lead["place"]["lon"], lead["place"]["lat"], 60.0, lead_id=lead_id)
        self.targets.appendleft(target)

    async def _handle_lead(self, lead_id: str, t: float) -> None:
        try:
            await self.client.call("POST", f"/leads/{lead_id}/arrive", json={})
        except ApiError as exc:
            if exc.status != 409:
                raise
            lead = await self.client.call("GET", f"/leads/{lead_id}")
            if lead["status"] not in ("closed", "linked"):
                raise
            self.world.tally.leads["closed_before_arrival"] += 1  # by a dispatcher, or with its primary
            return
        outcome = self.world.next_lead_outcome()
        encounter_ids = []
        encounter_outcome = lead_encounter_outcome(outcome)
        if encounter_outcome is not None:
            body = self._encounter(encounter_outcome, t, lead_id=lead_id)
            await self._log_encounter(body)
            encounter_ids.append(body["id"])
        note = {"not_found": "到场未发现需要帮助的人员"}.get(outcome, "巡逻组已到场处置")
        await self.client.call(
            "POST",
            f"/leads/{lead_id}/close",
            json={"outcome": outcome, "public_note": note, "encounter_ids": encounter_ids},
        )
        self.world.ledger.lead(lead_id, outcome=outcome, encounter_ids=encounter_ids)
        self.world.tally.leads[f"closed:{outcome}"] += 1

    async def _plan_sweep(self, sweep_id: str) -> None:
        """During a sweep the team's tasks come before the route, nearest first from here; for the
        hotspots already checked this shift the team reports its findings at once."""
        if (await self.client.call("GET", f"/sweeps/{sweep_id}"))["status"] != "open":
            return  # an old item: that sweep is over
        tasks = await self.client.call("GET", f"/sweeps/{sweep_id}/tasks", params={"mine": "true"})
        places = []
        for task in tasks:
            feature = self.hotspots.get(task["hotspot_id"])
            if task["team_id"] != self.crew.team_id or feature is None:
                continue
            if task["hotspot_id"] in self.visited:  # checked already this shift: report what was found
                self.outbox.append(("sweep task", lambda task_id=task["id"]: self._task_done(task_id)))
                continue
            if task["status"] == "done":
                continue
            self.sweep_tasks[task["hotspot_id"]] = task["id"]
            places.append((task["hotspot_id"], *representative_point(feature["geometry"])))
        lon, lat = self.lon, self.lat
        while places:
            nearest = min(places, key=lambda p: metres_between(lon, lat, p[1], p[2]))
            places.remove(nearest)
            hotspot_id, lon, lat = nearest
            self.targets.append(Target("task", lon, lat, 70.0, hotspot_id=hotspot_id, meetings=1))

    async def _task_done(self, task_id: str) -> None:
        found = self.rng.choice([0, 1, 2])
        findings = {
            "people_found": found,
            "persuaded": min(found, 1),
            "refused": max(0, found - 1),
            "supplies": {"quilt": found, "water": found},
            "notes": "巡查完毕" if found else "无人",
        }
        await self.client.call("POST", f"/sweeps/tasks/{task_id}/done", json=findings)
        self.world.ledger.sweep_tasks_done.append(task_id)
        self.world.tally.sweep_tasks_done += 1

    def _plan_revisit(self, payload: dict) -> bool:
        original = self.my_encounters[payload["encounter_id"]]
        revisit = {"id": payload["revisit_id"], "person_id": original["person_id"]}
        self.targets.append(Target("revisit", original["lon"], original["lat"], 30.0, revisit=revisit))
        return True

    async def _revisit(self, revisit: dict, t: float) -> None:
        """Back to someone who said no: this time they accept food and stay put."""
        body = self._encounter("resolved_on_site", t)
        body.pop("new_person", None)
        body.update(person_id=revisit["person_id"], revisit_id=revisit["id"])
        await self._log_encounter(body)
        self.world.ledger.revisits_done[revisit["id"]] = body["id"]
        self.world.tally.revisits_done += 1
