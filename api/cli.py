"""The ``patrol`` command: administration, demo, server and benchmarks."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table
from sqlmodel import Session

from api.auth.models import Role
from api.reports.schemas import ReportFormat

app = typer.Typer(help="Street patrol and relief system.", no_args_is_help=True)
users_app = typer.Typer(help="Accounts.", no_args_is_help=True)
hotspots_app = typer.Typer(help="Hotspot registry files.", no_args_is_help=True)
demo_app = typer.Typer(help="The demo city.", no_args_is_help=True)
routes_app = typer.Typer(help="Patrol routes.", no_args_is_help=True)
weather_app = typer.Typer(help="Weather alerts and forecasts.", no_args_is_help=True)
report_app = typer.Typer(help="Reports.", no_args_is_help=True)
app.add_typer(users_app, name="users")
app.add_typer(hotspots_app, name="hotspots")
app.add_typer(demo_app, name="demo")
app.add_typer(routes_app, name="routes")
app.add_typer(weather_app, name="weather")
app.add_typer(report_app, name="report")
retention_app = typer.Typer(help="Retention of personal data.", no_args_is_help=True)
app.add_typer(retention_app, name="retention")
console = Console()


def _session() -> Session:
    from api.db import get_engine

    return Session(get_engine())


def _fail(message: str) -> typer.Exit:
    console.print(f"[red]error:[/red] {message}")
    return typer.Exit(code=1)


@app.command()
def migrate(revision: str = "head") -> None:
    """Bring the database schema up to REVISION (Alembic)."""
    from alembic import command

    from api.migrations.config import alembic_config

    command.upgrade(alembic_config(), revision)
    console.print(f"schema at {revision}")


@app.command()
def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: Annotated[int, typer.Option(help="uvicorn worker processes")] = 1,
) -> None:
    """Serve the API with uvicorn, logging JSON lines to stderr."""
    import shutil
    import tempfile

    import uvicorn

    from api.observability.logs import log_config

    own_metrics_dir = None
    if workers > 1 and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # the workers' counters go to files there, and any worker's /metrics adds them up
        own_metrics_dir = tempfile.mkdtemp(prefix="patrol-metrics-")
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = own_metrics_dir
    try:
        uvicorn.run(
            "api.main:app",
            host=host,
            port=port,
            workers=workers,
            proxy_headers=True,
            log_level="info",
            log_config=log_config(),
        )
    finally:
        if own_metrics_dir:
            shutil.rmtree(own_metrics_dir, ignore_errors=True)


@app.command()
def backup(
    file: Annotated[Path, typer.Argument(help="where to write the dump (pg_dump custom format)")],
    database: Annotated[str | None, typer.Option(help="database URL (default: DATABASE_URL)")] = None,
) -> None:
    """Dump the whole database (schema, rows, extensions) into FILE."""
    from api.backups import BackupError
    from api.backups import backup as dump
    from api.settings import get_settings

    try:
        dump(database or get_settings().database_url, file)
    except BackupError as exc:
        raise _fail(str(exc)) from exc
    console.print(f"backup written to {file} ({file.stat().st_size:,} bytes)")


@app.command()
def restore(
    file: Annotated[Path, typer.Argument(help="a dump written by `patrol backup`")],
    database: Annotated[str, typer.Option(help="URL of the database to restore into: new or empty")],
    jobs: Annotated[int, typer.Option(help="parallel restore jobs")] = 1,
) -> None:
    """Restore FILE into a new database (created with PostGIS when missing) or an empty one."""
    from api.backups import BackupError
    from api.backups import restore as load

    try:
        load(file, database, jobs=jobs)
    except BackupError as exc:
        raise _fail(str(exc)) from exc
    console.print(f"restored {file} into the database")


def _processes(host: str, port: int, simulate: int) -> list[list[str]]:
    """The long-running processes of one installation (and the demo's fleet of phones)."""
    patrol = [sys.executable, "-m", "api.cli"]
    processes = [[*patrol, "serve", "--host", host, "--port", str(port)], [*patrol, "worker"]]
    if simulate:
        reachable = "127.0.0.1" if host in ("0.0.0.0", "::") else host
        fleet = ["--officers", str(simulate), "--loop", "--base-url", f"http://{reachable}:{port}"]
        processes.append([*patrol, "simulate", *fleet])
    return processes


@app.command()
def up(
    host: str = "127.0.0.1",
    port: int = 8000,
    simulate: Annotated[
        int, typer.Option(min=0, help="also run this many virtual officers in real time (demo city)")
    ] = 0,
) -> None:
    """Run every process of the system (API, worker) until Ctrl-C or until one of them dies.

    The children run in sessions of their own, so Ctrl-C reaches this process alone and it stops
    them in order: the virtual officers first, while the API still answers their end of shift.
    """
    children = [
        subprocess.Popen(command, start_new_session=True) for command in _processes(host, port, simulate)
    ]
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
        console.print("[red]a process stopped; stopping the others[/red]")
    except KeyboardInterrupt:
        pass
    finally:
        for group in (children[2:], children[:2]):
            for child in group:
                if child.poll() is None:
                    child.terminate()
            for child in group:
                child.wait(timeout=20)
    raise typer.Exit(code=max(child.returncode or 0 for child in children))


@app.command()
def worker(
    concurrency: Annotated[int | None, typer.Option(help="jobs run at once (default from settings)")] = None,
) -> None:
    """Run a job worker: push delivery, escalations, maintenance. Several may run at once.

    It outlives the database: when PostgreSQL goes away (a restart, a failover) procrastinate's
    worker stops, and this starts it again with backoff until it connects. Only SIGINT or
    SIGTERM end it.
    """
    import asyncio
    import logging

    from procrastinate.worker import Worker

    from api.observability.logs import configure_logging
    from api.settings import get_settings
    from notifications.queue import QUEUES
    from notifications.queue import app as queue_app

    configure_logging()
    settings = get_settings()
    log = logging.getLogger("patrol.worker")

    async def run_once(stop: asyncio.Event) -> None:
        async with queue_app.open_async():
            worker = Worker(
                app=queue_app,
                queues=QUEUES,
                concurrency=concurrency or settings.worker_concurrency,
                update_heartbeat_interval=settings.worker_heartbeat_s,
                stalled_worker_timeout=settings.worker_stalled_after_s,
                delete_jobs="successful",
                install_signal_handlers=False,
            )
            running = asyncio.create_task(worker.run())
            stopping = asyncio.create_task(stop.wait())
            await asyncio.wait({running, stopping}, return_when=asyncio.FIRST_COMPLETED)
            if stop.is_set():
                worker.stop()
            stopping.cancel()
            await running

    async def run() -> None:
        stop = asyncio.Event()
        for signum in (signal.SIGINT, signal.SIGTERM):
            asyncio.get_running_loop().add_signal_handler(signum, stop.set)
        queue_app.perform_import_paths()
        delay = 1.0
        while not stop.is_set():
            try:
                await run_once(stop)
                delay = 1.0
            except Exception as exc:  # the database is away: connect again later
                log.warning(
                    "worker lost the database (%s); trying again in %.0f s", type(exc).__name__, delay
                )
            if not stop.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), delay)
                delay = min(delay * 2, 30.0)

    asyncio.run(run())


