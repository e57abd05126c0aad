"""events wake the live streams from a trigger

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29

Every insert into events (row by row or set-based) notifies the listeners, so no writer can
forget to, and writers save a round trip. NOTIFY is delivered when the transaction commits.
"""
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("""
CREATE FUNCTION patrol_events_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('patrol_events', '');
  RETURN NULL;
END $$;
CREATE TRIGGER events_notify AFTER INSERT ON events
  FOR EACH STATEMENT EXECUTE FUNCTION patrol_events_notify();
""")


def downgrade() -> None:
    op.execute("DROP TRIGGER events_notify ON events; DROP FUNCTION patrol_events_notify();")
