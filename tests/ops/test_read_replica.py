"""A read replica, shown: a private primary and a streaming-replication standby made with
PostgreSQL's own tools, the API started with DATABASE_URL on the primary and
PATROL_READ_DATABASE_URL on the standby. With replay paused on the standby, a hotspot written
through the API is stored (the primary took the write) but missing from the console layer and
the OGC API (they read the standby); once replay resumes, they have it.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text
from sqlmodel import Session

from api.auth.models import Role
from tests.conftest import free_port
from tests.factories import IN_WEST, make_city, make_user, point_feature

pytestmark = pytest.mark.slow


def _bin(name: str) -> str | None:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found[-1] if found else shutil.which(name)


def _as_postgres(*command: str) -> list[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return list(command)


def _run(*command: str) -> None:
    done = subprocess.run(_as_postgres(*command), capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"{command[0]} failed: {done.stderr[-2000:]}"


class Instance:
    def __init__(self, directory: Path, port: int) -> None:
        self.directory, self.port = directory, port

    def url(self, database: str = "patrol") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        options = f"-p {self.port} -k {self.directory.parent} -c listen_addresses=127.0.0.1"
        log = f"{self.directory}.log"
        _run(_bin("pg_ctl"), "-D", str(self.directory), "-o", options, "-l", log, "-w", "start")

    def stop(self) -> None:
        subprocess.run(
            _as_postgres(_bin("pg_ctl"), "-D", str(self.directory), "-m", "immediate", "stop"),
            capture_output=True,
            timeout=60,
        )


@pytest.fixture(scope="module")
def replicated():
    """(primary, standby): a migrated primary with the test city, and its streaming standby."""
    if _bin("initdb") is None or _bin("pg_basebackup") is None:
        pytest.skip("PostgreSQL's server binaries are not installed here")
    if os.geteuid() != 0 and os.environ.get("USER") != "postgres":
        pytest.skip("making a cluster needs root (to act as postgres) or the postgres user")
    base = Path(tempfile.mkdtemp(prefix="patrol-replication-"))  # pytest's own is root's alone
    shutil.chown(base, "postgres")
    primary, standby = Instance(base / "primary", free_port()), Instance(base / "standby", free_port())
    _run(_bin("initdb"), "-D", str(primary.directory), "-U", "postgres", "--auth=trust", "-E", "UTF8")
    primary.start()
    try:
        with create_engine(primary.url("postgres"), isolation_level="AUTOCOMMIT").connect() as connection:
            connection.execute(text("CREATE DATABASE patrol"))
        with create_engine(primary.url(), isolation_level="AUTOCOMMIT").connect() as connection:
            connection.execute(text("CREATE EXTENSION postgis"))
            connection.execute(text("CREATE EXTENSION ltree"))
        migrate = subprocess.run(
            [sys.executable, "-m", "api.cli", "migrate"],
            env={**os.environ, "DATABASE_URL": primary.url()},
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert migrate.returncode == 0, migrate.stderr[-2000:]
        with Session(create_engine(primary.url())) as session:
            make_city(session)
            session.commit()
        _run(
            _bin("pg_basebackup"),
            *("-h", "127.0.0.1", "-p", str(primary.port), "-U", "postgres"),
            *("-D", str(standby.directory), "-R", "-X", "stream", "--checkpoint=fast"),
        )
        standby.start()
        yield primary, standby
    finally:
        standby.stop()
        primary.stop()
        shutil.rmtree(base, ignore_errors=True)


def _replay(standby: Instance, paused: bool) -> None:
    with create_engine(standby.url(), isolation_level="AUTOCOMMIT").connect() as connection:
        action = "pause" if paused else "resume"
        connection.execute(text(f"SELECT pg_wal_replay_{action}()"))


def _names(api: str, headers: dict) -> dict[str, set[str]]:
    """The hotspot names each read-only surface shows."""
    layer = httpx.get(f"{api}/api/v1/console/layers/hotspots", headers=headers).json()
    ogc = httpx.get(f"{api}/api/v1/ogc/collections/hotspots/items", params={"limit": 100}, headers=headers)
    return {
        "console": {f["properties"]["name"] for f in layer["features"]},
        "ogc": {f["properties"]["name"] for f in ogc.json()["features"]},
    }


def test_reads_come_from_the_standby_and_writes_go_to_the_primary(replicated, start_api):
    primary, standby = replicated
    api = start_api({"DATABASE_URL": primary.url(), "PATROL_READ_DATABASE_URL": standby.url()}).url
    _replay(standby, paused=True)
    with Session(create_engine(primary.url())) as session:
        dispatcher = make_user(session, Role.dispatcher, "T100")  # the standby never sees them
        session.commit()
    me = httpx.get(f"{api}/api/v1/auth/me", headers=dispatcher.headers)
    assert me.status_code == 200, "who the caller is comes from the primary"
    made = httpx.post(
        f"{api}/api/v1/hotspots",
        json=point_feature(*IN_WEST, radius_m=50, name="复制测试桥洞"),
        headers=dispatcher.headers,
    )
    assert made.status_code == 201, made.text  # the write went to the primary
    with create_engine(primary.url()).connect() as connection:
        assert connection.scalar(text("SELECT count(*) FROM hotspots WHERE name = '复制测试桥洞'")) == 1
    assert _names(api, dispatcher.headers) == {"console": set(), "ogc": set()}, "reads are the standby's"

    _replay(standby, paused=False)
    deadline = time.monotonic() + 30
    while _names(api, dispatcher.headers) != {"console": {"复制测试桥洞"}, "ogc": {"复制测试桥洞"}}:
        assert time.monotonic() < deadline, "the standby never caught up"
        time.sleep(0.2)
    with create_engine(standby.url()).connect() as connection:
        assert connection.scalar(text("SELECT pg_is_in_recovery()")) is True
