"""Importing the workflow tables: subscriptions, New rows, history, popup blocks, settings.

The same rules as the rest of the import (`importer`): a record that refers to a user,
list or task that is neither stored nor imported is named and nothing is stored. History
rows are stored as given, never written by the change path (`journal`), so an import
adds no history of its own. A user's inbox (`TaskListInBox`) refers to a list, and lists
come after users, so inboxes are held back and set once the lists are in.
"""

from sqlalchemy import bindparam, select, update

from ..extensions import Model, db
from ..models import (
    OfficeSetting,
    Task,
    TaskHist,
    TaskList,
    TaskPopupBlock,
    TaskSubscription,
    TaskUnread,
    User,
)
from .bulk import insert_rows
from .common import Known, check_text
from .errors import Invalid, ServiceError, literal, not_found
from .loading import IN_CHUNK, Chunk, ImportFailed, Kind, Preloaded

_HISTORY_REQUIRED = (
    "date_t_stamp",
    "task_list_num",
    "descript",
    "task_status",
    "date_time_entry",
    "user_num",
    "date_time_original",
    "sec_date_t_edit",
)
Inbox = tuple[str, int, int | None]  # the user record's label, its UserNum, its inbox


def _require(attrs: dict, names: tuple[str, ...]) -> None:
    for attr in names:
        if attrs.get(attr) is None:
            raise Invalid("{0} is required.", attr)


def _user(known: Known, user_num: object, attr: str = "user_num") -> None:
    if not isinstance(user_num, int) or not known.has(User, user_num):
        raise not_found("User", attr)


def _prepare_subscription(attrs: dict, known: Known, exists: bool) -> dict:
    _user(known, attrs.get("user_num"))
    list_num, task_num = attrs.get("task_list_num"), attrs.get("task_num")
    if (list_num is None) == (task_num is None):
        raise Invalid(
            "Give either {0} or {1}, not both and not neither.", "task_list_num", "task_num"
        )
    if list_num is not None and not known.has(TaskList, list_num):
        raise not_found("TaskList", "task_list_num")
    if task_num is not None and not known.has(Task, task_num):
        raise not_found("Task", "task_num")
    column = TaskSubscription.task_list_num if list_num is not None else TaskSubscription.task_num
    other = db.session.scalar(
        select(TaskSubscription.task_subscription_num).where(
            TaskSubscription.user_num == attrs["user_num"],
            column == (list_num if list_num is not None else task_num),
            TaskSubscription.task_subscription_num != attrs["task_subscription_num"],
        )
    )
    if other is not None:
        raise Invalid(
            f"{{0}} already follows this in TaskSubscriptionNum {other}; one subscription"
            " a user and target.",
            "user_num",
        )
    return {**attrs, "task_list_num": list_num, "task_num": task_num}


def _prepare_unread(attrs: dict, known: Known, exists: bool) -> dict:
    if not known.has(Task, attrs.get("task_num", 0)):
        raise not_found("Task", "task_num")
    _user(known, attrs.get("user_num"))
    return attrs


def _prepare_history(attrs: dict, known: Known, exists: bool) -> dict:
    if not known.has(Task, attrs.get("task_num", 0)):
        raise not_found("Task", "task_num")
    if attrs.get("user_num_hist"):  # 0: a change through the API, by nobody
        _user(known, attrs["user_num_hist"], "user_num_hist")
    if not exists:
        _require(attrs, _HISTORY_REQUIRED)
    return attrs


def _prepare_popup_block(attrs: dict, known: Known, exists: bool) -> dict:
    _user(known, attrs.get("user_num"))
    if not known.has(TaskList, attrs.get("task_list_num", 0)):
        raise not_found("TaskList", "task_list_num")
    return attrs


def _prepare_setting(attrs: dict, known: Known, exists: bool) -> dict:
    check_text(attrs.get("name"), "name", max_length=64)
    if not exists or "value" in attrs:
        check_text(attrs.get("value"), "value", max_length=255, required=False)
        if attrs.get("value") is None:
            raise Invalid("{0} is required.", "value")
    return attrs


