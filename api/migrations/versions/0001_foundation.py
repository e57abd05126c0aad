"""foundation: jurisdictions, organisations, users, hotspots

Revision ID: 0001
Revises: 
Create Date: 2026-11-29

PostGIS is created by the setup command as a superuser (it is not a trusted extension);
ltree is trusted, so the migration may create it itself.
"""
import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry
from sqlalchemy.dialects import postgresql

from api.db import LTree

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    op.execute("CREATE EXTENSION IF NOT EXISTS ltree")
    op.create_geospatial_table('jurisdictions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('level', sa.String(length=16), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('path', LTree(), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('boundary', Geometry(geometry_type='MULTIPOLYGON', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry'), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("code ~ '^[A-Za-z0-9_]{1,32}$'", name='ck_jurisdictions_code'),
    sa.CheckConstraint("level IN ('province', 'city', 'district', 'street', 'community', 'grid')", name='ck_jurisdictions_level'),
    sa.ForeignKeyConstraint(['parent_id'], ['jurisdictions.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('code')
    )
    op.create_geospatial_index('idx_jurisdictions_boundary', 'jurisdictions', ['boundary'], unique=False, postgresql_using='gist', postgresql_ops={})
    op.create_index(op.f('ix_jurisdictions_parent_id'), 'jurisdictions', ['parent_id'], unique=False)
    op.create_index('ix_jurisdictions_path', 'jurisdictions', ['path'], unique=False, postgresql_using='gist')
    op.create_geospatial_table('organisations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('jurisdiction_id', sa.Integer(), nullable=False),
    sa.Column('location', Geometry(geometry_type='POINT', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry', nullable=False), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=True),
    sa.Column('phone', sa.String(length=40), nullable=True),
    sa.Column('hotline', sa.String(length=40), nullable=True),
    sa.Column('opening_hours', sa.String(length=200), nullable=True),
    sa.Column('capacity', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("kind IN ('rescue_station', 'hospital', 'police_station', 'city_management', 'civil_affairs_bureau', 'street_office', 'other')", name='ck_organisations_kind'),
    sa.CheckConstraint('capacity IS NULL OR capacity >= 0', name='ck_organisations_capacity'),
    sa.ForeignKeyConstraint(['jurisdiction_id'], ['jurisdictions.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_geospatial_index('idx_organisations_location', 'organisations', ['location'], unique=False, postgresql_using='gist', postgresql_ops={})
    op.create_index(op.f('ix_organisations_jurisdiction_id'), 'organisations', ['jurisdiction_id'], unique=False)
    op.create_table('users',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('display_name', sa.String(length=100), nullable=False),
    sa.Column('password_hash', sa.Text(), nullable=False),
    sa.Column('role', sa.String(length=32), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('jurisdiction_id', sa.Integer(), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('password_changed_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("role IN ('officer', 'dispatcher', 'station_staff', 'hospital_staff', 'supervisor', 'hotline_operator', 'admin')", name='ck_users_role'),
    sa.ForeignKeyConstraint(['jurisdiction_id'], ['jurisdictions.id'], ),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('username')
    )
    op.create_index(op.f('ix_users_jurisdiction_id'), 'users', ['jurisdiction_id'], unique=False)
    op.create_index(op.f('ix_users_organisation_id'), 'users', ['organisation_id'], unique=False)
    op.create_geospatial_table('hotspots',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('risk_level', sa.String(length=16), nullable=False),
    sa.Column('jurisdiction_id', sa.Integer(), nullable=False),
    sa.Column('geom', Geometry(srid=4326, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry', nullable=False), nullable=False),
    sa.Column('radius_m', sa.Float(), nullable=True),
    sa.Column('area', Geometry(srid=4326, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry'), sa.Computed("CASE WHEN ST_GeometryType(geom) = 'ST_Point' THEN ST_Buffer(geom::geography, radius_m)::geometry ELSE geom END", persisted=True), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('aliases', postgresql.ARRAY(sa.String(length=100)), server_default='{}', nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.Column('updated_by', sa.Uuid(), nullable=True),
    sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('retired_reason', sa.String(length=500), nullable=True),
    sa.CheckConstraint("(ST_GeometryType(geom) = 'ST_Point' AND radius_m > 0 AND radius_m <= 5000) OR (ST_GeometryType(geom) = 'ST_Polygon' AND radius_m IS NULL)", name='ck_hotspots_shape'),
    sa.CheckConstraint("kind IN ('busy_street', 'bridge_culvert', 'underpass', 'railway_station', 'bus_station', 'scenic_area', 'park', 'other')", name='ck_hotspots_kind'),
    sa.CheckConstraint("risk_level IN ('low', 'medium', 'high', 'critical')", name='ck_hotspots_risk_level'),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], ),
    sa.ForeignKeyConstraint(['jurisdiction_id'], ['jurisdictions.id'], ),
    sa.ForeignKeyConstraint(['updated_by'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_geospatial_index('idx_hotspots_area', 'hotspots', ['area'], unique=False, postgresql_using='gist', postgresql_ops={})
    op.create_geospatial_index('idx_hotspots_geom', 'hotspots', ['geom'], unique=False, postgresql_using='gist', postgresql_ops={})
    op.create_index('ix_hotspots_area_geography', 'hotspots', [sa.literal_column('(area::geography)')], unique=False, postgresql_using='gist')
    op.create_index(op.f('ix_hotspots_jurisdiction_id'), 'hotspots', ['jurisdiction_id'], unique=False)
    op.create_table('refresh_tokens',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_hash')
    )
    op.create_index(op.f('ix_refresh_tokens_user_id'), 'refresh_tokens', ['user_id'], unique=False)
    op.create_table('hotspot_revisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('hotspot_id', sa.Uuid(), nullable=False),
    sa.Column('jurisdiction_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('changed_by', sa.Uuid(), nullable=True),
    sa.Column('snapshot', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.ForeignKeyConstraint(['changed_by'], ['users.id'], ),
    sa.ForeignKeyConstraint(['hotspot_id'], ['hotspots.id'], ),
    sa.ForeignKeyConstraint(['jurisdiction_id'], ['jurisdictions.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_hotspot_revisions_hotspot_id'), 'hotspot_revisions', ['hotspot_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_hotspot_revisions_hotspot_id'), table_name='hotspot_revisions')
    op.drop_table('hotspot_revisions')
    op.drop_index(op.f('ix_refresh_tokens_user_id'), table_name='refresh_tokens')
    op.drop_table('refresh_tokens')
    op.drop_index(op.f('ix_hotspots_jurisdiction_id'), table_name='hotspots')
    op.drop_index('ix_hotspots_area_geography', table_name='hotspots', postgresql_using='gist')
    op.drop_geospatial_index('idx_hotspots_geom', table_name='hotspots', postgresql_using='gist', column_name='geom')
    op.drop_geospatial_index('idx_hotspots_area', table_name='hotspots', postgresql_using='gist', column_name='area')
    op.drop_geospatial_table('hotspots')
    op.drop_index(op.f('ix_users_organisation_id'), table_name='users')
    op.drop_index(op.f('ix_users_jurisdiction_id'), table_name='users')
    op.drop_table('users')
    op.drop_index(op.f('ix_organisations_jurisdiction_id'), table_name='organisations')
    op.drop_geospatial_index('idx_organisations_location', table_name='organisations', postgresql_using='gist', column_name='location')
    op.drop_geospatial_table('organisations')
    op.drop_index('ix_jurisdictions_path', table_name='jurisdictions', postgresql_using='gist')
    op.drop_index(op.f('ix_jurisdictions_parent_id'), table_name='jurisdictions')
    op.drop_geospatial_index('idx_jurisdictions_boundary', table_name='jurisdictions', postgresql_using='gist', column_name='boundary')
    op.drop_geospatial_table('jurisdictions')
