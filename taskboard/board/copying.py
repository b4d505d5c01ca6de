"""Copy a task to several lists at once, and tick it New again for oneself (task panel)."""

from flask import flash, g, render_template, request

from .. import services
from ..panel_forms import CopyForm
from . import bp, is_htmx, list_choices, render
from .tasks import _after_change, _detail


def copy_choices() -> list[tuple[int, str]]:
    """Return the lists a copy can go to: every active list, in tree order."""
    return list_choices(services.list_tree())


@bp.app_template_global()
def still_new_for(task_num: int) -> list[str]:
    """Return the names of the users for whom the task is still New (one query)."""
    return [user.user_name for user in services.who_has_new(task_num=task_num)]


def and_list(names: list[str]) -> str:
    """Join names the way people write them: "A", "A and B", "A, B and C"."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


@bp.post("/tasks/<key:task_num>/copy")
def copy_task(task_num: int):
    """Put a New copy of the task (with its notes) into each chosen list: all or none."""
    form = CopyForm(request.form)
    if not form.validate():
        return _refused(task_num, form, " ".join(form.task_list_nums.errors))
    chosen = form.task_list_nums.data
    try:
        copies = services.copy_to(task_num=task_num, task_list_nums=chosen, actor=g.user.user_num)
    except services.NotFound as exc:
        if "task_list_num" not in exc.fields:
            raise
        return _refused(task_num, form, _about_lists(exc, chosen))
    except services.ServiceError as exc:
        return _refused(task_num, form, _about_lists(exc, chosen))
    names = dict(copy_choices())
    made = [f"{names.get(c.task_list_num, c.task_list_num)!s} (task {c.task_num})" for c in copies]
    return _done(task_num, f"Copied to {and_list([name.strip() for name in made])}.")


@bp.post("/tasks/<key:task_num>/new-for-me")
def mark_new(task_num: int):
    """Tick New again: the task is New for the signed-in user once more (not when Done)."""
    services.mark_new_for_me(task_num=task_num, user_num=g.user.user_num)
    if services.is_new_for(task_num=task_num, user_num=g.user.user_num):
        return _done(task_num, "It is New for you again.")
    return _done(task_num, "A Done task is New for no one; reopen it first.")


def _about_lists(exc: services.ServiceError, chosen: list[int]) -> str:
    """Return the service's message naming the chosen list it is about (gone or archived)."""
    active = {num for num, _ in copy_choices()}
    missing = [num for num in chosen if num not in active]
    if not missing:
        return exc.render(lambda attr: "A chosen list")
    try:
        name = f"“{services.get_task_list(task_list_num=missing[0]).descript}”"
    except services.NotFound:
        name = f"List {missing[0]}"
    if isinstance(exc, services.NotFound):
        return f"{name} no longer exists; choose other lists."
    return exc.render(lambda attr: name)


def _done(task_num: int, notice: str, template: str = "board/detail_changed.html", **extra):
    """Answer a change with the panel saying what happened (htmx), else a flash and redirect."""
    if not is_htmx():
        flash(notice)
        return _after_change(task_num)
    return render_template(template, notice=notice, **extra, **_detail(task_num))


def _refused(task_num: int, form: CopyForm, message: str):
    context = _detail(task_num)
    return render(
        "board/task_page.html",
        "board/_task_detail.html",
        422,
        copy_error=message,
        copy_form=form,
        **context,
    )