# Stored after every other kind, in this order.
WORKFLOW_KINDS: dict[str, Kind] = {
    "tasksubscriptions": Kind(
        TaskSubscription,
        _prepare_subscription,
        {User: ("user_num",), TaskList: ("task_list_num",), Task: ("task_num",)},
    ),
    "taskunreads": Kind(TaskUnread, _prepare_unread, {Task: ("task_num",), User: ("user_num",)}),
    "taskhists": Kind(TaskHist, _prepare_history, {Task: ("task_num",), User: ("user_num_hist",)}),
    "taskpopupblocks": Kind(
        TaskPopupBlock, _prepare_popup_block, {User: ("user_num",), TaskList: ("task_list_num",)}
    ),
    "officesettings": Kind(OfficeSetting, _prepare_setting),
}
# Kinds of one user and one thing (their key is the pair): each pair stored once.
LINKS = frozenset(("taskunreads", "taskpopupblocks"))
ONE_BY_ONE = frozenset(("tasksubscriptions",))  # a pair must not repeat under another key


def store_links(kind: Kind, chunk: Chunk) -> None:
    """Check a chunk of pair records and insert the pairs not stored yet."""
    known = Preloaded()
    for other, names in kind.refers.items():
        for attr in names:
            known.load(other, {record.get(attr) for record in chunk.records})
    columns = [str(column.key) for column in kind.model.__mapper__.primary_key]
    pairs: dict[tuple, dict] = {}
    for index, attrs in enumerate(chunk.records):
        try:
            row = kind.prepare(dict(attrs), known, False)
        except ServiceError as exc:
            raise ImportFailed(
                f"{literal(chunk.label(index))}: {exc.template}", *exc.fields
            ) from None
        pairs[tuple(row[column] for column in columns)] = row
    stored = _stored_pairs(kind.model, columns, {pair[0] for pair in pairs})
    insert_rows(kind.model, [row for pair, row in pairs.items() if pair not in stored])


def _stored_pairs(model: type[Model], columns: list[str], firsts: set) -> set[tuple]:
    table = model.__table__
    first = table.c[columns[0]]
    keys = sorted(firsts)
    found: set[tuple] = set()
    for start in range(0, len(keys), IN_CHUNK):
        stmt = select(*(table.c[column] for column in columns)).where(
            first.in_(keys[start : start + IN_CHUNK])
        )
        found.update(tuple(row) for row in db.session.execute(stmt))
    return found


def hold_inboxes(chunk: Chunk, held: list[Inbox]) -> Chunk:
    """Take `TaskListInBox` out of a chunk of users, to be set by `set_inboxes` later."""
    records = []
    for index, attrs in enumerate(chunk.records):
        if "task_list_inbox" in attrs:
            attrs = dict(attrs)
            held.append((chunk.label(index), attrs["user_num"], attrs.pop("task_list_inbox")))
        records.append(attrs)
    return Chunk(chunk.kind, records, chunk.label)


def set_inboxes(held: list[Inbox]) -> None:
    """Set the held inboxes; name the first user whose inbox is no task list."""
    if not held:
        return
    known = Preloaded()
    known.load(TaskList, {inbox for _, _, inbox in held})
    for label, _, inbox in held:
        if inbox is not None and not known.has(TaskList, inbox):
            message = not_found("TaskList", "task_list_inbox")
            raise ImportFailed(f"{literal(label)}: {message.template}", *message.fields)
    table = User.__table__
    statement = (
        update(table)
        .where(table.c.user_num == bindparam("num"))
        .values(task_list_inbox=bindparam("inbox"))
    )
    rows = [{"num": num, "inbox": inbox} for _, num, inbox in held]
    for start in range(0, len(rows), IN_CHUNK):
        db.session.execute(statement, rows[start : start + IN_CHUNK])