BENCHMARKS = ("fanout", "ingest", "nearest", "visits", "sweep", "ogc", "console")


@app.command()
def bench(
    name: Annotated[str, typer.Argument(help=f"one of: {', '.join(BENCHMARKS)}")],
    quick: Annotated[bool, typer.Option("--quick", help="a short run, to check it still works")] = False,
) -> None:
    """Run a benchmark against DATABASE_URL: a table, then one JSON line with figures and ratios.

    Benchmarks live with the tests (tests/bench/) and need a source checkout; each creates its
    data in a jurisdiction of its own and removes it afterwards.
    """
    import importlib

    if name not in BENCHMARKS:
        raise _fail(f"unknown benchmark {name!r}; choose from {', '.join(BENCHMARKS)}")
    root = Path(__file__).resolve().parents[1]
    if not (root / "tests" / "bench").is_dir():
        raise _fail("benchmarks need the source checkout (tests/bench)")
    sys.path.insert(0, str(root))
    module = importlib.import_module(f"tests.bench.{name}")
    module.run(quick, console).print(console)


@app.command()
def faults(
    officers: Annotated[int, typer.Option(help="simulated officers")] = 4,
    minutes: Annotated[int, typer.Option(help="simulated minutes of patrol")] = 10,
    speed: Annotated[float, typer.Option(help="simulated seconds per real second")] = 20,
) -> None:
    """Hurt the running system on purpose while a simulated fleet patrols, then check it.

    Starts its own API and worker against DATABASE_URL (the demo city loaded), kills both with
    SIGKILL and starts them again, makes the push provider fail, restarts PostgreSQL when this
    machine runs it, and checks that every record the phones meant is stored exactly once.
    Needs the source checkout (tests/faults). Exit status 1 when anything is wrong.
    """
    root = Path(__file__).resolve().parents[1]
    if not (root / "tests" / "faults").is_dir():
        raise _fail("the fault suite needs the source checkout (tests/faults)")
    sys.path.insert(0, str(root))
    from api.settings import get_settings
    from tests.faults import suite

    report = suite.run(get_settings().database_url, officers=officers, minutes=minutes, speed=speed)
    print(report.as_json())
    if not report.ok:
        raise typer.Exit(1)


