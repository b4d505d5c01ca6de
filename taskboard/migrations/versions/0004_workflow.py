"""Open Dental's task workflow: subscriptions, per-user New, inboxes, history, popup blocks.

Also: reminder types are stored as Open Dental's integer flags (in decimal, in the same
column), and the change marker remembers up to when due reminders were announced.

Revision ID: 0004_workflow
Revises: 0003_rate_limits
"""

from alembic import op
import sqlalchemy as sa

revision = "0004_workflow"
down_revision = "0003_rate_limits"
branch_labels = None
depends_on = None

Key = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
LongText = sa.Text().with_variant(sa.dialects.mysql.MEDIUMTEXT(), "mysql", "mariadb")
OLD_NAMES = {"NoReminder": "0", "Daily": "1", "Weekly": "2", "Monthly": "4", "Yearly": "8"}


def _enum(*values: str) -> sa.Enum:
    return sa.Enum(*values, native_enum=False, length=16)


def upgrade():
    op.create_table(
        "task_subscription",
        sa.Column("task_subscription_num", Key, nullable=False),
        sa.Column("user_num", Key, nullable=False),
        sa.Column("task_list_num", Key, nullable=True),
        sa.Column("task_num", Key, nullable=True),
        sa.CheckConstraint(
            "(task_list_num IS NULL) <> (task_num IS NULL)",
            name=op.f("ck_task_subscription_one_target"),
        ),
        sa.ForeignKeyConstraint(
            ["task_list_num"],
            ["task_list.task_list_num"],
            name=op.f("fk_task_subscription_task_list_num_task_list"),
        ),
        sa.ForeignKeyConstraint(
            ["task_num"], ["task.task_num"], name=op.f("fk_task_subscription_task_num_task")
        ),
        sa.ForeignKeyConstraint(
            ["user_num"], ["userod.user_num"], name=op.f("fk_task_subscription_user_num_userod")
        ),
        sa.PrimaryKeyConstraint("task_subscription_num", name=op.f("pk_task_subscription")),
        sa.UniqueConstraint("user_num", "task_list_num", name="uq_task_subscription_user_list"),
        sa.UniqueConstraint("user_num", "task_num", name="uq_task_subscription_user_task"),
    )
    op.create_index("ix_task_subscription_list", "task_subscription", ["task_list_num"])
    op.create_index("ix_task_subscription_task", "task_subscription", ["task_num"])

    op.create_table(
        "task_unread",
        sa.Column("task_num", Key, nullable=False),
        sa.Column("user_num", Key, nullable=False),
        sa.ForeignKeyConstraint(
            ["task_num"], ["task.task_num"], name=op.f("fk_task_unread_task_num_task")
        ),
        sa.ForeignKeyConstraint(
            ["user_num"], ["userod.user_num"], name=op.f("fk_task_unread_user_num_userod")
        ),
        sa.PrimaryKeyConstraint("task_num", "user_num", name=op.f("pk_task_unread")),
    )
    op.create_index("ix_task_unread_user", "task_unread", ["user_num"])

    op.create_table(
        "task_hist",
        sa.Column("task_hist_num", Key, nullable=False),
        sa.Column("user_num_hist", Key, nullable=False),
        sa.Column("date_t_stamp", sa.DateTime(), nullable=False),
        sa.Column("is_note_change", sa.Boolean(), nullable=False),
        sa.Column("task_num", Key, nullable=False),
        sa.Column("task_list_num", Key, nullable=False),
        sa.Column("date_task", sa.Date(), nullable=True),
        sa.Column("key_num", Key, nullable=False),
        sa.Column("descript", LongText, nullable=False),
        sa.Column("task_status", _enum("New", "Viewed", "Done"), nullable=False),
        sa.Column("is_repeating", sa.Boolean(), nullable=False),
        sa.Column("date_type", _enum("None", "Day", "Week", "Month"), nullable=False),
        sa.Column("from_num", Key, nullable=False),
        sa.Column("object_type", _enum("None", "Patient", "Appointment"), nullable=False),
        sa.Column("date_time_entry", sa.DateTime(), nullable=False),
        sa.Column("user_num", Key, nullable=False),
        sa.Column("date_time_finished", sa.DateTime(), nullable=True),
        sa.Column("priority_def_num", Key, nullable=True),
        sa.Column("reminder_group_id", sa.String(length=255), nullable=False),
        sa.Column("reminder_type", sa.String(length=16), nullable=False),
        sa.Column("reminder_frequency", sa.Integer(), nullable=False),
        sa.Column("date_time_original", sa.DateTime(), nullable=False),
        sa.Column("sec_date_t_edit", sa.DateTime(), nullable=False),
        sa.Column("descript_override", sa.String(length=256), nullable=False),
        sa.Column("is_read_only", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["task_num"], ["task.task_num"], name=op.f("fk_task_hist_task_num_task")
        ),
        sa.PrimaryKeyConstraint("task_hist_num", name=op.f("pk_task_hist")),
    )
    op.create_index("ix_task_hist_task", "task_hist", ["task_num", "task_hist_num"])

    op.create_table(
        "task_popup_block",
        sa.Column("user_num", Key, nullable=False),
        sa.Column("task_list_num", Key, nullable=False),
        sa.ForeignKeyConstraint(
            ["task_list_num"],
            ["task_list.task_list_num"],
            name=op.f("fk_task_popup_block_task_list_num_task_list"),
        ),
        sa.ForeignKeyConstraint(
            ["user_num"], ["userod.user_num"], name=op.f("fk_task_popup_block_user_num_userod")
        ),
        sa.PrimaryKeyConstraint("user_num", "task_list_num", name=op.f("pk_task_popup_block")),
    )
    op.create_table(
        "office_setting",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("value", sa.String(length=255), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_office_setting")),
    )

    inbox = sa.Column("task_list_inbox", Key, sa.ForeignKey("task_list.task_list_num"))
    if op.get_context().dialect.name == "sqlite":
        # SQLite adds a column with its reference in one ALTER; no table copy is needed.
        op.add_column("userod", inbox, inline_references=True)
    else:
        op.add_column("userod", sa.Column("task_list_inbox", Key, nullable=True))
        op.create_foreign_key(
            op.f("fk_userod_task_list_inbox_task_list"),
            "userod",
            "task_list",
            ["task_list_inbox"],
            ["task_list_num"],
        )
    op.add_column("change_marker", sa.Column("reminders_through", sa.DateTime(), nullable=True))
    op.create_index("ix_task_entry", "task", ["date_time_entry"])
    op.create_index("ix_task_reminder_group", "task", ["reminder_group_id"])
    task = sa.table("task", sa.column("reminder_type", sa.String(16)))
    for name, flags in OLD_NAMES.items():
        op.execute(task.update().where(task.c.reminder_type == name).values(reminder_type=flags))


def downgrade():
    task = sa.table("task", sa.column("reminder_type", sa.String(16)))
    for name, flags in OLD_NAMES.items():
        op.execute(task.update().where(task.c.reminder_type == flags).values(reminder_type=name))
    op.drop_index("ix_task_reminder_group", table_name="task")
    op.drop_index("ix_task_entry", table_name="task")
    with op.batch_alter_table("change_marker") as batch_op:
        batch_op.drop_column("reminders_through")
    if op.get_context().dialect.name != "sqlite":
        op.drop_constraint(
            op.f("fk_userod_task_list_inbox_task_list"), "userod", type_="foreignkey"
        )
    with op.batch_alter_table("userod") as batch_op:
        batch_op.drop_column("task_list_inbox")
    op.drop_table("office_setting")
    op.drop_table("task_popup_block")
    op.drop_index("ix_task_hist_task", table_name="task_hist")
    op.drop_table("task_hist")
    op.drop_index("ix_task_unread_user", table_name="task_unread")
    op.drop_table("task_unread")
    op.drop_index("ix_task_subscription_task", table_name="task_subscription")
    op.drop_index("ix_task_subscription_list", table_name="task_subscription")
    op.drop_table("task_subscription")
