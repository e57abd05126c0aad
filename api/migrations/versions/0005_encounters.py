"""encounters

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29

Encounters, people, police referrals, revisits, critical incidents and the audit log, which
a trigger keeps append-only.
"""
from alembic import op
import sqlalchemy as sa
from geoalchemy2 import Geometry
from sqlalchemy.dialects import postgresql

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

APPEND_ONLY = """
CREATE FUNCTION patrol_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only';
END $$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION patrol_audit_append_only();
"""


def upgrade() -> None:
    op.create_table('audit_log',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Uuid(), nullable=True),
    sa.Column('actor_role', sa.String(length=32), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('subject_type', sa.String(length=40), nullable=False),
    sa.Column('subject_id', sa.String(length=64), nullable=False),
    sa.Column('fields', postgresql.ARRAY(sa.String(length=40)), nullable=False),
    sa.Column('reason', sa.String(length=300), nullable=False),
    sa.Column('jurisdiction_id', sa.Integer(), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['jurisdiction_id'], ['jurisdictions.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('hash')
    )
    op.execute(APPEND_ONLY)
    op.create_index(op.f('ix_audit_log_subject_id'), 'audit_log', ['subject_id'], unique=False)
    op.create_table('people',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('jurisdiction_id', sa.Integer(), nullable=False),
    sa.Column('alias', sa.String(length=100), nullable=False),
    sa.Column('safety_flags', postgresql.ARRAY(sa.String(length=40)), server_default='{}', nullable=False),
    sa.Column('known_name', sa.String(length=100), nullable=True),
    sa.Column('description', sa.String(length=1000), nullable=True),
    sa.Column('photo_ref', sa.String(length=300), nullable=True),
    sa.Column('identity_status', sa.String(length=16), server_default='unknown', nullable=False),
    sa.Column('local_registration', sa.String(length=16), server_default='unknown', nullable=False),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("identity_status IN ('unknown', 'claimed', 'verified')", name='ck_people_identity_status'),
    sa.CheckConstraint("local_registration IN ('yes', 'no', 'unknown')", name='ck_people_local_registration'),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], ),
    sa.ForeignKeyConstraint(['jurisdiction_id'], ['jurisdictions.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_people_jurisdiction_id'), 'people', ['jurisdiction_id'], unique=False)
    op.create_geospatial_table('revisit_tasks',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('encounter_id', sa.Uuid(), nullable=False),
    sa.Column('person_id', sa.Uuid(), nullable=True),
    sa.Column('team_id', sa.Uuid(), nullable=True),
    sa.Column('officer_id', sa.Uuid(), nullable=False),
    sa.Column('hotspot_id', sa.Uuid(), nullable=True),
    sa.Column('jurisdiction_id', sa.Integer(), nullable=False),
    sa.Column('geom', Geometry(geometry_type='POINT', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry', nullable=False), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('done_by_encounter_id', sa.Uuid(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('open', 'done')", name='ck_revisit_tasks_status'),
    sa.ForeignKeyConstraint(['hotspot_id'], ['hotspots.id'], ),
    sa.ForeignKeyConstraint(['jurisdiction_id'], ['jurisdictions.id'], ),
    sa.ForeignKeyConstraint(['officer_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], ),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('encounter_id')
    )
    op.create_geospatial_index('idx_revisit_tasks_geom', 'revisit_tasks', ['geom'], unique=False, postgresql_using='gist', postgresql_ops={})
    op.create_index(op.f('ix_revisit_tasks_jurisdiction_id'), 'revisit_tasks', ['jurisdiction_id'], unique=False)
    op.create_index(op.f('ix_revisit_tasks_team_id'), 'revisit_tasks', ['team_id'], unique=False)
    op.create_geospatial_table('encounters',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('jurisdiction_id', sa.Integer(), nullable=False),
    sa.Column('officer_id', sa.Uuid(), nullable=False),
    sa.Column('team_id', sa.Uuid(), nullable=True),
    sa.Column('shift_id', sa.Uuid(), nullable=True),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('geom', Geometry(geometry_type='POINT', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry', nullable=False), nullable=False),
    sa.Column('hotspot_id', sa.Uuid(), nullable=True),
    sa.Column('person_id', sa.Uuid(), nullable=True),
    sa.Column('age_band', sa.String(length=16), nullable=False),
    sa.Column('sex', sa.String(length=16), nullable=False),
    sa.Column('categories', postgresql.ARRAY(sa.String(length=40)), server_default='{}', nullable=False),
    sa.Column('needs', postgresql.ARRAY(sa.String(length=60)), server_default='{}', nullable=False),
    sa.Column('civil_capacity', sa.String(length=16), nullable=False),
    sa.Column('offered', postgresql.ARRAY(sa.String(length=60)), server_default='{}', nullable=False),
    sa.Column('answer', sa.String(length=500), nullable=True),
    sa.Column('supplies', postgresql.JSONB(astext_type=sa.Text()), server_default='{}', nullable=False),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('outcome', sa.String(length=32), nullable=False),
    sa.Column('consent_recorded', sa.Boolean(), nullable=False),
    sa.Column('consent_note', sa.String(length=500), nullable=True),
    sa.Column('told_station_contact', sa.Boolean(), nullable=False),
    sa.Column('persuasion_note', sa.String(length=1000), nullable=True),
    sa.Column('no_medical_reason', sa.String(length=500), nullable=True),
    sa.Column('destination_organisation_id', sa.Integer(), nullable=True),
    sa.Column('critical', sa.String(length=32), nullable=True),
    sa.Column('revisit_id', sa.Uuid(), nullable=True),
    sa.CheckConstraint("age_band IN ('under_14', '14_17', '18_39', '40_59', '60_plus', 'unknown')", name='ck_encounters_age_band'),
    sa.CheckConstraint("civil_capacity IN ('full', 'limited', 'none', 'unknown')", name='ck_encounters_civil_capacity'),
    sa.CheckConstraint("outcome IN ('escorted_to_station', 'escorted_to_hospital', 'emergency_services_called', 'refused_help', 'police_referral', 'resolved_on_site', 'no_contact')", name='ck_encounters_outcome'),
    sa.CheckConstraint("sex IN ('male', 'female', 'unknown')", name='ck_encounters_sex'),
    sa.ForeignKeyConstraint(['destination_organisation_id'], ['organisations.id'], ),
    sa.ForeignKeyConstraint(['hotspot_id'], ['hotspots.id'], ),
    sa.ForeignKeyConstraint(['jurisdiction_id'], ['jurisdictions.id'], ),
    sa.ForeignKeyConstraint(['officer_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], ),
    sa.ForeignKeyConstraint(['revisit_id'], ['revisit_tasks.id'], ),
    sa.ForeignKeyConstraint(['shift_id'], ['shifts.id'], ),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_geospatial_index('idx_encounters_geom', 'encounters', ['geom'], unique=False, postgresql_using='gist', postgresql_ops={})
    op.create_index(op.f('ix_encounters_hotspot_id'), 'encounters', ['hotspot_id'], unique=False)
    op.create_index('ix_encounters_jurisdiction_time', 'encounters', ['jurisdiction_id', 'occurred_at'], unique=False)
    op.create_index(op.f('ix_encounters_officer_id'), 'encounters', ['officer_id'], unique=False)
    op.create_index(op.f('ix_encounters_person_id'), 'encounters', ['person_id'], unique=False)
    op.create_geospatial_table('critical_incidents',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('jurisdiction_id', sa.Integer(), nullable=False),
    sa.Column('geom', Geometry(geometry_type='POINT', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry', nullable=False), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('description', sa.String(length=2000), nullable=False),
    sa.Column('encounter_id', sa.Uuid(), nullable=True),
    sa.Column('person_id', sa.Uuid(), nullable=True),
    sa.Column('reported_by', sa.Uuid(), nullable=True),
    sa.Column('notification_group', sa.Uuid(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("kind IN ('person_dead', 'danger_of_death', 'minor_in_danger', 'escorted_person_missing')", name='ck_critical_incidents_kind'),
    sa.ForeignKeyConstraint(['encounter_id'], ['encounters.id'], ),
    sa.ForeignKeyConstraint(['jurisdiction_id'], ['jurisdictions.id'], ),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], ),
    sa.ForeignKeyConstraint(['reported_by'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_geospatial_index('idx_critical_incidents_geom', 'critical_incidents', ['geom'], unique=False, postgresql_using='gist', postgresql_ops={})
    op.create_index(op.f('ix_critical_incidents_jurisdiction_id'), 'critical_incidents', ['jurisdiction_id'], unique=False)
    op.create_table('police_referrals',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('encounter_id', sa.Uuid(), nullable=False),
    sa.Column('jurisdiction_id', sa.Integer(), nullable=False),
    sa.Column('reasons', postgresql.ARRAY(sa.String(length=40)), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['encounter_id'], ['encounters.id'], ),
    sa.ForeignKeyConstraint(['jurisdiction_id'], ['jurisdictions.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('encounter_id')
    )


def downgrade() -> None:
    op.drop_table('police_referrals')
    op.drop_index(op.f('ix_critical_incidents_jurisdiction_id'), table_name='critical_incidents')
    op.drop_geospatial_index('idx_critical_incidents_geom', table_name='critical_incidents', postgresql_using='gist', column_name='geom')
    op.drop_geospatial_table('critical_incidents')
    op.drop_index(op.f('ix_encounters_person_id'), table_name='encounters')
    op.drop_index(op.f('ix_encounters_officer_id'), table_name='encounters')
    op.drop_index('ix_encounters_jurisdiction_time', table_name='encounters')
    op.drop_index(op.f('ix_encounters_hotspot_id'), table_name='encounters')
    op.drop_geospatial_index('idx_encounters_geom', table_name='encounters', postgresql_using='gist', column_name='geom')
    op.drop_geospatial_table('encounters')
    op.drop_index(op.f('ix_revisit_tasks_team_id'), table_name='revisit_tasks')
    op.drop_index(op.f('ix_revisit_tasks_jurisdiction_id'), table_name='revisit_tasks')
    op.drop_geospatial_index('idx_revisit_tasks_geom', table_name='revisit_tasks', postgresql_using='gist', column_name='geom')
    op.drop_geospatial_table('revisit_tasks')
    op.drop_index(op.f('ix_people_jurisdiction_id'), table_name='people')
    op.drop_table('people')
    op.drop_index(op.f('ix_audit_log_subject_id'), table_name='audit_log')
    op.execute('DROP TRIGGER audit_log_append_only ON audit_log; DROP FUNCTION patrol_audit_append_only()')
    op.drop_table('audit_log')
