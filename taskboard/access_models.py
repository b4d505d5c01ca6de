"""Who may reach the office: API key pairs, staff sessions and wall-display links.

Each stores only a digest of its secret. `models` re-exports them.
"""

import datetime as dt

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from .extensions import Model
from .models import Key, Permission, _enum


class ApiKey(Model):
    """An Open Dental-style key pair; only SHA-256 digests of the two keys are stored."""

    __tablename__ = "api_key"
    __table_args__ = (
        Index("ix_api_key_pair", "developer_key_hash", "customer_key_hash", unique=True),
    )

    api_key_num: Mapped[int] = mapped_column(Key, primary_key=True)
    developer_key_hash: Mapped[str] = mapped_column(String(64))
    customer_key_hash: Mapped[str] = mapped_column(String(64))
    permission: Mapped[Permission] = mapped_column(_enum(Permission))
    is_disabled: Mapped[bool] = mapped_column(default=False)
    date_time_created: Mapped[dt.datetime]
    # Requests a minute for this key; None: TASKBOARD_API_RATE_LIMIT; 0: no limit.
    rate_limit: Mapped[int | None]

    def __repr__(self) -> str:
        return f"<ApiKey {self.api_key_num} {self.permission}>"


class UserSession(Model):
    """A staff sign-in: the browser's cookie holds a token, only its digest is stored here.

    Signing out deletes the row, so a copied cookie stops working at once; a session idle
    longer than the office's setting is no longer valid.
    """

    __tablename__ = "user_session"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_num: Mapped[int] = mapped_column(Key, ForeignKey("userod.user_num"), index=True)
    date_time_created: Mapped[dt.datetime]
    date_time_active: Mapped[dt.datetime] = mapped_column(index=True)

    def __repr__(self) -> str:
        return f"<UserSession of {self.user_num} active {self.date_time_active}>"


class KioskToken(Model):
    """A read-only wall-display link, scoped to some task lists; only its hash is stored."""

    __tablename__ = "kiosk_token"

    kiosk_token_num: Mapped[int] = mapped_column(Key, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(100), default="")
    task_list_nums: Mapped[str] = mapped_column(String(1000))
    privacy: Mapped[bool] = mapped_column(default=False)
    show_viewed: Mapped[bool] = mapped_column(default=False)
    chime: Mapped[bool] = mapped_column(default=False)
    date_time_created: Mapped[dt.datetime]
    date_time_revoked: Mapped[dt.datetime | None]

    @property
    def list_nums(self) -> list[int]:
        return [int(num) for num in self.task_list_nums.split(",") if num]

    def __repr__(self) -> str:
        return f"<KioskToken {self.kiosk_token_num} lists {self.task_list_nums}>"
