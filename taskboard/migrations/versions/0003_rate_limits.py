"""Per-key API rate limits: a key's own limit, and the counters every worker shares.

Revision ID: 0003_rate_limits
Revises: 0002_sessions
"""
from alembic import op
import sqlalchemy as sa

revision = "0003_rate_limits"
down_revision = "0002_sessions"
branch_labels = None
depends_on = None

Key = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade():
    # NULL: the installation's TASKBOARD_API_RATE_LIMIT; 0: no limit for this key.
    with op.batch_alter_table("api_key", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rate_limit", sa.Integer(), nullable=True))
    op.create_table(
        "api_request_count",
        sa.Column("api_key_num", Key, autoincrement=False, nullable=False),
        sa.Column("window_minute", sa.BigInteger(), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("api_key_num", name=op.f("pk_api_request_count")),
        # A count must not wait for InnoDB's log flush; losing counts on a restart is harmless.
        mysql_engine="MEMORY",
    )


def downgrade():
    op.drop_table("api_request_count")
    with op.batch_alter_table("api_key", schema=None) as batch_op:
        batch_op.drop_column("rate_limit")
