"""``python -m mobile_contract check|refresh``: the compatibility gate and the snapshot.

Run from the repository root. Building the app's OpenAPI document reads the settings but
opens no connection, so placeholders stand in for unset ones.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from mobile_contract import compat, snapshot

app = typer.Typer(help="The phone contract: compare the app with the snapshot, or refresh the snapshot.")

SnapshotOption = Annotated[Path, typer.Option(help="The committed snapshot.")]
ChangelogOption = Annotated[Path, typer.Option(help="The contract's changelog.")]


def _live() -> dict:
    os.environ.setdefault("DATABASE_URL", "postgresql+psycopg://contract@127.0.0.1/unused")
    os.environ.setdefault("PATROL_SECRET_KEY", "placeholder-only-for-building-the-openapi-document")
    return snapshot.phone_part(snapshot.app_document())


def _judge(live: dict, snapshot_file: Path, changelog_file: Path) -> compat.Verdict | None:
    """The gate's verdict, printed; None when there is no snapshot yet."""
    if not snapshot_file.exists():
        return None
    changelog = changelog_file.read_text(encoding="utf-8") if changelog_file.exists() else ""
    result = compat.verdict(snapshot.load_snapshot(snapshot_file), live, changelog)
    typer.echo(f"snapshot {result.old_version}, app {result.new_version}")
    for change in result.breaking:
        typer.echo(f"  breaking: {change}")
    for problem in result.problems:
        typer.echo(f"  refused: {problem}", err=True)
    return result


@app.command()
def check(
    snapshot_file: SnapshotOption = snapshot.SNAPSHOT, changelog: ChangelogOption = snapshot.CHANGELOG
) -> None:
    """Exit 1 when the app would break shipped apps without a new major version and changelog entry."""
    live = _live()
    result = _judge(live, snapshot_file, changelog)
    if result is None:
        typer.echo(f"no snapshot at {snapshot_file}: run `python -m mobile_contract refresh`", err=True)
        raise typer.Exit(1)
    if not result.ok:
        raise typer.Exit(1)
    if snapshot.dumps(live) != snapshot_file.read_text(encoding="utf-8"):
        typer.echo("the snapshot lags the app (compatible changes): refresh it")
    else:
        typer.echo("the snapshot matches the app")


@app.command()
def refresh(
    snapshot_file: SnapshotOption = snapshot.SNAPSHOT, changelog: ChangelogOption = snapshot.CHANGELOG
) -> None:
    """Write the app's phone part to the snapshot, if the gate lets the change through."""
    live = _live()
    result = _judge(live, snapshot_file, changelog)
    if result is not None and not result.ok:
        raise typer.Exit(1)
    snapshot_file.write_text(snapshot.dumps(live), encoding="utf-8")
    typer.echo(f"wrote {snapshot_file} ({len(live['paths'])} paths, contract {live['x-contract-version']})")


if __name__ == "__main__":
    app()