def _login(value: str) -> str:
    user, _, password = value.partition(":")
    if not user or not password:
        raise typer.BadParameter("give USER:PASSWORD")
    return value


Login = Annotated[str, typer.Option(help="USER:PASSWORD", callback=_login)]


@app.command()
def simulate(
    officers: Annotated[int, typer.Option(min=1, max=500, help="virtual officers (two to a team)")] = 6,
    minutes: Annotated[float, typer.Option(min=1, help="simulated length of a shift")] = 30,
    speed: Annotated[
        float,
        typer.Option(
            min=1,
            help="simulated seconds per real second; above 1 the shift is replayed "
            "from the past so no device time is ahead of the server",
        ),
    ] = 1.0,
    seed: int = 1,
    base_url: Annotated[str, typer.Option(help="the API")] = "http://127.0.0.1:8000",
    faults: Annotated[
        str | None, typer.Option(help="drop,dup,reorder,skew (or all): faults injected on purpose")
    ] = None,
    fault_rate: Annotated[float, typer.Option(min=0, max=1, help="chance of each fault per request")] = 0.1,
    loop: Annotated[
        bool, typer.Option("--loop", help="start a new shift when one ends, until Ctrl-C")
    ] = False,
    ledger: Annotated[
        Path | None, typer.Option(dir_okay=False, help="write what the phones meant to store (JSON)")
    ] = None,
    refresh_after: Annotated[
        float | None, typer.Option(min=1, help="refresh access tokens this often (s); default: before expiry")
    ] = None,
    wait: Annotated[float, typer.Option(min=0, help="seconds to wait for the API to come up")] = 60,
    officer_password: str = "demo-officer-2026",
    admin: Login = "admin:demo-admin-2026",
    dispatcher: Login = "dispatcher:demo-dispatch-2026",
    hotline: Login = "hotline:demo-hotline-2026",
    station: Login = "station:demo-station-2026",
    hospital: Login = "hospital:demo-hospital-2026",
) -> None:
    """Virtual officers' phones patrolling the demo city over HTTP; one JSON summary line per shift.

    Exits non-zero when a phone met an error or the server answered 5xx (5xx caused by injected
    faults and then recovered from are counted, not failed).
    """
    import asyncio
    import json

    from api.simulate.client import Credentials
    from api.simulate.faults import FaultPlan
    from api.simulate.fleet import Accounts, Options, run

    try:
        plan = FaultPlan.parse(faults, fault_rate)
    except ValueError as exc:
        raise _fail(str(exc)) from exc
    options = Options(
        base_url=base_url,
        officers=officers,
        minutes=minutes,
        speed=speed,
        seed=seed,
        plan=plan,
        loop=loop,
        refresh_after_s=refresh_after,
        wait_s=wait,
        accounts=Accounts(
            *(Credentials(*v.split(":", 1)) for v in (admin, dispatcher, hotline, station, hospital)),
            officer_password=officer_password,
        ),
    )

    def emit(summary: dict) -> None:
        print(json.dumps(summary, ensure_ascii=False), flush=True)

    async def main() -> bool:
        task = asyncio.current_task()
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, task.cancel)
        return await run(options, emit, ledger_file=ledger)

    try:
        ok = asyncio.run(main())
    except (KeyboardInterrupt, asyncio.CancelledError):
        raise typer.Exit(code=130) from None
    except Exception as exc:  # set-up failures: wrong credentials, no demo city, API down
        raise _fail(f"the fleet could not run: {exc}") from exc
    raise typer.Exit(code=0 if ok else 1)


