"""The tamper-evident audit log of personal-data reads."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlmodel import Session

from api.audit.models import AuditEntry
from api.auth.deps import Principal

GENESIS = "0" * 64
_CHAIN_LOCK = 7_040_001  # advisory lock id: one writer at a time extends the chain


def _digest(prev_hash: str, entry: AuditEntry) -> str:
    canonical = json.dumps(
        {
            "prev": prev_hash,
            "at": entry.at.astimezone(UTC).isoformat(),
            "actor": str(entry.actor_id),
            "role": entry.actor_role,
            "action": entry.action,
            "subject_type": entry.subject_type,
            "subject_id": entry.subject_id,
            "fields": sorted(entry.fields),
            "reason": entry.reason,
            "jurisdiction": entry.jurisdiction_id,
        },
        sort_keys=True,
        ensure_ascii=False,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def record(
    session: Session,
    *,
    principal: Principal,
    action: str,
    subject_type: str,
    subject_id: str,
    fields: Sequence[str],
    reason: str,
    jurisdiction_id: int,
) -> AuditEntry:
    """Append an entry in the caller's transaction (it exists only if the read's request commits)."""
    session.execute(sa.select(sa.func.pg_advisory_xact_lock(_CHAIN_LOCK)))
    prev = session.scalar(sa.select(AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1)) or GENESIS
    entry = AuditEntry(
        at=datetime.now(UTC),
        actor_id=principal.id,
        actor_role=principal.role.value,
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        fields=list(fields),
        reason=reason,
        jurisdiction_id=jurisdiction_id,
        prev_hash=prev,
        hash="",
    )
    entry.hash = _digest(prev, entry)
    session.add(entry)
    session.flush()
    return entry


@dataclass(frozen=True)
class Verification:
    entries: int
    intact: bool
    first_broken_id: int | None


def verify(session: Session) -> Verification:
    """Recompute every hash in order; the first entry that does not match breaks the chain."""
    prev, count = GENESIS, 0
    for entry in session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id)).yield_per(1000):
        count += 1
        if entry.prev_hash != prev or _digest(prev, entry) != entry.hash:
            return Verification(count, False, entry.id)
        prev = entry.hash
    return Verification(count, True, None)
