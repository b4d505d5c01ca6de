"""A per-user flag that lets a staff user manage task lists without being an administrator.

Revision ID: 0005_board_admin
Revises: 0004_workflow
"""
from alembic import op
import sqlalchemy as sa

revision = "0005_board_admin"
down_revision = "0004_workflow"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("userod", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "can_manage_lists", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )


def downgrade():
    with op.batch_alter_table("userod", schema=None) as batch_op:
        batch_op.drop_column("can_manage_lists")
