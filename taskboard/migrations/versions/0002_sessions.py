"""Staff sessions kept on the server, so signing out ends them everywhere.

Revision ID: 0002_sessions
Revises: 5aefd6bb1088
"""
from alembic import op
import sqlalchemy as sa

revision = "0002_sessions"
down_revision = "5aefd6bb1088"
branch_labels = None
depends_on = None

Key = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade():
    op.create_table(
        "user_session",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_num", Key, nullable=False),
        sa.Column("date_time_created", sa.DateTime(), nullable=False),
        sa.Column("date_time_active", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_num"], ["userod.user_num"], name=op.f("fk_user_session_user_num_userod")
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_user_session")),
    )
    with op.batch_alter_table("user_session", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_user_session_date_time_active"), ["date_time_active"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_user_session_user_num"), ["user_num"], unique=False)


def downgrade():
    with op.batch_alter_table("user_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_session_user_num"))
        batch_op.drop_index(batch_op.f("ix_user_session_date_time_active"))
    op.drop_table("user_session")
