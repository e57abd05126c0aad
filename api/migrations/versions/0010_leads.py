"""leads

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29

Public leads, their offers to teams and photos, the landmark gazetteer, and the counters
behind the public intake limits.
"""
from alembic import op
import sqlalchemy as sa
from geoalchemy2 import Geometry
from sqlalchemy.dialects import postgresql

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('rate_counters',
    sa.Column('key', sa.String(length=120), nullable=False),
    sa.Column('window_start', sa.DateTime(timezone=True), nullable=False),
    sa.Column('hits', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('key', 'window_start')
    )
    op.create_geospatial_table('landmarks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('aliases', postgresql.ARRAY(sa.String(length=200)), server_default='{}', nullable=False),
    sa.Column('jurisdiction_id', sa.Integer(), nullable=False),
    sa.Column('geom', Geometry(geometry_type='POINT', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry', nullable=False), nullable=False),
    sa.ForeignKeyConstraint(['jurisdiction_id'], ['jurisdictions.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('jurisdiction_id', 'name', name='uq_landmarks_name')
    )
    op.create_geospatial_index('idx_landmarks_geom', 'landmarks', ['geom'], unique=False, postgresql_using='gist', postgresql_ops={})
    op.create_index(op.f('ix_landmarks_jurisdiction_id'), 'landmarks', ['jurisdiction_id'], unique=False)
    op.create_geospatial_table('leads',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('number', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('external_ref', sa.String(length=64), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('urgency', sa.String(length=16), nullable=False),
    sa.Column('minor_involved', sa.Boolean(), nullable=False),
    sa.Column('age_band', sa.String(length=16), nullable=True),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('place_text', sa.String(length=300), nullable=True),
    sa.Column('geom', Geometry(geometry_type='POINT', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry'), nullable=True),
    sa.Column('place_source', sa.String(length=16), nullable=True),
    sa.Column('jurisdiction_id', sa.Integer(), nullable=False),
    sa.Column('reporter_contact', sa.LargeBinary(), nullable=True),
    sa.Column('reporter_hint', sa.String(length=40), nullable=True),
    sa.Column('receipt_hash', sa.String(length=64), nullable=False),
    sa.Column('media_url', sa.String(length=1000), nullable=True),
    sa.Column('callback_url', sa.String(length=1000), nullable=True),
    sa.Column('duplicate_of', sa.Uuid(), nullable=True),
    sa.Column('team_id', sa.Uuid(), nullable=True),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('deadline_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deadline_missed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('arrived_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('outcome', sa.String(length=24), nullable=True),
    sa.Column('public_note', sa.String(length=500), nullable=True),
    sa.Column('encounter_ids', postgresql.ARRAY(sa.Uuid()), server_default='{}', nullable=False),
    sa.CheckConstraint("(status = 'linked') <= (duplicate_of IS NOT NULL) AND (duplicate_of IS NULL OR status IN ('linked', 'closed'))", name='ck_leads_linked'),
    sa.CheckConstraint("source IN ('hotline', 'web', 'open311', '12345')", name='ck_leads_source'),
    sa.CheckConstraint("status IN ('new', 'offered', 'accepted', 'arrived', 'closed', 'linked')", name='ck_leads_status'),
    sa.CheckConstraint("urgency IN ('normal', 'urgent')", name='ck_leads_urgency'),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], ),
    sa.ForeignKeyConstraint(['duplicate_of'], ['leads.id'], ),
    sa.ForeignKeyConstraint(['jurisdiction_id'], ['jurisdictions.id'], ),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('number'),
    sa.UniqueConstraint('receipt_hash')
    )
    op.create_index(op.f('ix_leads_duplicate_of'), 'leads', ['duplicate_of'], unique=False)
    op.create_index('ix_leads_jurisdiction_created', 'leads', ['jurisdiction_id', 'created_at'], unique=False)
    op.create_index('ix_leads_open_geography', 'leads', [sa.text('(geom::geography)')], unique=False, postgresql_using='gist', postgresql_where=sa.text("status <> 'closed'"))
    op.create_index(op.f('ix_leads_team_id'), 'leads', ['team_id'], unique=False)
    op.create_index('uq_leads_external', 'leads', ['source', 'external_ref'], unique=True)
    op.create_table('lead_offers',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('lead_id', sa.Uuid(), nullable=False),
    sa.Column('team_id', sa.Uuid(), nullable=False),
    sa.Column('distance_m', sa.Float(), nullable=True),
    sa.Column('offered_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('answer', sa.String(length=16), nullable=True),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('answered_by', sa.Uuid(), nullable=True),
    sa.ForeignKeyConstraint(['answered_by'], ['users.id'], ),
    sa.ForeignKeyConstraint(['lead_id'], ['leads.id'], ),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('lead_id', 'team_id', name='uq_lead_offers_team')
    )
    op.create_index(op.f('ix_lead_offers_lead_id'), 'lead_offers', ['lead_id'], unique=False)
    op.create_index(op.f('ix_lead_offers_team_id'), 'lead_offers', ['team_id'], unique=False)
    op.create_index('uq_lead_offers_open', 'lead_offers', ['lead_id'], unique=True, postgresql_where=sa.text('answer IS NULL'))
    op.create_table('lead_photos',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('lead_id', sa.Uuid(), nullable=False),
    sa.Column('content_type', sa.String(length=40), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['lead_id'], ['leads.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_lead_photos_lead_id'), 'lead_photos', ['lead_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_lead_photos_lead_id'), table_name='lead_photos')
    op.drop_table('lead_photos')
    op.drop_index('uq_lead_offers_open', table_name='lead_offers', postgresql_where=sa.text('answer IS NULL'))
    op.drop_index(op.f('ix_lead_offers_team_id'), table_name='lead_offers')
    op.drop_index(op.f('ix_lead_offers_lead_id'), table_name='lead_offers')
    op.drop_table('lead_offers')
    op.drop_index('uq_leads_external', table_name='leads')
    op.drop_index(op.f('ix_leads_team_id'), table_name='leads')
    op.drop_index('ix_leads_open_geography', table_name='leads')
    op.drop_index('ix_leads_jurisdiction_created', table_name='leads')
    op.drop_index(op.f('ix_leads_duplicate_of'), table_name='leads')
    op.drop_geospatial_table('leads')
    op.drop_index(op.f('ix_landmarks_jurisdiction_id'), table_name='landmarks')
    op.drop_geospatial_index('idx_landmarks_geom', table_name='landmarks', postgresql_using='gist', column_name='geom')
    op.drop_geospatial_table('landmarks')
    op.drop_table('rate_counters')
