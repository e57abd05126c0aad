"""sweeps

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29

Weather alerts, sweeps and sweep tasks; encounters link to the task of their hotspot.
"""
from alembic import op
import sqlalchemy as sa
from geoalchemy2 import Geometry
from sqlalchemy.dialects import postgresql

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_geospatial_table('sweeps',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('level', sa.String(length=16), nullable=False),
    sa.Column('jurisdiction_id', sa.Integer(), nullable=False),
    sa.Column('area', Geometry(geometry_type='MULTIPOLYGON', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry', nullable=False), nullable=False),
    sa.Column('trigger', sa.String(length=16), nullable=False),
    sa.Column('trigger_ref', sa.String(length=300), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('check_deadline', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('closed_reason', sa.String(length=300), nullable=True),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("kind IN ('cold', 'heat', 'other')", name='ck_sweeps_kind'),
    sa.CheckConstraint("level IN ('blue', 'yellow', 'orange', 'red')", name='ck_sweeps_level'),
    sa.CheckConstraint("status IN ('open', 'closed')", name='ck_sweeps_status'),
    sa.CheckConstraint("trigger IN ('alert', 'rule', 'person')", name='ck_sweeps_trigger'),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], ),
    sa.ForeignKeyConstraint(['jurisdiction_id'], ['jurisdictions.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_geospatial_index('idx_sweeps_area', 'sweeps', ['area'], unique=False, postgresql_using='gist', postgresql_ops={})
    op.create_index(op.f('ix_sweeps_jurisdiction_id'), 'sweeps', ['jurisdiction_id'], unique=False)
    op.create_table('sweep_tasks',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('sweep_id', sa.Uuid(), nullable=False),
    sa.Column('hotspot_id', sa.Uuid(), nullable=False),
    sa.Column('team_id', sa.Uuid(), nullable=True),
    sa.Column('status', sa.String(length=16), server_default='pending', nullable=False),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('done_by', sa.Uuid(), nullable=True),
    sa.Column('people_found', sa.Integer(), server_default='0', nullable=False),
    sa.Column('persuaded', sa.Integer(), server_default='0', nullable=False),
    sa.Column('escorted', sa.Integer(), server_default='0', nullable=False),
    sa.Column('refused', sa.Integer(), server_default='0', nullable=False),
    sa.Column('supplies', postgresql.JSONB(astext_type=sa.Text()), server_default='{}', nullable=False),
    sa.Column('notes', sa.String(length=1000), nullable=True),
    sa.CheckConstraint("status IN ('pending', 'done')", name='ck_sweep_tasks_status'),
    sa.ForeignKeyConstraint(['done_by'], ['users.id'], ),
    sa.ForeignKeyConstraint(['hotspot_id'], ['hotspots.id'], ),
    sa.ForeignKeyConstraint(['sweep_id'], ['sweeps.id'], ),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('sweep_id', 'hotspot_id', name='uq_sweep_tasks_hotspot')
    )
    op.create_index(op.f('ix_sweep_tasks_hotspot_id'), 'sweep_tasks', ['hotspot_id'], unique=False)
    op.create_index(op.f('ix_sweep_tasks_sweep_id'), 'sweep_tasks', ['sweep_id'], unique=False)
    op.create_index(op.f('ix_sweep_tasks_team_id'), 'sweep_tasks', ['team_id'], unique=False)
    op.create_geospatial_table('weather_alerts',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('identifier', sa.String(length=200), nullable=False),
    sa.Column('sender', sa.String(length=200), nullable=False),
    sa.Column('sent', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('msg_type', sa.String(length=16), nullable=False),
    sa.Column('event', sa.String(length=200), nullable=False),
    sa.Column('severity', sa.String(length=16), nullable=False),
    sa.Column('onset', sa.DateTime(timezone=True), nullable=True),
    sa.Column('expires', sa.DateTime(timezone=True), nullable=True),
    sa.Column('area', Geometry(geometry_type='MULTIPOLYGON', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry'), nullable=True),
    sa.Column('geocodes', postgresql.ARRAY(sa.String(length=32)), server_default='{}', nullable=False),
    sa.Column('raw', sa.Text(), nullable=False),
    sa.Column('sweep_id', sa.Uuid(), nullable=True),
    sa.Column('received_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['sweep_id'], ['sweeps.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('sender', 'identifier', name='uq_weather_alerts_identity')
    )
    op.create_geospatial_index('idx_weather_alerts_area', 'weather_alerts', ['area'], unique=False, postgresql_using='gist', postgresql_ops={})
    op.add_column('encounters', sa.Column('sweep_task_id', sa.Uuid(), nullable=True))
    op.create_index(op.f('ix_encounters_sweep_task_id'), 'encounters', ['sweep_task_id'], unique=False)
    op.create_foreign_key('encounters_sweep_task_id_fkey', 'encounters', 'sweep_tasks', ['sweep_task_id'], ['id'])


def downgrade() -> None:
    # WARNING: constraint name is None; this directive will fail as
    # rendered.  Add a name, or use a naming convention; see
    # https://alembic.sqlalchemy.org/en/latest/naming.html
    op.drop_constraint('encounters_sweep_task_id_fkey', 'encounters', type_='foreignkey')
    op.drop_index(op.f('ix_encounters_sweep_task_id'), table_name='encounters')
    op.drop_column('encounters', 'sweep_task_id')
    op.drop_geospatial_index('idx_weather_alerts_area', table_name='weather_alerts', postgresql_using='gist', column_name='area')
    op.drop_geospatial_table('weather_alerts')
    op.drop_index(op.f('ix_sweep_tasks_team_id'), table_name='sweep_tasks')
    op.drop_index(op.f('ix_sweep_tasks_sweep_id'), table_name='sweep_tasks')
    op.drop_index(op.f('ix_sweep_tasks_hotspot_id'), table_name='sweep_tasks')
    op.drop_table('sweep_tasks')
    op.drop_index(op.f('ix_sweeps_jurisdiction_id'), table_name='sweeps')
    op.drop_geospatial_index('idx_sweeps_area', table_name='sweeps', postgresql_using='gist', column_name='area')
    op.drop_geospatial_table('sweeps')
