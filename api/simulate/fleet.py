"""A fleet of virtual phones against a running API: set-up, one or more shifts, and the summary.

Officers beyond the demo city's twelve are created through the admin API (``POST /users``,
``POST /teams``), two to a team, district by district; nothing here touches the database.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx

from api.simulate.client import ApiClient, ApiError, Credentials
from api.simulate.clock import Timeline
from api.simulate.faults import FaultPlan
from api.simulate.phone import Crew, Officer
from api.simulate.scenario import Contacts
from api.simulate.staff import Desk, Receiver
from api.simulate.world import World

DEMO_OFFICERS = 12
CLEANUP_S = 10.0


@dataclass(frozen=True)
class Accounts:
    admin: Credentials
    dispatcher: Credentials
    hotline: Credentials
    station: Credentials
    hospital: Credentials
    officer_password: str

    def officer(self, number: int) -> Credentials:
        name = f"officer{number:02d}" if number <= DEMO_OFFICERS else f"sim.officer{number:03d}"
        return Credentials(name, self.officer_password)


@dataclass(frozen=True)
class Options:
    base_url: str
    officers: int
    minutes: float
    speed: float
    seed: int
    plan: FaultPlan
    accounts: Accounts
    loop: bool = False
    refresh_after_s: float | None = None
    wait_s: float = 60.0


async def wait_for_api(base_url: str, wait_s: float) -> None:
    """The API may still be starting (``patrol up`` starts everything at once)."""
    deadline = time.monotonic() + wait_s
    async with httpx.AsyncClient(base_url=base_url, timeout=5) as http:
        while True:
            try:
                if (await http.get("/api/v1/health")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"the API at {base_url} did not answer within {wait_s:.0f} s")
            await asyncio.sleep(0.5)


# Accounts and teams --------------------------------------------------------------------------


async def ensure_crews(world: World, accounts: Accounts, officers: int) -> list[Crew]:
    """The teams the fleet's officers patrol in (first member first), creating extra officers and
    their teams when the demo city has too few."""
    admin, _ = world.phone(accounts.admin)
    try:
        await admin.login()
        if officers > DEMO_OFFICERS:
            await _create_extra_officers(world, admin, accounts, officers)
        names = [accounts.officer(n).username for n in range(1, officers + 1)]
        crews = []
        for team in sorted(await admin.call("GET", "/teams"), key=lambda t: t["call_sign"]):
            members = sorted(
                (m["username"] for m in team["members"] if m["username"] in names), key=names.index
            )
            if members:
                crews.append(Crew(team_id=team["id"], members=members))
    finally:
        await admin.close()
    teamless = set(names) - {name for crew in crews for name in crew.members}
    if teamless:
        raise ValueError(f"officers without a team: {', '.join(sorted(teamless))}")
    return sorted(crews, key=lambda crew: names.index(crew.members[0]))


async def _create_extra_officers(world: World, admin: ApiClient, accounts: Accounts, officers: int) -> None:
    teams = await admin.call("GET", "/teams")
    districts = sorted({t["jurisdiction"] for t in teams})
    units = {}
    for kind in ("police_station", "city_management"):
        found = await admin.call("GET", "/organisations", params={"kind": kind})
        for feature in found["features"]:
            units.setdefault((kind, feature["properties"]["jurisdiction"]), feature["id"])
    for first in range(DEMO_OFFICERS + 1, officers + 1, 2):
        district = districts[((first - DEMO_OFFICERS - 1) // 2) % len(districts)]
        pair = [n for n in (first, first + 1) if n <= officers]
        ids = [
            await _ensure_user(world, admin, accounts.officer(n), district, units.get((kind, district)))
            for n, kind in zip(pair, ("police_station", "city_management"), strict=False)
        ]
        body = {
            "call_sign": f"模拟{first:03d}组",
            "jurisdiction": district,
            "members": ids,
            "vehicle": "模拟巡逻车",
        }
        try:
            await admin.call("POST", "/teams", json=body)
        except ApiError as exc:
            if exc.status != 409:  # made by an earlier run
                raise


async def _ensure_user(
    world: World, admin: ApiClient, account: Credentials, district: str, organisation: int | None
) -> str:
    body = {
        "username": account.username,
        "password": account.password,
        "role": "officer",
        "jurisdiction": district,
        "organisation_id": organisation,
        "display_name": f"模拟队员 {account.username[-3:]}",
    }
    try:
        return (await admin.call("POST", "/users", json=body))["id"]
    except ApiError as exc:
        if exc.status != 409:
            raise
    probe, _ = world.phone(account)  # made by an earlier run: the officer's own login says who
    try:
        return (await probe.call("GET", "/auth/me"))["id"]
    finally:
        await probe.close()


# Running -------------------------------------------------------------------------------------


async def run(options: Options, emit: Callable[[dict], None], ledger_file: Path | None = None) -> bool:
    """Run the fleet; ``emit`` gets each shift's summary (running totals) and ``ledger_file`` the
    ledger after each shift. True when no shift had an error."""
    await wait_for_api(options.base_url, options.wait_s)
    world = World(
        base_url=options.base_url,
        timeline=Timeline(options.minutes, options.speed),
        plan=options.plan,
        seed=options.seed,
        refresh_after_s=options.refresh_after_s,
    )
    accounts = options.accounts
    station, hospital = Receiver(world, accounts.station), Receiver(world, accounts.hospital)
    desk = Desk(world, accounts.hotline, accounts.dispatcher)
    await asyncio.gather(station.prepare(), hospital.prepare(), desk.prepare())
    contacts = await _contacts(station, hospital)
    crews = await ensure_crews(world, accounts, options.officers)
    officers = [
        Officer(world, accounts.officer(number), crew, contacts)
        for crew in crews
        for number in range(1, options.officers + 1)
        if accounts.officer(number).username in crew.members
    ]
    world.ledger.users = [o.name for o in officers] + [station.name, hospital.name]
    await asyncio.gather(*(officer.prepare() for officer in officers))
    all_ok, round_number = True, 0
    try:
        while True:
            round_number += 1
            started = time.monotonic()
            await _one_shift(world, crews, officers, [station, hospital], desk)
            summary = summarise(world, options, round_number, time.monotonic() - started)
            if ledger_file is not None:
                world.ledger.write(ledger_file)
            emit(summary)
            all_ok = all_ok and summary["ok"]
            if not options.loop:
                return all_ok
    finally:
        await asyncio.gather(*(c.close() for c in _clients(officers, station, hospital, desk)))


def _clients(officers, station, hospital, desk) -> list[ApiClient]:
    return [o.client for o in officers] + [station.client, hospital.client, desk.hotline, desk.dispatcher]


async def _contacts(station: Receiver, hospital: Receiver) -> Contacts:
    """What the officers' app is configured with: the station (and its hotline) and the hospital."""
    home = await station.client.call("GET", f"/organisations/{station.organisation_id}")
    hotline = home["properties"].get("hotline") or home["properties"].get("phone") or ""
    return Contacts(station.organisation_id, hotline, hospital.organisation_id)