@users_app.command("create")
def users_create(
    username: Annotated[str, typer.Option()],
    role: Annotated[Role, typer.Option()],
    jurisdiction: Annotated[str, typer.Option(help="jurisdiction code the user is scoped to")],
    organisation: Annotated[int | None, typer.Option(help="organisation id")] = None,
    display_name: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Create an account; the password comes from PATROL_PASSWORD or a prompt."""
    from api.auth import service
    from api.errors import ProblemError

    password = os.environ.get("PATROL_PASSWORD") or typer.prompt(
        "password", hide_input=True, confirmation_prompt=True
    )
    with _session() as session:
        try:
            user = service.create_user(
                session=session,
                username=username,
                password=password,
                role=role,
                jurisdiction_code=jurisdiction,
                organisation_id=organisation,
                display_name=display_name,
            )
        except ProblemError as exc:
            raise _fail(exc.detail) from exc
        session.commit()
        console.print(f"created {user.username} ({user.role}) id {user.id}")


def _user(session: Session, username: str):
    from sqlalchemy import select

    from api.auth.models import User

    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise _fail(f"no user {username!r}")
    return user


@users_app.command("disable")
def users_disable(username: Annotated[str, typer.Argument()]) -> None:
    """Disable an account: every login of it ends at once."""
    from api.auth import service

    with _session() as session:
        revoked = service.set_active(session=session, user=_user(session, username), active=False)
        session.commit()
    console.print(f"disabled {username}; {revoked} logins ended")


@users_app.command("enable")
def users_enable(username: Annotated[str, typer.Argument()]) -> None:
    """Enable an account again."""
    from api.auth import service

    with _session() as session:
        service.set_active(session=session, user=_user(session, username), active=True)
        session.commit()
    console.print(f"enabled {username}")


@users_app.command("reset-password")
def users_reset_password(username: Annotated[str, typer.Argument()]) -> None:
    """Set a new password (from PATROL_PASSWORD or a prompt): every login of the account ends."""
    from api.auth import service
    from api.errors import ProblemError

    password = os.environ.get("PATROL_PASSWORD") or typer.prompt(
        "new password", hide_input=True, confirmation_prompt=True
    )
    with _session() as session:
        try:
            revoked = service.reset_password(
                session=session, user=_user(session, username), new_password=password
            )
        except ProblemError as exc:
            raise _fail(exc.detail) from exc
        session.commit()
    console.print(f"password of {username} set; {revoked} logins ended")


def _principal(session: Session, username: str | None):
    """Act as the named user (their scope), or as the system administrator."""
    from api.auth.deps import load_principal, system_principal
    from api.auth.models import User

    if username is None:
        return system_principal()
    principal = load_principal(session, User.username == username)
    if principal is None:
        raise _fail(f"no active user {username!r}")
    return principal


AsUser = Annotated[str | None, typer.Option("--as", help="act as this user (their jurisdiction)")]


@hotspots_app.command("import")
def hotspots_import(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False)],
    datum: Annotated[str, typer.Option(help="datum of the file's coordinates")] = "wgs84",
    as_user: AsUser = None,
) -> None:
    """Import a GeoJSON FeatureCollection or CSV of hotspots, all or nothing."""
    from api.errors import ProblemError
    from api.hotspots import service
    from api.hotspots.files import FileFormatError, read_features
    from geo.datum import Datum

    try:
        features = read_features(file)
        chosen = Datum(datum)
    except (FileFormatError, ValueError) as exc:
        raise _fail(str(exc)) from exc
    with _session() as session, Progress(console=console) as progress:
        task = progress.add_task(f"importing {file.name}", total=len(features))
        try:
            created, updated = service.import_collection(
                session=session,
                principal=_principal(session, as_user),
                features=features,
                datum=chosen,
                progress=lambda done: progress.update(task, completed=done),
            )
        except ProblemError as exc:
            for error in exc.errors or []:
                console.print(f"  {'.'.join(map(str, error['loc']))}: {error['msg']}")
            raise _fail(exc.detail) from exc
        session.commit()
    console.print(f"created {created}, updated {updated}")


@hotspots_app.command("export")
def hotspots_export(
    file: Annotated[Path, typer.Argument(dir_okay=False, help=".geojson or .csv")],
    jurisdiction: Annotated[str | None, typer.Option()] = None,
    include_retired: bool = False,
    as_user: AsUser = None,
) -> None:
    """Export hotspots as a GeoJSON FeatureCollection or CSV (WGS84)."""
    from api.hotspots import service
    from api.hotspots.files import write_csv, write_geojson
    from api.hotspots.schemas import HotspotCollection

    with _session() as session:
        filters = service.HotspotFilters(jurisdiction_code=jurisdiction, include_retired=include_retired)
        rows, total = service.search(
            session=session,
            principal=_principal(session, as_user),
            filters=filters,
            limit=10_000_000,
            offset=0,
        )
        features = []
        with Progress(console=console) as progress:
            task = progress.add_task(f"exporting {file.name}", total=total)
            for hotspot, code, _ in rows:
                features.append(service.to_feature(hotspot, code))
                progress.advance(task)
    collection = HotspotCollection(features=features, numberMatched=total, numberReturned=total)
    (write_csv if file.suffix.lower() == ".csv" else write_geojson)(file, collection)
    console.print(f"wrote {total} hotspots to {file}")


@routes_app.command("plan")
def routes_plan(
    start: Annotated[str, typer.Option(help="lon,lat where the round starts and ends")],
    hotspot: Annotated[list[str], typer.Option(help="a hotspot id; repeat for each")],
    datum: Annotated[str, typer.Option(help="datum of --start")] = "wgs84",
    as_user: AsUser = None,
) -> None:
    """Order hotspots into a short round trip (OR-Tools, straight-line metres)."""
    import uuid

    from sqlalchemy import select

    from api.errors import ProblemError
    from api.hotspots.models import Hotspot
    from api.patrol_routes import service
    from geo.datum import Datum, point_to_wgs84

    try:
        lon, lat = (float(v) for v in start.split(","))
        ids = [uuid.UUID(h) for h in hotspot]
        origin = point_to_wgs84(Datum(datum), lon, lat)
    except ValueError as exc:
        raise _fail(f"bad --start, --hotspot or --datum: {exc}") from exc
    with _session() as session:
        try:
            order, length = service.plan(
                session=session, principal=_principal(session, as_user), start=origin, hotspot_ids=ids
            )
        except ProblemError as exc:
            raise _fail(exc.detail) from exc
        names = dict(session.execute(select(Hotspot.id, Hotspot.name).where(Hotspot.id.in_(order))).all())
    for position, hotspot_id in enumerate(order, start=1):
        console.print(f"{position:>3}. {names[hotspot_id]}  {hotspot_id}")
    console.print(f"round trip {length / 1000:.2f} km (straight-line metres; no road network is loaded)")


@weather_app.command("import")
def weather_import(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="a CAP 1.2 XML alert")],
    as_user: AsUser = None,
) -> None:
    """Take in a CAP alert as POST /weather/cap does: start, change or end a sweep."""
    from api.errors import ProblemError
    from api.sweeps import service

    with _session() as session:
        try:
            alert, sweep, created = service.receive_alert(
                session, principal=_principal(session, as_user), document=file.read_bytes()
            )
        except ProblemError as exc:
            raise _fail(exc.detail) from exc
        session.commit()
        outcome = f"sweep {sweep.id} ({sweep.kind}, {sweep.level})" if sweep else "no sweep"
        console.print(
            f"{'stored' if created else 'already known'}: {alert.identifier} {alert.msg_type} -> {outcome}"
        )


@weather_app.command("poll")
def weather_poll() -> None:
    """Read the forecast for every city now and start sweeps where a rule is crossed."""
    from api.sweeps import forecasts

    with _session() as session:
        started = forecasts.poll(session)
        session.commit()
    console.print(f"{len(started)} sweep(s) started or extended")


@report_app.command("summary")
def report_summary(
    jurisdiction: Annotated[str, typer.Option(help="code of the reported jurisdiction")],
    date_from: Annotated[datetime, typer.Option("--from", formats=["%Y-%m-%d"], help="first local day")],
    date_to: Annotated[datetime, typer.Option("--to", formats=["%Y-%m-%d"], help="last local day, included")],
    format: ReportFormat = ReportFormat.json,
    levels: Annotated[int | None, typer.Option(min=0, max=5, help="rows this many levels down")] = None,
    out: Annotated[
        Path | None, typer.Option(dir_okay=False, help="file to write (json and csv: stdout)")
    ] = None,
    as_user: AsUser = None,
) -> None:
    """The periodic summary table (情况汇总表) of a jurisdiction, as GET /reports/summary gives it."""
    from api.errors import ProblemError
    from api.reports import export, service

    with _session() as session:
        try:
            report = service.summary(
                session=session,
                principal=_principal(session, as_user),
                code=jurisdiction,
                first=date_from.date(),
                last=date_to.date(),
                levels=levels,
            )
            content = export.render(report, format)
        except ProblemError as exc:
            raise _fail(exc.detail) from exc
    if out is None and format != ReportFormat.xlsx:
        sys.stdout.buffer.write(content)
        return
    target = out or Path(export.filename(report, format.value))
    target.write_bytes(content)
    console.print(
        f"wrote {target} ({len(report.rows)} jurisdictions, {report.date_from} to {report.date_to})"
    )


@retention_app.command("run")
def retention_run(
    dry_run: Annotated[bool, typer.Option("--dry-run", help="only count what is past retention")] = False,
) -> None:
    """Wipe or drop what is past retention (never under a legal hold or in an open case)."""
    from datetime import UTC

    from api.privacy import service

    with _session() as session:
        report = service.run(session, now=datetime.now(UTC), dry_run=dry_run)
        if dry_run:
            session.rollback()
        else:
            session.commit()
    table = Table(title="Retention (dry run: nothing changed)" if dry_run else "Retention")
    for column in ("kind", "action", "before", "count"):
        table.add_column(column)
    for result in report.results:
        table.add_row(result.kind, result.action, f"{result.cutoff:%Y-%m-%d}", str(result.count))
    console.print(table)
    for result in report.results:
        for name in result.names:
            console.print(f"{'would drop' if dry_run else 'dropped'} {name}")


@demo_app.command("load")
def demo_load() -> None:
    """Load the demo city (idempotent) and print its accounts."""
    from api.demo import city, load

    with _session() as session:
        created = load.load(session)
    console.print("demo city loaded" if created else "demo city already present")
    table = Table(title="Demo accounts (滨河市)")
    for column in ("username", "password", "role", "jurisdiction"):
        table.add_column(column)
    for user in city.USERS:
        table.add_row(user.username, user.password, user.role.value, user.jurisdiction)
    console.print(table)


if __name__ == "__main__":
    app()
