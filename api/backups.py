"""Backups of the whole database with PostgreSQL's own tools: ``pg_dump`` in its custom format
(compressed, restorable table by table and in parallel) and ``pg_restore``.

The dump holds the schema, every row (GPS partitions, the job queue and the audit log
included) and the ``CREATE EXTENSION`` lines of PostGIS and ltree; PostGIS 3 keeps its own
objects in the extension, so only rows users added to ``spatial_ref_sys`` travel. A restore
goes into a new, empty database: it is created, with the dump's extensions, when it does not
exist yet (creating PostGIS needs a superuser, so a restore as a plain owner needs a database a
superuser prepared with ``CREATE EXTENSION postgis; CREATE EXTENSION ltree;``).

Passwords go to the tools through ``PGPASSWORD``, never on their command line.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from notifications.queue import libpq_url


class BackupError(Exception):
    """A dump or restore that could not be done; the message says why."""


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} not found: install the PostgreSQL client (postgresql-client-15)")
    return path


def _split_password(database_url: str) -> tuple[str, dict[str, str]]:
    """A libpq conninfo without its password, and the environment that carries it."""
    params = conninfo_to_dict(libpq_url(database_url))
    password = params.pop("password", None)
    env = {**os.environ}
    if password:
        env["PGPASSWORD"] = str(password)
    return make_conninfo(**params), env


def _run(command: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {done.stderr.strip()[-2000:]}")


def backup(database_url: str, target: Path) -> None:
    """Dump the database into ``target`` (custom format)."""
    conninfo, env = _split_password(database_url)
    _run([_tool("pg_dump"), "--format=custom", "--file", str(target), "--dbname", conninfo], env)


def dumped_extensions(source: Path) -> list[str]:
    """The extensions a dump creates, from its table of contents."""
    listing = subprocess.run(
        [_tool("pg_restore"), "--list", str(source)], capture_output=True, text=True, check=True
    ).stdout
    return re.findall(r"^\d+; \d+ \d+ EXTENSION - (\S+)", listing, flags=re.MULTILINE)


def _prepare(database_url: str, extensions: list[str]) -> None:
    """Create the database with the dump's extensions if it does not exist; refuse one that
    already holds tables of its own."""
    params = conninfo_to_dict(libpq_url(database_url))
    name = params["dbname"]
    with psycopg.connect(make_conninfo(**{**params, "dbname": "postgres"}), autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    with psycopg.connect(libpq_url(database_url), autocommit=True) as target:
        tables = target.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'spatial_ref_sys'"
        ).fetchone()[0]
        if tables:
            raise BackupError(f"database {name} already holds {tables} tables: restore into an empty one")
        for extension in extensions:
            target.execute(sql.SQL("CREATE EXTENSION IF NOT EXISTS {}").format(sql.Identifier(extension)))


def restore(source: Path, database_url: str, jobs: int = 1) -> None:
    """Restore a dump into a new or empty database (objects owned by the connecting role)."""
    if not source.is_file():
        raise BackupError(f"{source} is not a file")
    _prepare(database_url, [e for e in dumped_extensions(source) if e != "plpgsql"])
    conninfo, env = _split_password(database_url)
    command = [_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error"]
    if jobs > 1:
        command += ["--jobs", str(jobs)]
    with tempfile.NamedTemporaryFile("w", suffix=".list") as contents:
        contents.write(_without_extensions(source))
        contents.flush()
        _run([*command, "--use-list", contents.name, "--dbname", conninfo, str(source)], env)


def _without_extensions(source: Path) -> str:
    """The dump's table of contents minus its extensions, their comments and PostGIS's own table
    of coordinate systems: the target has the extensions already (see ``_prepare``), and only an
    extension's owner may comment on it or write its tables, so a restore by the application's
    own role would stop there."""
    listing = subprocess.run(
        [_tool("pg_restore"), "--list", str(source)], capture_output=True, text=True, check=True
    ).stdout
    skipped = re.compile(
        r"^\d+; \d+ \d+ (EXTENSION - |COMMENT - EXTENSION |TABLE DATA public spatial_ref_sys )"
    )
    return "\n".join(line for line in listing.splitlines() if not skipped.match(line)) + "\n"
