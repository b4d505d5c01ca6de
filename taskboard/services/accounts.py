"""Staff users and API key pairs."""

import functools
import hmac
import re
import secrets
import string

from flask import current_app
from sqlalchemy import Row, delete, func, select
from werkzeug.security import check_password_hash, generate_password_hash

from ..database import writes
from ..extensions import db
from ..models import ApiKey, Permission, User, UserSession
from .common import UNSET, check_text, digest, find, now
from .errors import Invalid, literal, not_found
from .keycache import key_cache
from .limits import RATE_LIMIT_MAX, claim_sign_in, sign_in_succeeded

PASSWORD_MIN = 8
USER_NAME_MAX = 255
KEY_PATTERN = re.compile(r"[A-Za-z0-9]{8,64}")
_KEY_ALPHABET = string.ascii_letters + string.digits
_DUMMY_DIGEST = digest("no such key")


def get_user(*, user_num: int, field: str = "user_num") -> User:
    """Return one user, or raise NotFound naming `field`."""
    user = find(User, user_num)
    if user is None:
        raise not_found("User", field)
    return user


@writes
def create_user(
    *, user_name: str, password: str, is_admin: bool = False, can_manage_lists: bool = False
) -> User:
    """Create a staff user who can sign in to the board."""
    user_name = check_user_name(user_name)
    check_password(password)
    user = User(
        user_name=user_name,
        password_hash=_hash(password),
        is_admin=is_admin,
        can_manage_lists=can_manage_lists,
    )
    db.session.add(user)
    return user


@writes
def update_user(*, user_num: int, is_hidden=UNSET, is_admin=UNSET, can_manage_lists=UNSET) -> User:
    """Hide or show a user, make or unmake an administrator, let them manage task lists.

    A hidden user cannot sign in and their sessions end at once. The office always keeps
    one visible administrator, so nobody can lock everyone out of administration.
    """
    user = get_user(user_num=user_num)
    was_admin = user.is_admin and not user.is_hidden
    changes = {
        name: bool(value)
        for name, value in (
            ("is_hidden", is_hidden),
            ("is_admin", is_admin),
            ("can_manage_lists", can_manage_lists),
        )
        if value is not UNSET
    }
    for name, value in changes.items():
        setattr(user, name, value)
    db.session.flush()
    if user.is_hidden:
        db.session.execute(delete(UserSession).where(UserSession.user_num == user_num))
    if was_admin and not (user.is_admin and not user.is_hidden) and not _visible_admins():
        field = "is_hidden" if user.is_hidden else "is_admin"
        raise Invalid(
            "{0}: this is the last visible administrator; make another user an "
            "administrator first.",
            field,
        )
    return user


@writes
def reset_password(*, user_num: int, new_password: str) -> User:
    """Give a user a new password (an administrator's reset); their sessions end."""
    user = get_user(user_num=user_num)
    check_password(new_password, "new_password")
    user.password_hash = _hash(new_password)
    db.session.execute(delete(UserSession).where(UserSession.user_num == user_num))
    return user


def may_manage_lists(user: User) -> bool:
    """Return whether `user` may create, rename, nest and archive task lists."""
    return bool(user.is_admin or user.can_manage_lists)


def _visible_admins() -> int:
    return (
        db.session.scalar(
            select(func.count()).where(User.is_admin.is_(True), User.is_hidden.is_(False))
        )
        or 0
    )


def check_user_name(user_name: str | None, user_num: int | None = None) -> str:
    """Return a valid user name that no other user has, trimmed."""
    name = check_text(user_name, "user_name", max_length=USER_NAME_MAX).strip()
    taken = db.session.scalar(select(User.user_num).where(User.user_name == name))
    if taken is not None and taken != user_num:
        raise Invalid(f"{{0}} {literal(repr(name))} is already taken.", "user_name")
    return name


def check_password(password: str, field: str = "password") -> None:
    """Raise Invalid unless `password` is long enough."""
    if len(password) < PASSWORD_MIN:
        raise Invalid(f"{{0}} must be at least {PASSWORD_MIN} characters.", field)