async def _one_shift(world: World, crews, officers, receivers, desk: Desk) -> None:
    world.timeline.restart()
    for crew in crews:
        crew.new_round()
    stop = asyncio.Event()
    helpers = [asyncio.create_task(r.run(stop)) for r in receivers]
    helpers.append(asyncio.create_task(desk.run(stop, {c.team_id for c in crews}, tips=max(3, len(crews)))))
    try:
        results = await asyncio.gather(*(o.shift() for o in officers), return_exceptions=True)
    except asyncio.CancelledError:
        for helper in helpers:
            helper.cancel()
        await asyncio.gather(*helpers, return_exceptions=True)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(_end_open_shifts(officers), CLEANUP_S)
        raise
    finally:
        stop.set()
    for officer, result in zip(officers, results, strict=True):
        if isinstance(result, BaseException):
            world.fail(officer.name, repr(result))
    for helper, result in zip(helpers, await asyncio.gather(*helpers, return_exceptions=True), strict=True):
        if isinstance(result, BaseException):
            world.fail(helper.get_name(), repr(result))


async def _end_open_shifts(officers: list[Officer]) -> None:
    """Stopped mid-shift (Ctrl-C): the leaders end their teams' shifts so nobody stays on the map."""
    for officer in officers:
        if officer.leader and getattr(officer, "shift_id", None):
            with contextlib.suppress(ApiError, httpx.TransportError):
                await officer.client.call("POST", f"/patrols/{officer.shift_id}/end", json={})


def summarise(world: World, options: Options, round_number: int, wall_s: float) -> dict:
    tally, ledger, traffic = world.tally, world.ledger, world.traffic
    table = traffic.table()
    return {
        "ok": not world.errors and not traffic.server_errors,
        "round": round_number,
        "officers": options.officers,
        "simulated_minutes": options.minutes,
        "speed": options.speed,
        "wall_s": round(wall_s, 1),
        "requests_total": sum(sum(by_status.values()) for by_status in table.values()),
        "requests": table,
        "points": {
            "sent": tally.points_sent,
            "acknowledged": tally.points_acknowledged,
            "stored": tally.points_stored,
            "duplicates": tally.points_duplicates,
            "meant": len(ledger.points),
            "uploads": tally.track_uploads,
            "offline_spells": tally.offline_spells,
        },
        "checkins": tally.checkins,
        "encounters": {
            "logged": len(ledger.encounters),
            "by_outcome": dict(sorted(ledger.outcomes().items())),
            "police_referrals": sum(1 for e in ledger.encounters.values() if e["police_referral"]),
            "rule_rejections": tally.rule_rejections,
            "revisits_done": tally.revisits_done,
        },
        "handovers": {
            "steps": dict(sorted(tally.handovers.items())),
            "by_state": dict(sorted(Counter(h["state"] for h in ledger.handovers.values()).items())),
        },
        "leads": dict(sorted(tally.leads.items())),
        "sweep_tasks_done": tally.sweep_tasks_done,
        "inbox": {"read": tally.inbox_read, "acknowledged": tally.inbox_acknowledged},
        "auth": {"refreshes": traffic.refreshes, "relogins": traffic.relogins},
        "faults": {
            **world.faults.as_dict(),
            "retries": traffic.transport_retries,
            "racing_copies": traffic.racing_copies,
            "outage_retries": traffic.outage_retries,
        },
        "server_errors": {
            "unrecovered": traffic.server_errors,
            "recovered_after_injected_faults": dict(sorted(traffic.recovered_server_errors.items())),
        },
        "errors": world.errors,
    }
