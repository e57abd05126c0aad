"""weather rules

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29

Per-jurisdiction thresholds for forecast-driven sweeps.
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('weather_rules',
    sa.Column('jurisdiction_id', sa.Integer(), nullable=False),
    sa.Column('cold_threshold_c', sa.Float(), nullable=False),
    sa.Column('heat_threshold_c', sa.Float(), nullable=False),
    sa.Column('hours_ahead', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['jurisdiction_id'], ['jurisdictions.id'], ),
    sa.PrimaryKeyConstraint('jurisdiction_id')
    )


def downgrade() -> None:
    op.drop_table('weather_rules')
