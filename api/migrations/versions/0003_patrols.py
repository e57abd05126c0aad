"""patrols

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29

Teams, patrol routes, shifts, GPS points (partitioned by month; partitions are created on
demand by patrol_gps_partition()), live positions and hotspot visits.
"""
from alembic import op
import sqlalchemy as sa
from geoalchemy2 import Geometry

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

CREATE_PARTITION_FUNCTION = """
CREATE FUNCTION patrol_gps_partition(month_start date) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  first_day date := date_trunc('month', month_start)::date;
  name text := format('gps_points_%s', to_char(first_day, 'YYYY_MM'));
BEGIN
  EXECUTE format(
    'CREATE TABLE IF NOT EXISTS %I PARTITION OF gps_points FOR VALUES FROM (%L) TO (%L)',
    name, first_day::timestamp AT TIME ZONE 'UTC', (first_day + interval '1 month')::timestamp AT TIME ZONE 'UTC');
  RETURN name;
END $$;
"""


def upgrade() -> None:
    op.create_geospatial_table('gps_points',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('shift_id', sa.Uuid(), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('jurisdiction_id', sa.Integer(), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('geom', Geometry(geometry_type='POINT', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry', nullable=False), nullable=False),
    sa.Column('accuracy_m', sa.REAL(), nullable=False),
    sa.Column('speed_mps', sa.REAL(), nullable=True),
    sa.Column('heading_deg', sa.REAL(), nullable=True),
    sa.Column('battery_pct', sa.SmallInteger(), nullable=True),
    sa.Column('flags', sa.SmallInteger(), server_default='0', nullable=False),
    sa.PrimaryKeyConstraint('id', 'recorded_at'),
    postgresql_partition_by='RANGE (recorded_at)'
    )
    op.create_index('ix_gps_points_shift_user_time', 'gps_points', ['shift_id', 'user_id', 'recorded_at'], unique=False)
    op.execute(CREATE_PARTITION_FUNCTION)
    op.execute("SELECT patrol_gps_partition(current_date), patrol_gps_partition((current_date + interval '1 month')::date)")
    op.create_table('teams',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('call_sign', sa.String(length=40), nullable=False),
    sa.Column('vehicle', sa.String(length=100), nullable=True),
    sa.Column('jurisdiction_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['jurisdiction_id'], ['jurisdictions.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('jurisdiction_id', 'call_sign', name='uq_teams_call_sign')
    )
    op.create_index(op.f('ix_teams_jurisdiction_id'), 'teams', ['jurisdiction_id'], unique=False)
    op.create_geospatial_table('patrol_routes',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('jurisdiction_id', sa.Integer(), nullable=False),
    sa.Column('path', Geometry(geometry_type='LINESTRING', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry'), nullable=True),
    sa.Column('length_m', sa.Float(), nullable=False),
    sa.Column('expected_minutes', sa.Integer(), nullable=False),
    sa.Column('planning', sa.String(length=40), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], ),
    sa.ForeignKeyConstraint(['jurisdiction_id'], ['jurisdictions.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_geospatial_index('idx_patrol_routes_path', 'patrol_routes', ['path'], unique=False, postgresql_using='gist', postgresql_ops={})
    op.create_index(op.f('ix_patrol_routes_jurisdiction_id'), 'patrol_routes', ['jurisdiction_id'], unique=False)
    op.create_table('team_members',
    sa.Column('team_id', sa.Uuid(), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('added_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('team_id', 'user_id')
    )
    op.create_index(op.f('ix_team_members_user_id'), 'team_members', ['user_id'], unique=False)
    op.create_table('route_stops',
    sa.Column('route_id', sa.Uuid(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('hotspot_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['hotspot_id'], ['hotspots.id'], ),
    sa.ForeignKeyConstraint(['route_id'], ['patrol_routes.id'], ),
    sa.PrimaryKeyConstraint('route_id', 'position')
    )
    op.create_index(op.f('ix_route_stops_hotspot_id'), 'route_stops', ['hotspot_id'], unique=False)
    op.create_table('shifts',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('team_id', sa.Uuid(), nullable=False),
    sa.Column('route_id', sa.Uuid(), nullable=True),
    sa.Column('jurisdiction_id', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('started_received_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('started_by', sa.Uuid(), nullable=True),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ended_received_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ended_by', sa.Uuid(), nullable=True),
    sa.ForeignKeyConstraint(['ended_by'], ['users.id'], ),
    sa.ForeignKeyConstraint(['jurisdiction_id'], ['jurisdictions.id'], ),
    sa.ForeignKeyConstraint(['route_id'], ['patrol_routes.id'], ),
    sa.ForeignKeyConstraint(['started_by'], ['users.id'], ),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_shifts_jurisdiction_id'), 'shifts', ['jurisdiction_id'], unique=False)
    op.create_index('ix_shifts_open', 'shifts', ['team_id'], unique=False, postgresql_where=sa.text('ended_at IS NULL'))
    op.create_index(op.f('ix_shifts_team_id'), 'shifts', ['team_id'], unique=False)
    op.create_table('hotspot_visits',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('hotspot_id', sa.Uuid(), nullable=False),
    sa.Column('shift_id', sa.Uuid(), nullable=False),
    sa.Column('team_id', sa.Uuid(), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=True),
    sa.Column('jurisdiction_id', sa.Integer(), nullable=False),
    sa.Column('arrived_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('departed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=True),
    sa.CheckConstraint("source IN ('track', 'checkin')", name='ck_hotspot_visits_source'),
    sa.ForeignKeyConstraint(['hotspot_id'], ['hotspots.id'], ),
    sa.ForeignKeyConstraint(['jurisdiction_id'], ['jurisdictions.id'], ),
    sa.ForeignKeyConstraint(['shift_id'], ['shifts.id'], ),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_hotspot_visits_latest', 'hotspot_visits', ['hotspot_id', sa.literal_column('departed_at DESC')], unique=False)
    op.create_index('ix_hotspot_visits_shift', 'hotspot_visits', ['shift_id', 'user_id', 'arrived_at'], unique=False)
    op.create_geospatial_table('live_positions',
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('shift_id', sa.Uuid(), nullable=False),
    sa.Column('team_id', sa.Uuid(), nullable=False),
    sa.Column('jurisdiction_id', sa.Integer(), nullable=False),
    sa.Column('geom', Geometry(geometry_type='POINT', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry', nullable=False), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('accuracy_m', sa.REAL(), nullable=False),
    sa.Column('speed_mps', sa.REAL(), nullable=True),
    sa.Column('heading_deg', sa.REAL(), nullable=True),
    sa.Column('battery_pct', sa.SmallInteger(), nullable=True),
    sa.ForeignKeyConstraint(['jurisdiction_id'], ['jurisdictions.id'], ),
    sa.ForeignKeyConstraint(['shift_id'], ['shifts.id'], ),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('user_id')
    )
    op.create_geospatial_index('idx_live_positions_geom', 'live_positions', ['geom'], unique=False, postgresql_using='gist', postgresql_ops={})
    op.create_index('ix_live_positions_geography', 'live_positions', [sa.literal_column('(geom::geography)')], unique=False, postgresql_using='gist')
    op.create_index(op.f('ix_live_positions_jurisdiction_id'), 'live_positions', ['jurisdiction_id'], unique=False)
    op.create_index(op.f('ix_live_positions_team_id'), 'live_positions', ['team_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_live_positions_team_id'), table_name='live_positions')
    op.drop_index(op.f('ix_live_positions_jurisdiction_id'), table_name='live_positions')
    op.drop_geospatial_index('idx_live_positions_geom', table_name='live_positions', postgresql_using='gist', column_name='geom')
    op.drop_geospatial_table('live_positions')
    op.drop_index('ix_hotspot_visits_shift', table_name='hotspot_visits')
    op.drop_index('ix_hotspot_visits_latest', table_name='hotspot_visits')
    op.drop_table('hotspot_visits')
    op.drop_index(op.f('ix_shifts_team_id'), table_name='shifts')
    op.drop_index('ix_shifts_open', table_name='shifts', postgresql_where=sa.text('ended_at IS NULL'))
    op.drop_index(op.f('ix_shifts_jurisdiction_id'), table_name='shifts')
    op.drop_table('shifts')
    op.drop_index(op.f('ix_route_stops_hotspot_id'), table_name='route_stops')
    op.drop_table('route_stops')
    op.drop_index(op.f('ix_team_members_user_id'), table_name='team_members')
    op.drop_table('team_members')
    op.drop_index(op.f('ix_patrol_routes_jurisdiction_id'), table_name='patrol_routes')
    op.drop_geospatial_index('idx_patrol_routes_path', table_name='patrol_routes', postgresql_using='gist', column_name='path')
    op.drop_geospatial_table('patrol_routes')
    op.drop_index(op.f('ix_teams_jurisdiction_id'), table_name='teams')
    op.drop_table('teams')
    op.drop_index('ix_gps_points_shift_user_time', table_name='gps_points')
    op.drop_geospatial_table('gps_points')
    op.execute('DROP FUNCTION patrol_gps_partition(date)')
