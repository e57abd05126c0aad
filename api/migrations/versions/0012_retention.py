"""retention

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-29

Legal holds on people and leads: retention and erasure leave held records alone.
"""
from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('legal_holds',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('subject_type', sa.String(length=16), nullable=False),
    sa.Column('subject_id', sa.Uuid(), nullable=False),
    sa.Column('jurisdiction_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=300), nullable=False),
    sa.Column('placed_by', sa.Uuid(), nullable=True),
    sa.Column('placed_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('released_by', sa.Uuid(), nullable=True),
    sa.Column('released_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("subject_type IN ('person', 'lead')", name='ck_legal_holds_subject_type'),
    sa.ForeignKeyConstraint(['jurisdiction_id'], ['jurisdictions.id'], ),
    sa.ForeignKeyConstraint(['placed_by'], ['users.id'], ),
    sa.ForeignKeyConstraint(['released_by'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(
        'ix_legal_holds_active_subject', 'legal_holds', ['subject_type', 'subject_id'],
        unique=False, postgresql_where=sa.text('released_at IS NULL'),
    )


def downgrade() -> None:
    op.drop_index('ix_legal_holds_active_subject', table_name='legal_holds',
                  postgresql_where=sa.text('released_at IS NULL'))
    op.drop_table('legal_holds')
