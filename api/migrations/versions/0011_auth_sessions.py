"""auth sessions

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01

Login sessions (revocable at once, optionally bound to a device key by DPoP), refresh tokens
tied to their session, and the replay cache of DPoP proofs. Refresh tokens issued before this
revision belong to no session: they are dropped, so their holders log in again.
"""
from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('auth_sessions',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_reason', sa.String(length=40), nullable=True),
    sa.Column('dpop_jkt', sa.String(length=43), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_auth_sessions_user_id'), 'auth_sessions', ['user_id'], unique=False)
    op.create_table('dpop_replay',
    sa.Column('jkt', sa.String(length=43), nullable=False),
    sa.Column('jti', sa.String(length=128), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('jkt', 'jti')
    )
    op.create_index('ix_dpop_replay_expires_at', 'dpop_replay', ['expires_at'], unique=False)
    op.execute('DELETE FROM refresh_tokens')
    op.add_column('refresh_tokens', sa.Column('session_id', sa.Uuid(), nullable=False))
    op.create_index(op.f('ix_refresh_tokens_session_id'), 'refresh_tokens', ['session_id'], unique=False)
    op.create_foreign_key(
        'refresh_tokens_session_id_fkey', 'refresh_tokens', 'auth_sessions', ['session_id'], ['id'], ondelete='CASCADE'
    )


def downgrade() -> None:
    op.drop_constraint('refresh_tokens_session_id_fkey', 'refresh_tokens', type_='foreignkey')
    op.drop_index(op.f('ix_refresh_tokens_session_id'), table_name='refresh_tokens')
    op.drop_column('refresh_tokens', 'session_id')
    op.drop_index('ix_dpop_replay_expires_at', table_name='dpop_replay')
    op.drop_table('dpop_replay')
    op.drop_index(op.f('ix_auth_sessions_user_id'), table_name='auth_sessions')
    op.drop_table('auth_sessions')
