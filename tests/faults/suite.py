"""The fault suite: a fleet of simulated phones patrols while the system is hurt on purpose, then
the server must hold exactly what the phones meant, and have recovered on its own.

Faults, in order while the fleet runs: the API process killed with SIGKILL and started again,
the worker killed with SIGKILL and started again, the push provider answering 503 for a while,
PostgreSQL restarted (when this machine runs the cluster and `pg_ctlcluster` is at hand), and all
along responses cut after the server committed and requests duplicated (the phones' own faults).
During the database restart the API must answer 503 with Retry-After (never a 500), and its
readiness check must fail until the database is back.

`patrol faults` runs it against DATABASE_URL (the demo city loaded); tests/faults runs a short
version against the suite's throw-away database.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from api.simulate.ledger import Ledger
from tests.fakes.fcm import FakeFcm


def free_port() -> int:
    with closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Report:
    faults: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    during_db_restart: dict[str, int] = field(default_factory=dict)  # status -> answers seen
    fleet: dict = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)  # what the server holds that it should not, or lacks
    unhandled: list[str] = field(default_factory=list)  # the services' log lines for their 500s

    @property
    def ok(self) -> bool:
        return not self.problems and self.fleet.get("ok", False)

    def as_json(self) -> str:
        return json.dumps(
            {
                "suite": "faults",
                "ok": self.ok,
                "faults": self.faults,
                "skipped": self.skipped,
                "during_db_restart": self.during_db_restart,
                "problems": self.problems,
                "fleet_errors": self.fleet.get("errors", []),
                "server_errors": self.fleet.get("server_errors", {}),
                "unhandled": self.unhandled,
            },
            ensure_ascii=False,
        )


class Service:
    """A ``patrol`` subprocess (API or worker) that can be killed and started again."""

    def __init__(
        self, args: list[str], env: dict[str, str], log: Path, ready: Callable[[], bool] | None = None
    ) -> None:
        self.args, self.env, self.log, self.ready = args, env, log, ready
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> None:
        with self.log.open("ab") as log:  # every run of the service, one after the other
            self.process = subprocess.Popen(
                [sys.executable, "-m", "api.cli", *self.args], env=self.env, stdout=log, stderr=log
            )
        deadline = time.monotonic() + timeout
        while self.ready is not None and not self.ready():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"patrol {' '.join(self.args)} did not start")
            time.sleep(0.2)

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def unhandled(self) -> list[str]:
        """What the service logged about the errors it could not handle (each a 500)."""
        lines = self.log.read_text(errors="replace").splitlines()
        return [_shorten(line) for line in lines if "unhandled error" in line]

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()


def _shorten(text: str, ends: int = 1500) -> str:
    """A long traceback's start (where it begins) and end (what was raised last)."""
    return text if len(text) <= 2 * ends else f"{text[:ends]} … {text[-ends:]}"


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code < 500
    except httpx.HTTPError:
        return False


def local_cluster(database_url: str) -> tuple[str, str] | None:
    """(version, name) of the PostgreSQL cluster on this machine serving the URL, or None."""
    if shutil.which("pg_lsclusters") is None or shutil.which("pg_ctlcluster") is None:
        return None
    url = make_url(database_url)
    if url.host not in (None, "", "127.0.0.1", "localhost"):
        return None
    port = str(url.port or 5432)
    for line in subprocess.run(["pg_lsclusters", "-h"], capture_output=True, text=True).stdout.splitlines():
        version, name, cluster_port, status, *_ = line.split()
        if cluster_port == port and status.startswith("online"):
            return version, name
    return None


def _watch(url: str, seen: dict[str, int], stop: threading.Event) -> None:
    """Ask one database-backed route over and over, counting the answers by status."""
    while not stop.is_set():
        try:
            status = str(httpx.get(url, timeout=5).status_code)
        except httpx.HTTPError:
            status = "no answer"
        seen[status] = seen.get(status, 0) + 1
        time.sleep(0.1)


def restart_database(cluster: tuple[str, str], api: str, report: Report) -> None:
    seen: dict[str, int] = {}
    stop = threading.Event()
    watcher = threading.Thread(target=_watch, args=(f"{api}/api/v1/health", seen, stop), daemon=True)
    watcher.start()
    time.sleep(0.5)
    subprocess.run(["pg_ctlcluster", *cluster, "restart", "-m", "fast"], check=True, capture_output=True)
    deadline = time.monotonic() + 60
    while not _answers(f"{api}/api/v1/health") and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(1)
    stop.set()
    watcher.join()
    report.during_db_restart = seen
    report.faults.append("postgresql restarted")
    if "500" in seen:
        report.problems.append(f"the API answered 500 while the database restarted: {seen}")