def authenticate_user(*, user_name: str, password: str, address: str) -> User:
    """Return the user whose name and password match, unless the throttle refuses.

    The attempt is counted before its password is checked (see limits.claim_sign_in).
    """
    keys = {
        "name_key": f"user:{user_name.strip().casefold()}"[:300],
        "address_key": f"addr:{address}"[:300],
    }
    claim_sign_in(**keys)
    user = db.session.scalar(select(User).where(User.user_name == user_name.strip()))
    # Hash even for unknown names, so timing does not tell which names exist.
    ok = check_password_hash(
        user.password_hash if user and user.password_hash else _dummy_hash(), password
    )
    if ok and user is not None and not user.is_hidden:
        sign_in_succeeded(**keys)
        return user
    raise Invalid("The user name or password is wrong.", "user_name")


@writes
def change_password(*, user_num: int, current_password: str, new_password: str) -> User:
    """Change a user's password after checking the current one."""
    user = get_user(user_num=user_num)
    if not user.password_hash or not check_password_hash(user.password_hash, current_password):
        raise Invalid("The current password is wrong.", "current_password")
    check_password(new_password, "new_password")
    user.password_hash = _hash(new_password)
    return user


@writes
def create_api_key(
    *,
    permission: Permission,
    developer_key: str | None = None,
    customer_key: str | None = None,
    rate_limit: int | None = None,
) -> tuple[ApiKey, str, str]:
    """Create a key pair; return it with the two keys, which are never stored.

    `rate_limit`: its requests a minute (0: no limit), instead of TASKBOARD_API_RATE_LIMIT.
    """
    if rate_limit is not None and not 0 <= rate_limit <= RATE_LIMIT_MAX:
        raise Invalid(f"{{0}} must be a whole number from 0 to {RATE_LIMIT_MAX}.", "rate_limit")
    developer_key = developer_key or _random_key()
    customer_key = customer_key or _random_key()
    for field, key in (("developer_key", developer_key), ("customer_key", customer_key)):
        if not KEY_PATTERN.fullmatch(key):
            raise Invalid("{0} must be 8 to 64 letters or digits.", field)
    dev_hash, cust_hash = digest(developer_key), digest(customer_key)
    taken = db.session.scalar(
        select(ApiKey).where(
            ApiKey.developer_key_hash == dev_hash, ApiKey.customer_key_hash == cust_hash
        )
    )
    if taken is not None:
        raise Invalid("That key pair already exists; choose another {0}.", "customer_key")
    api_key = ApiKey(
        developer_key_hash=dev_hash,
        customer_key_hash=cust_hash,
        permission=permission,
        date_time_created=now(),
        rate_limit=rate_limit,
    )
    db.session.add(api_key)
    return api_key, developer_key, customer_key


def authenticate_api_key(*, developer_key: str, customer_key: str) -> Row | None:
    """Return the enabled key pair (its row) matching the two keys, in constant time.

    A pair found once is kept in this process's cache (keycache.py) until a key pair
    changes anywhere; only digests of the keys are kept.
    """
    digests = (digest(developer_key), digest(customer_key))
    cache = key_cache()
    found = cache.get(digests)
    if found is None:
        table = ApiKey.__table__
        candidates = db.session.execute(
            select(table).where(table.c.developer_key_hash == digests[0])
        ).all()
        choices: list[Row | None] = list(candidates) or [None]
        for candidate in choices:
            stored = candidate.customer_key_hash if candidate else _DUMMY_DIGEST
            if hmac.compare_digest(stored, digests[1]) and candidate is not None:
                found = candidate
        if found is not None:
            cache.put(digests, found)
    if found is None or found.is_disabled:
        return None
    return found


@writes
def set_api_key_disabled(*, api_key_num: int, disabled: bool) -> ApiKey:
    """Disable or re-enable a key pair."""
    api_key = find(ApiKey, api_key_num)
    if api_key is None:
        raise not_found("ApiKey", "api_key_num")
    api_key.is_disabled = disabled
    return api_key


def _hash(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


@functools.cache
def _dummy_hash() -> str:
    return generate_password_hash("no such user")


def _random_key() -> str:
    return "".join(secrets.choice(_KEY_ALPHABET) for _ in range(24))
