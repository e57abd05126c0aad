"""handovers

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29

Handovers and their steps; the written record, once issued, cannot change (trigger).
"""
from alembic import op
import sqlalchemy as sa
from geoalchemy2 import Geometry
from sqlalchemy.dialects import postgresql

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

RECORD_IMMUTABLE = """
CREATE FUNCTION patrol_handover_record_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.record_sha256 IS NOT NULL AND (NEW.record_sha256 IS DISTINCT FROM OLD.record_sha256
                                         OR NEW.record_pdf IS DISTINCT FROM OLD.record_pdf) THEN
    RAISE EXCEPTION 'a written handover record never changes once issued';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER handover_record_immutable BEFORE UPDATE ON handovers
  FOR EACH ROW EXECUTE FUNCTION patrol_handover_record_immutable();
"""


def upgrade() -> None:
    op.create_table('handovers',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('jurisdiction_id', sa.Integer(), nullable=False),
    sa.Column('to_organisation_id', sa.Integer(), nullable=False),
    sa.Column('from_organisation_id', sa.Integer(), nullable=True),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.Column('encounter_id', sa.Uuid(), nullable=True),
    sa.Column('person_id', sa.Uuid(), nullable=True),
    sa.Column('rerouted_from', sa.Uuid(), nullable=True),
    sa.Column('needs', postgresql.ARRAY(sa.String(length=60)), server_default='{}', nullable=False),
    sa.Column('belongings', postgresql.ARRAY(sa.String(length=100)), server_default='{}', nullable=False),
    sa.Column('health_notes', sa.String(length=2000), nullable=True),
    sa.Column('eta', sa.DateTime(timezone=True), nullable=True),
    sa.Column('deadline_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decline_reason', sa.String(length=500), nullable=True),
    sa.Column('legal_case_pending', sa.Boolean(), nullable=False),
    sa.Column('fit_for_discharge_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('code_hash', sa.String(length=64), nullable=True),
    sa.Column('code_expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('receiver_name', sa.String(length=100), nullable=True),
    sa.Column('receiver_user_id', sa.Uuid(), nullable=True),
    sa.Column('signature_ref', sa.String(length=300), nullable=True),
    sa.Column('handed_over_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('record_pdf', sa.LargeBinary(), nullable=True),
    sa.Column('record_sha256', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("kind IN ('to_station', 'to_hospital', 'identity_check', 'discharge_pickup', 'police_referral')", name='ck_handovers_kind'),
    sa.CheckConstraint("state IN ('held', 'requested', 'accepted', 'in_transit', 'arrived', 'handed_over', 'closed', 'declined', 'expired')", name='ck_handovers_state'),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], ),
    sa.ForeignKeyConstraint(['encounter_id'], ['encounters.id'], ),
    sa.ForeignKeyConstraint(['from_organisation_id'], ['organisations.id'], ),
    sa.ForeignKeyConstraint(['jurisdiction_id'], ['jurisdictions.id'], ),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], ),
    sa.ForeignKeyConstraint(['receiver_user_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['rerouted_from'], ['handovers.id'], ),
    sa.ForeignKeyConstraint(['to_organisation_id'], ['organisations.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_handovers_encounter_id'), 'handovers', ['encounter_id'], unique=False)
    op.create_index(op.f('ix_handovers_jurisdiction_id'), 'handovers', ['jurisdiction_id'], unique=False)
    op.create_index(op.f('ix_handovers_person_id'), 'handovers', ['person_id'], unique=False)
    op.execute(RECORD_IMMUTABLE)
    op.create_index('ix_handovers_receiver_open', 'handovers', ['to_organisation_id', 'state'], unique=False)
    op.create_geospatial_table('handover_steps',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('handover_id', sa.Uuid(), nullable=False),
    sa.Column('from_state', sa.String(length=16), nullable=True),
    sa.Column('to_state', sa.String(length=16), nullable=False),
    sa.Column('actor_id', sa.Uuid(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('geom', Geometry(geometry_type='POINT', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry'), nullable=True),
    sa.Column('note', sa.String(length=500), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['handover_id'], ['handovers.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_geospatial_index('idx_handover_steps_geom', 'handover_steps', ['geom'], unique=False, postgresql_using='gist', postgresql_ops={})
    op.create_index(op.f('ix_handover_steps_handover_id'), 'handover_steps', ['handover_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_handover_steps_handover_id'), table_name='handover_steps')
    op.drop_geospatial_index('idx_handover_steps_geom', table_name='handover_steps', postgresql_using='gist', column_name='geom')
    op.drop_geospatial_table('handover_steps')
    op.drop_index('ix_handovers_receiver_open', table_name='handovers')
    op.drop_index(op.f('ix_handovers_person_id'), table_name='handovers')
    op.drop_index(op.f('ix_handovers_jurisdiction_id'), table_name='handovers')
    op.drop_index(op.f('ix_handovers_encounter_id'), table_name='handovers')
    op.execute('DROP TRIGGER handover_record_immutable ON handovers; '
               'DROP FUNCTION patrol_handover_record_immutable()')
    op.drop_table('handovers')
