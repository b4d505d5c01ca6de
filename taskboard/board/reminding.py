"""Reminders from the board: set one up in the task panel, stop it, or add a reminder task.

The rules and the date math are the services' (`set_reminder`, `create_reminder`); the form
checks that the fields are there and well formed, and the panel says what was set up.
"""

from flask import g, request

from .. import services
from ..models import ReminderFlag, Task
from ..panel_forms import REPEATING_KINDS, ReminderForm
from ..services.reminders import split_reminder_type
from ..web import field_error
from . import board_url, bp, render, stamp
from .copying import _done, and_list
from .mine import REMINDERS
from .tasks import _detail, _filters_from, _task_form, created, new_task_fields

PANEL_PREFIX = "reminder"  # the task panel's form; the new-task form's fields are "remind-…"
NEW_PREFIX = "remind"
DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
UNITS = {
    ReminderFlag.Daily: ("Daily", "day"),
    ReminderFlag.Weekly: ("Weekly", "week"),
    ReminderFlag.Monthly: ("Monthly", "month"),
    ReminderFlag.Yearly: ("Yearly", "year"),
}
# Which field a service's reminder error lands on.
ERROR_FIELDS = {"ReminderFrequency": "frequency", "ReminderType": "weekdays"}


def is_reminder(task: Task) -> bool:
    return bool(task.reminder_group_id) and task.reminder_type != ReminderFlag.NoReminder


@bp.app_template_filter("reminder_summary")
def reminder_summary(task: Task) -> str:
    """Say what reminder a task is: "Weekly on Mon and Thu, every 2 weeks, next due …"."""
    if not is_reminder(task):
        return ""
    kind, days = split_reminder_type(task.reminder_type)
    ahead = task.date_time_entry > services.now()
    when = f"{'next due' if ahead else 'due since'} {stamp(task.date_time_entry)}"
    if kind == ReminderFlag.Once or kind not in UNITS:
        return f"Once, {when}"
    name, unit = UNITS[kind]
    if kind == ReminderFlag.Weekly and days:
        name += " on " + and_list([DAY_NAMES[day] for day in sorted(days)])
    every = task.reminder_frequency or 1
    return f"{name}{f', every {every} {unit}s' if every > 1 else ''}, {when}"


@bp.app_template_global()
def reminder_form_for(task: Task) -> ReminderForm:
    """Return the panel's reminder form, filled in with the task's reminder (if it is one)."""
    if not is_reminder(task):
        return ReminderForm(None, prefix=PANEL_PREFIX, kind="Once", due=task.date_time_entry)
    kind, days = split_reminder_type(task.reminder_type)
    return ReminderForm(
        None,
        prefix=PANEL_PREFIX,
        kind=kind.name,
        weekdays=sorted(days),
        frequency=task.reminder_frequency or 1,
        due=task.date_time_entry,
    )


@bp.app_template_global()
def new_reminder_form(formdata=None) -> ReminderForm:
    """Return the new-task form's reminder fields (its due time is the task's Date/time)."""
    form = ReminderForm(formdata, prefix=NEW_PREFIX)
    del form.due
    return form


def _arguments(form: ReminderForm) -> dict:
    repeats = form.kind.data in REPEATING_KINDS
    return {
        "kind": ReminderFlag[form.kind.data],
        "weekdays": form.weekdays.data or [],
        "frequency": form.frequency.data if repeats else None,
    }


def _service_error(form: ReminderForm, exc: services.ServiceError) -> None:
    field = ERROR_FIELDS.get(exc.field or "", "kind")
    form[field].errors = [*form[field].errors, exc.render(lambda attr: form[field].label.text)]


@bp.post("/tasks/<key:task_num>/reminder")
def set_task_reminder(task_num: int):
    """Make the task a reminder (or change its reminder), due at the chosen time."""
    form = ReminderForm(request.form, prefix=PANEL_PREFIX)
    if form.validate():
        try:
            task = services.set_reminder(
                task_num=task_num, due=form.due.data, actor=g.user.user_num, **_arguments(form)
            )
        except services.NotFound:
            raise
        except services.ServiceError as exc:
            _service_error(form, exc)
        else:
            return _done(
                task_num,
                f"It is a reminder now: {reminder_summary(task)}.",
                "board/reminder_changed.html",
                reminders_view=_filters_from(board_url()).view.data == REMINDERS,
            )
    context = _detail(task_num)
    return render(
        "board/task_page.html", "board/_task_detail.html", 422, reminder_form=form, **context
    )


@bp.post("/tasks/<key:task_num>/reminder/stop")
def stop_task_reminder(task_num: int):
    """Make the reminder a plain task again (Open Dental's NoReminder)."""
    services.set_reminder(task_num=task_num, kind=ReminderFlag.NoReminder, actor=g.user.user_num)
    return _done(task_num, "It is no longer a reminder.")


@bp.post("/tasks/reminder")
def create_reminder():
    """Add Task / Reminder: create a reminder task, due at the form's Date/time."""
    form = _task_form(request.form)
    reminder = new_reminder_form(request.form)
    valid = form.validate() & reminder.validate()  # both, so every error shows at once
    if form.date_time_entry.data is None and not form.date_time_entry.errors:
        form.date_time_entry.errors = ["A reminder needs the date and time it falls due."]
        valid = False
    if valid:
        try:
            task = services.create_reminder(
                **new_task_fields(form), due=form.date_time_entry.data, **_arguments(reminder)
            )
        except services.ServiceError as exc:
            if exc.field in ERROR_FIELDS:
                _service_error(reminder, exc)
            else:
                field_error(form, exc, "descript")
        else:
            return created(task)
    return render(
        "board/task_form_page.html",
        "board/_task_form.html",
        422,
        form=form,
        remind_form=reminder,
    )
