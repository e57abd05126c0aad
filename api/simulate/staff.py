"""The other phones and consoles: receiving staff at the station and the hospital, the hotline
operator who takes callers' tips, and the dispatcher who starts a sweep and places leads that
no team was offered."""

from __future__ import annotations

import asyncio
import contextlib
import random
import uuid
from datetime import timedelta

from api.simulate import handovers
from api.simulate.client import ApiError, Credentials
from api.simulate.inbox import Inbox
from api.simulate.scenario import LEAD_TIPS, offset, representative_point
from api.simulate.world import World
from geo.distance import metres_between

POLL_S = 10.0
LIVE_MARGIN_S = 200.0  # under the server's five minutes, less an upload interval and some slack


async def poll_until(world: World, stop: asyncio.Event, who: str, once) -> None:
    """Run ``once`` every POLL_S simulated seconds until told to stop, then one last time."""
    while True:
        try:
            await once()
        except ApiError as exc:
            world.fail(who, exc)
        if stop.is_set():
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=POLL_S / world.timeline.speed)


class Receiver:
    """A rescue-station or hospital phone: accepts handovers addressed to its organisation, goes to
    hospitals for identity checks, and signs with the sender's one-time code."""

    def __init__(self, world: World, credentials: Credentials) -> None:
        self.world = world
        self.name = credentials.username
        self.client, _ = world.phone(credentials)
        self.inbox = Inbox(world, self.client)
        self.identity_checks: list[str] = []

    async def prepare(self) -> None:
        await self.client.login()
        me = await self.client.call("GET", "/auth/me")
        self.display_name = me["display_name"]
        self.organisation_id = me["organisation_id"]
        await self.client.call(
            "POST",
            "/devices",
            json={"token": f"sim-{me['id']}", "platform": "android", "app_version": "1.0.0-sim"},
        )
        await self.inbox.skip_history()
        self.world.receivers[self.organisation_id] = self

    async def run(self, stop: asyncio.Event) -> None:
        await poll_until(self.world, stop, self.name, self._once)

    async def _once(self) -> None:
        await self.inbox.drain(self._act_on)
        for handover_id in list(self.identity_checks):
            state = await handovers.state_of(self.client, handover_id)
            if state == "accepted":
                await handovers.step(self.world, self.client, handover_id, "in_transit")
            elif state == "in_transit":
                await handovers.step(self.world, self.client, handover_id, "arrived")
                self.identity_checks.remove(handover_id)
            else:
                self.identity_checks.remove(handover_id)

    async def _act_on(self, item: dict) -> bool:
        if item["kind"] == "handover.arrived":
            return True
        if item["kind"] != "handover.requested":
            return False
        handover_id = item["payload"]["handover_id"]
        if await handovers.state_of(self.client, handover_id) == "requested":
            await handovers.step(self.world, self.client, handover_id, "accepted")
            if item["payload"].get("kind") == "identity_check":
                self.identity_checks.append(handover_id)
        return True

    async def confirm(
        self, handover_id: str, *, code: str | None = None, signature: str | None = None
    ) -> bool:
        """Sign for the person with the sender's code (or a signature): False when it is refused."""
        body = {"receiver_name": self.display_name, "code": code, "signature_ref": signature}
        try:
            await self.client.call("POST", f"/handovers/{handover_id}/handed-over", json=body)
        except ApiError as exc:
            if exc.status == 422:
                return False
            if exc.status != 409 or await handovers.state_of(self.client, handover_id) not in (
                "handed_over",
                "closed",
            ):
                raise
        self.world.ledger.advance_handover(handover_id, "handed_over")
        self.world.tally.handovers["handed_over"] += 1
        return True

    async def close(self, handover_id: str) -> None:
        await handovers.step(self.world, self.client, handover_id, "closed")


