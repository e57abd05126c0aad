"""supplies

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29

Supply stock per team and per station.
"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('supply_stock',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Uuid(), nullable=True),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('jurisdiction_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('low_at', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint('(team_id IS NULL) <> (organisation_id IS NULL)', name='ck_supply_stock_holder'),
    sa.ForeignKeyConstraint(['jurisdiction_id'], ['jurisdictions.id'], ),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], ),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_supply_stock_jurisdiction_id'), 'supply_stock', ['jurisdiction_id'], unique=False)
    op.create_index('uq_supply_stock_organisation', 'supply_stock', ['organisation_id', 'kind'], unique=True, postgresql_where=sa.text('organisation_id IS NOT NULL'))
    op.create_index('uq_supply_stock_team', 'supply_stock', ['team_id', 'kind'], unique=True, postgresql_where=sa.text('team_id IS NOT NULL'))


def downgrade() -> None:
    op.drop_index('uq_supply_stock_team', table_name='supply_stock', postgresql_where=sa.text('team_id IS NOT NULL'))
    op.drop_index('uq_supply_stock_organisation', table_name='supply_stock', postgresql_where=sa.text('organisation_id IS NOT NULL'))
    op.drop_index(op.f('ix_supply_stock_jurisdiction_id'), table_name='supply_stock')
    op.drop_table('supply_stock')
