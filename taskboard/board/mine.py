"""What the board shows for the signed-in user only: New for me, subscriptions, views.

The values are read once a request (kept on `g`) when a template first asks, so every
page, fragment and poll answer that draws rows or the tree shows them without each route
passing them along.
"""

from flask import g

from .. import services
from ..forms import FilterForm
from ..models import TaskStatus
from . import bp

NEW_FOR_ME = "new"
FOR_ME = "mine"
REMINDERS = "reminders"
PATIENT = "patient"
_OPEN = [TaskStatus.New, TaskStatus.Viewed]


def _cached(name: str, read):
    if name not in g:
        setattr(g, name, read())
    return getattr(g, name)


@bp.app_template_global()
def new_for_me() -> set[int]:
    """Return the TaskNums New for the signed-in user."""
    return _cached("_new_for_me", lambda: set(services.unread_task_nums(user_num=g.user.user_num)))


@bp.app_template_global()
def my_lists() -> set[int]:
    """Return the lists the signed-in user subscribed to."""
    return _cached("_my_lists", lambda: services.subscribed_list_nums(user_num=g.user.user_num))


@bp.app_template_global()
def my_task_subscription(task_num: int) -> bool:
    """Tell whether the signed-in user subscribed to this one task."""
    tasks = _cached(
        "_my_tasks",
        lambda: {
            s.task_num
            for s in services.subscriptions(user_num=g.user.user_num)
            if s.task_num is not None
        },
    )
    return task_num in tasks


@bp.app_template_global()
def my_count(node: services.ListNode) -> int:
    """Return how many tasks are New for the signed-in user in a list and the lists in it."""
    counts = _cached("_my_counts", lambda: services.unread_counts(user_num=g.user.user_num))
    return counts.get(node.task_list.task_list_num, 0) + sum(my_count(c) for c in node.children)


def open_for_me(task) -> bool:
    """Open a task for the signed-in user (services.open_task) when there is something to
    clear, so that a plain look writes nothing and moves no change marker; say if it did."""
    user_num = g.user.user_num
    if services.needs_opening(task=task, user_num=user_num):
        services.open_task(task_num=task.task_num, user_num=user_num)
        return True
    return False


def _with_nested(tree: list[services.ListNode], wanted: set[int], inside: bool = False):
    """Yield the lists in `wanted` and every list nested in them."""
    for node in tree:
        here = inside or node.task_list.task_list_num in wanted
        if here:
            yield node.task_list.task_list_num
        yield from _with_nested(node.children, wanted, here)


def view_rows(
    filters: FilterForm, tree: list[services.ListNode], selected: services.ListNode | None
) -> tuple[list[services.BoardRow], dict]:
    """Return the rows the filters ask for (a view's, or the selected list's), and what
    else the view shows (Patient tasks: the patient, the patients found, a message)."""
    user_num = g.user.user_num
    board_filters = filters.board_filters()  # also drops an unknown view
    view = filters.view.data
    if view == NEW_FOR_ME:
        return services.board_rows(task_nums=services.unread_task_nums(user_num=user_num)), {}
    if view == FOR_ME:
        lists = {tl.task_list_num for tl in services.for_me_lists(user_num=user_num)}
        subscribed = lists & services.subscribed_list_nums(user_num=user_num)
        lists |= set(_with_nested(tree, subscribed))  # a subscription takes nested lists in
        status = board_filters["status"]
        statuses = list(TaskStatus) if status == "All" else _OPEN
        if status in TaskStatus.__members__:
            statuses = [TaskStatus(status)]
        return services.board_rows(task_list_nums=sorted(lists), statuses=statuses), {}
    if view == REMINDERS:
        return services.reminder_rows(), {}
    if view == PATIENT:
        return _patient_view(filters, board_filters["status"])
    rows = services.board_rows(
        task_list_num=selected.task_list.task_list_num if selected else None, **board_filters
    )
    return rows, {}


def _patient_view(filters: FilterForm, status: str) -> tuple[list[services.BoardRow], dict]:
    """The Patient tasks view: the chosen patient's tasks, and the patients a name finds."""
    found = (filters.find.data or "")[:100] if not filters.find.errors else ""
    extra: dict = {"patient": None, "patient_error": None, "find": found}
    extra["found"] = services.search_patients(text=found) if found.strip() else []
    pat_num, raw = filters.patient.data, (filters.patient.raw_data or [""])[0]
    if pat_num is None:
        if raw:
            extra["patient_error"] = (
                f"“{raw[:20]}” is not a patient number; find the patient by name."
            )
        return [], extra
    try:
        extra["patient"] = services.get_patient(pat_num=pat_num)
    except services.NotFound:
        extra["patient_error"] = f"There is no patient {pat_num}; find the patient by name."
        return [], extra
    return services.patient_rows(pat_num=pat_num, status=status), extra


@bp.app_template_global()
def not_due_yet(task) -> bool:
    """Tell whether a task is a reminder still ahead (only the Reminders view shows those)."""
    return bool(task.reminder_group_id) and task.date_time_entry > services.now()