def check_ledger(database_url: str, ledger: Ledger) -> list[str]:
    """Everything the phones meant is stored exactly once, and nothing of theirs besides."""
    engine = create_engine(database_url)
    problems = []
    with engine.connect() as db:
        shift_ids = list(ledger.shifts)

        def ids(sql: str, **params) -> list[str]:
            return [row[0] for row in db.execute(text(sql), params)]

        points = ids("SELECT id::text FROM gps_points WHERE shift_id::text = ANY(:s)", s=shift_ids)
        if len(points) != len(set(points)) or set(points) != set(ledger.points):
            problems.append(
                f"points: {len(points)} stored ({len(set(points))} distinct), {len(ledger.points)} meant"
            )
        ended = ids(
            "SELECT id::text FROM shifts WHERE id::text = ANY(:s) AND ended_at IS NOT NULL", s=shift_ids
        )
        if set(ended) != set(shift_ids):
            problems.append(f"shifts: {len(ended)} of {len(shift_ids)} ended")
        encounters = ids(
            "SELECT id::text FROM encounters WHERE id::text = ANY(:e)", e=list(ledger.encounters)
        )
        if sorted(encounters) != sorted(ledger.encounters):
            problems.append(f"encounters: {len(encounters)} stored, {len(ledger.encounters)} meant")
        handovers = ids("SELECT id::text FROM handovers WHERE id::text = ANY(:h)", h=list(ledger.handovers))
        if sorted(handovers) != sorted(ledger.handovers):
            problems.append(f"handovers: {len(handovers)} stored, {len(ledger.handovers)} meant")
        pending = db.execute(text("SELECT count(*) FROM push_deliveries WHERE status = 'pending'")).scalar()
        if pending:
            problems.append(f"{pending} push deliveries still pending after the provider came back")
        twice = db.execute(
            text(
                "SELECT count(*) FROM (SELECT 1 FROM push_deliveries GROUP BY notification_id, device_id "
                "HAVING count(*) > 1) AS repeated"
            )
        ).scalar()
        if twice:
            problems.append(f"{twice} notifications queued twice for the same device")
    engine.dispose()
    return problems


def run(
    database_url: str, *, officers: int = 4, minutes: int = 10, speed: float = 20, seed: int = 3
) -> Report:
    report = Report()
    port = free_port()
    api = f"http://127.0.0.1:{port}"
    work = Path(tempfile.mkdtemp(prefix="patrol-faults-"))
    with FakeFcm() as fcm:
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "PATROL_FCM_CREDENTIALS_FILE": str(fcm.write_service_account(work / "fcm.json")),
            "PATROL_FCM_ENDPOINT": fcm.url,
        }
        server = Service(
            ["serve", "--port", str(port)],
            env,
            work / "api.log",
            ready=lambda: _answers(f"{api}/api/v1/health"),
        )
        worker = Service(["worker"], env, work / "worker.log")
        server.start()
        worker.start()
        ledger_file = work / "ledger.json"
        phones = [
            "--officers",
            str(officers),
            "--minutes",
            str(minutes),
            "--speed",
            str(speed),
            "--seed",
            str(seed),
        ]
        fleet = subprocess.Popen(
            [sys.executable, "-m", "api.cli", "simulate", "--base-url", api, "--ledger", str(ledger_file),
             *phones, "--faults", "drop,dup", "--fault-rate", "0.1"],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        try:
            time.sleep(3)
            server.kill()
            report.faults.append("API killed with SIGKILL")
            server.start()
            time.sleep(2)
            worker.kill()
            report.faults.append("worker killed with SIGKILL")
            worker.start()
            fcm.outage = True
            report.faults.append("push provider answering 503")
            time.sleep(4)
            fcm.outage = False
            cluster = local_cluster(database_url)
            if cluster is None:
                report.skipped.append("postgresql restart: the cluster is not on this machine")
            else:
                restart_database(cluster, api, report)
            out, err = fleet.communicate(timeout=600)
            lines = [line for line in out.splitlines() if line.startswith("{")]
            report.fleet = json.loads(lines[-1]) if lines else {"ok": False, "errors": [err[-2000:]]}
            _drain_pushes(database_url)
            report.problems += check_ledger(database_url, Ledger.read(ledger_file))
            report.unhandled = server.unhandled() + worker.unhandled()
        finally:
            if fleet.poll() is None:
                fleet.kill()
            worker.stop()
            server.stop()
            shutil.rmtree(work, ignore_errors=True)
    return report


def _drain_pushes(database_url: str, timeout: float = 120) -> None:
    """Wait until the worker has settled every push (its retries back off exponentially)."""
    engine = create_engine(database_url)
    deadline = time.monotonic() + timeout
    with engine.connect() as db:
        while time.monotonic() < deadline:
            pending = db.execute(
                text("SELECT count(*) FROM push_deliveries WHERE status = 'pending'")
            ).scalar()
            db.rollback()
            if not pending:
                break
            time.sleep(1)
    engine.dispose()
