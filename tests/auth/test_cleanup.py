"""The worker forgets spent DPoP proofs and long-ended logins, and keeps the rest."""

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from api.auth.jobs import auth_cleanup
from api.auth.models import DpopReplay, LoginSession


def test_cleanup_drops_only_what_can_no_longer_matter(session, officer):
    now = datetime.now(UTC)
    session.add_all(
        [
            DpopReplay(jkt="k" * 43, jti="spent", expires_at=now - timedelta(seconds=1)),
            DpopReplay(jkt="k" * 43, jti="live", expires_at=now + timedelta(seconds=60)),
            LoginSession(
                user_id=officer.user.id,
                expires_at=now + timedelta(days=1),
                revoked_at=now - timedelta(days=31),
                revoked_reason="logout",
            ),
            LoginSession(user_id=officer.user.id, expires_at=now - timedelta(days=31)),
            LoginSession(user_id=officer.user.id, expires_at=now + timedelta(days=1), revoked_at=now),
        ]
    )
    session.commit()
    before = session.scalar(sa.select(sa.func.count()).select_from(LoginSession))
    auth_cleanup(timestamp=int(now.timestamp()))
    session.rollback()
    assert session.scalars(sa.select(DpopReplay.jti)).all() == ["live"]
    assert session.scalar(sa.select(sa.func.count()).select_from(LoginSession)) == before - 2