class Desk:
    """The command centre: a hotline operator taking tips and a dispatcher."""

    def __init__(self, world: World, hotline: Credentials, dispatcher: Credentials) -> None:
        self.world = world
        self.hotline, self.hotline_rng = world.phone(hotline)
        self.dispatcher, _ = world.phone(dispatcher)
        self.inbox = Inbox(world, self.dispatcher)
        self.sweep_id: str | None = None

    async def prepare(self) -> None:
        await self.hotline.login()
        await self.dispatcher.login()
        await self.inbox.skip_history()

    async def run(self, stop: asyncio.Event, team_ids: set[str], tips: int) -> None:
        """Start a sweep once the fleet's teams are on duty, take callers' tips over the shift, place
        leads no team was offered, and close the sweep at the end."""
        teams = await self._on_duty(team_ids)
        await self._start_sweep(teams)
        caller = asyncio.create_task(self._take_calls(teams, tips))
        await poll_until(self.world, stop, "dispatcher", lambda: self.inbox.drain(self._act_on))
        caller.cancel()
        await self._close_sweeps()

    async def _on_duty(self, team_ids: set[str]) -> list[dict]:
        for _ in range(600):
            teams = await self.dispatcher.call("GET", "/teams")
            fleet = [t for t in teams if t["id"] in team_ids]
            if fleet and all(t["on_duty_shift"] for t in fleet):
                return fleet
            await asyncio.sleep(0.1)
        raise TimeoutError("the fleet's teams did not come on duty")

    async def _start_sweep(self, teams: list[dict]) -> None:
        """A cold-weather sweep over the first team's district, from the start of the shift."""
        clock = self.dispatcher.clock
        body = {
            "kind": "cold",
            "level": "orange",
            "jurisdiction": teams[0]["jurisdiction"],
            "starts_at": clock.at(0).isoformat(),
            "ends_at": (clock.server_now() + timedelta(hours=3)).isoformat(),
        }
        sweep = await self.dispatcher.call("POST", "/sweeps", json=body)
        self.sweep_id = sweep["id"]
        if sweep["id"] not in self.world.ledger.sweeps:
            self.world.ledger.sweeps.append(sweep["id"])

    async def _close_sweeps(self) -> None:
        """Close the sweeps this dispatcher started: POST /sweeps takes no client id, so a
        duplicated request may have started a second one, which is closed too."""
        me = await self.dispatcher.call("GET", "/auth/me")
        for sweep in await self.dispatcher.call("GET", "/sweeps"):
            if sweep["trigger"] == "person" and sweep["trigger_ref"] == me["id"]:
                await self.dispatcher.call("POST", f"/sweeps/{sweep['id']}/close")
                if sweep["id"] not in self.world.ledger.sweeps:
                    self.world.ledger.sweeps.append(sweep["id"])

    async def _take_calls(self, teams: list[dict], tips: int) -> None:
        """The public reports people in the streets the teams patrol: one tip early in the shift,
        the rest late, once a compressed replay is close enough to real time for the teams to be
        live on the map (an early tip in a replay finds no team to offer it to)."""
        timeline, rng = self.world.timeline, self.hotline_rng
        hotspots = await self.dispatcher.call("GET", "/hotspots", params={"limit": 1000})
        places = hotspots["features"]
        late_from = min(
            max(0.6 * timeline.duration_s, timeline.live_from(LIVE_MARGIN_S)), 0.8 * timeline.duration_s
        )
        moments = [0.1 * timeline.duration_s] + [
            late_from + (0.8 * timeline.duration_s - late_from) * k / max(1, tips - 2)
            for k in range(tips - 1)
        ]
        for number, moment in enumerate(moments):
            await timeline.sleep_until(moment)
            team = teams[number % len(teams)]
            try:
                near = await self._where(team, places, rng)
                await self._report(near, number, rng)
            except ApiError as exc:
                self.world.fail("hotline", exc)

    async def _where(self, team: dict, places: list[dict], rng: random.Random) -> dict:
        """The hotspot nearest to one of the team's officers on the map (any of the team's
        district when nobody of the team is live)."""
        live = await self.dispatcher.call("GET", "/positions", params={"include_stale": "false"})
        spots = [f for f in places if f["properties"]["jurisdiction"].startswith(team["jurisdiction"])]
        officers = [f for f in live["features"] if f["properties"]["team_id"] == team["id"]]
        if not officers:
            return rng.choice(spots)
        lon, lat = officers[0]["geometry"]["coordinates"]
        return min(spots, key=lambda f: metres_between(lon, lat, *representative_point(f["geometry"])))

    async def _report(self, feature: dict, number: int, rng: random.Random) -> None:
        lon, lat = representative_point(feature["geometry"])
        lon, lat = offset(lon, lat, rng.uniform(-60, 60), rng.uniform(-60, 60))
        text, urgent, minor = LEAD_TIPS[number % len(LEAD_TIPS)]
        name = feature["properties"]["name"]
        body = {
            "id": str(uuid.uuid4()),
            "description": text.format(place=name),
            "place": {"lon": round(lon, 7), "lat": round(lat, 7)},
            "place_text": name,
            "urgent": urgent,
            "minor_involved": minor,
            "caller_phone": f"1380000{rng.randrange(10000):04d}",
        }
        lead = await self.hotline.call("POST", "/leads", json=body)
        self.world.ledger.lead(
            lead["id"],
            status_at_intake=lead["status"],
            jurisdiction=lead["jurisdiction"],
            duplicate_of=lead["duplicate_of"],
        )
        self.world.tally.leads[f"reported:{lead['status']}"] += 1

    async def _act_on(self, item: dict) -> bool:
        """A lead with no team to offer it to is placed by hand with a team on duty nearby."""
        if item["kind"] == "police.referral":
            return True
        if item["kind"] != "lead.unassigned":
            return False
        lead_id = item["payload"]["lead_id"]
        lead = await self.dispatcher.call("GET", f"/leads/{lead_id}")
        if lead["status"] != "new" or lead_id not in self.world.ledger.leads:
            return True
        teams = await self.dispatcher.call("GET", "/teams")
        fleet_teams = {entry["team_id"] for entry in self.world.ledger.shifts.values()}
        fitting = [
            team
            for team in teams
            if team["on_duty_shift"]
            and team["id"] in fleet_teams
            and lead["jurisdiction"].startswith(team["jurisdiction"])
        ]
        if not fitting:
            return False
        await self.dispatcher.call("POST", f"/leads/{lead_id}/assign", json={"team_id": fitting[0]["id"]})
        self.world.ledger.lead(lead_id, assigned_to=fitting[0]["id"])
        self.world.tally.leads["assigned_by_dispatcher"] += 1
        return True
