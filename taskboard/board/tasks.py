"""The board's task views: the board itself, creating, editing, status, notes, links."""

from urllib.parse import parse_qsl, urlsplit

from flask import abort, g, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from .. import services
from ..forms import FilterForm, LinkForm, MoveForm, NoteForm, StatusForm, TaskForm
from ..models import TaskStatus
from ..web import field_error
from . import back, board_url, bp, find_list, is_htmx, list_choices, render
from .mine import open_for_me, view_rows


def _filters() -> FilterForm:
    """Read the board's filters from the query string."""
    return FilterForm(request.args)


def board_context(filters: FilterForm) -> dict:
    """Return what the board region shows for these filters, with the marker to poll from."""
    marker = services.current_marker()  # before the rows, so no change can slip between
    tree = services.list_tree()
    list_num = filters.list.data
    selected = find_list(tree, list_num)
    filters.list.choices = [("", "All lists"), *list_choices(tree)]
    rows, extra = view_rows(filters, tree, selected)
    return {
        **extra,
        "tree": tree,
        "selected": selected,
        "filters": filters,
        "rows": rows,
        "marker": marker,
        "poll_filters": filters.query(),
    }


def _task_form(formdata=None, tree: list | None = None, **defaults) -> TaskForm:
    """Build the task form; `tree` saves reading the lists again when the caller has them."""
    form = TaskForm(formdata, **defaults)
    form.task_list_num.choices = list_choices(services.list_tree() if tree is None else tree)
    form.priority_def_num.choices = [
        ("", "List default"),
        *((p.def_num, p.item_name) for p in services.priorities()),
    ]
    return form


@bp.get("/")
def index():
    """Show the board: the list tree, the filters and the selected list's tasks."""
    context = board_context(_filters())
    form = _task_form(tree=context["tree"], task_list_num=context["filters"].list.data)
    return render("board/index.html", "board/board_changed.html", form=form, **context)


@bp.get("/tasks/new")
def new_task():
    """Show the form for a new task."""
    form = _task_form(task_list_num=request.args.get("list", type=int))
    return render("board/task_form_page.html", "board/_task_form.html", form=form)


@bp.post("/tasks")
def create_task():
    """Create a task from the form; errors land next to their fields."""
    form = _task_form(request.form)
    if form.validate():
        try:
            task = services.create_task(
                **new_task_fields(form), date_time_entry=form.date_time_entry.data
            )
        except services.ServiceError as exc:
            field_error(form, exc, "descript")
        else:
            return created(task)
    return render("board/task_form_page.html", "board/_task_form.html", 422, form=form)


def new_task_fields(form: TaskForm) -> dict:
    """Return what the New task form gives a new task (or reminder), made by the signed-in user."""
    return {
        "task_list_num": form.task_list_num.data,
        "descript": form.descript.data,
        "user_num": g.user.user_num,
        "priority_def_num": form.priority_def_num.data,
        "descript_override": form.descript_override.data or "",
        "actor": g.user.user_num,
    }


def created(task):
    """Answer a new task: the board region with a fresh form (htmx), else back to the view."""
    if not is_htmx():
        return back()
    fresh = _task_form(task_list_num=task.task_list_num)
    context = board_context(_filters_from(board_url()))
    return render_template("board/created.html", form=fresh, created=task, **context)


@bp.get("/tasks/<key:task_num>")
def show_task(task_num: int):
    """Show a task with its notes, its edit form and its link to a patient; opening it
    clears its New for this user (Open Dental's taskunread)."""
    detail = _detail(task_num)
    if open_for_me(detail["row"].task):
        detail = _detail(task_num)
    return render("board/task_page.html", "board/_task_detail.html", **detail)


@bp.post("/tasks/<key:task_num>")
def edit_task(task_num: int):
    """Save the edit form."""
    form = _task_form(request.form, tree=[])  # an edit cannot move the task
    del form.task_list_num
    if form.validate():
        try:
            services.update_task(
                task_num=task_num,
                descript=form.descript.data,
                descript_override=form.descript_override.data or "",
                priority_def_num=form.priority_def_num.data
                if form.priority_def_num.data is not None
                else services.UNSET,
                date_time_entry=_changed_entry(task_num, form.date_time_entry.data),
                actor=g.user.user_num,
            )
        except services.ServiceError as exc:
            field_error(form, exc, "descript")
        else:
            return _after_change(task_num)
    return render(
        "board/task_page.html", "board/_task_detail.html", 422, **_detail(task_num, form=form)
    )


@bp.post("/tasks/<key:task_num>/status")
def set_status(task_num: int):
    """Mark a task New, Viewed or Done in one click."""
    form = StatusForm(request.form)
    if not form.validate():
        abort(400)
    services.update_task(
        task_num=task_num, task_status=TaskStatus(form.task_status.data), actor=g.user.user_num
    )
    if not is_htmx():
        return back()
    if request.headers.get("HX-Target") == "detail":  # pressed in the detail panel
        return _after_change(task_num)
    return render_template(
        "board/row_changed.html",
        row=services.board_row(task_num=task_num),
        tree=services.list_tree(),
    )


@bp.post("/tasks/<key:task_num>/move")
def move_task(task_num: int):
    """Put the task in another task list."""
    form = MoveForm(request.form, prefix="move")
    form.task_list_num.choices = list_choices(services.list_tree())
    if form.validate():
        try:
            services.move_task(
                task_num=task_num, task_list_num=form.task_list_num.data, actor=g.user.user_num
            )
        except services.ServiceError as exc:
            field_error(form, exc, "task_list_num")
        else:
            return _after_change(task_num)
    return render(
        "board/task_page.html", "board/_task_detail.html", 422, **_detail(task_num, move_form=form)
    )


@bp.post("/tasks/<key:task_num>/notes")
def add_note(task_num: int):
    """Add a note; a Done task goes back to Viewed."""
    form = NoteForm(request.form)
    if form.validate():
        try:
            services.add_note(
                task_num=task_num,
                user_num=g.user.user_num,
                note=form.note.data,
                actor=g.user.user_num,
            )
        except services.ServiceError as exc:
            field_error(form, exc, "note")
        else:
            return _after_change(task_num)
    return render(
        "board/task_page.html", "board/_task_detail.html", 422, **_detail(task_num, note_form=form)
    )


def _detail(task_num: int, tree: list | None = None, **forms) -> dict:
    row = services.board_row(task_num=task_num)
    task = row.task
    tree = services.list_tree() if tree is None else tree
    choices = list_choices(tree)
    form = forms.get("form") or _task_form(
        MultiDict(),
        tree=[],
        descript=task.descript,
        descript_override=task.descript_override,
        priority_def_num=task.priority_def_num,
        date_time_entry=task.date_time_entry,
    )
    if "task_list_num" in form:
        del form.task_list_num
    form.date_time_entry.label.text = "Date/time"
    move_form = forms.get("move_form") or MoveForm(
        MultiDict(), prefix="move", task_list_num=task.task_list_num
    )
    move_form.task_list_num.choices = choices
    return {
        "row": row,
        "tree": tree,
        "list_names": dict(choices),
        "notes": services.task_notes(task_num=task_num),
        "history": services.timeline(task_num=task_num),
        "form": form,
        "move_form": move_form,
        "note_form": forms.get("note_form") or NoteForm(MultiDict()),
        "link_form": forms.get("link_form") or LinkForm(MultiDict()),
    }


def open_detail(task_num: int | None, since: int | None, tree: list) -> dict | None:
    """Return the detail panel of the task a page has open, if it changed since `since`."""
    if task_num is None:
        return None
    try:
        detail = _detail(task_num, tree=tree)
    except services.NotFound:
        return None
    if since is not None and detail["row"].task.change_seq <= since:
        return None
    return detail


def _changed_entry(task_num: int, entered):
    """Return the date/time the edit form sets, or UNSET when it shows the stored one.

    The form shows minutes; saving it untouched must not drop the stored seconds.
    """
    if entered is None:
        return services.UNSET
    stored = services.board_row(task_num=task_num).task.date_time_entry
    return services.UNSET if entered == stored.replace(second=0) else entered


def _after_change(task_num: int):
    """Answer a change: the detail panel and the changed row for htmx, else a redirect."""
    if not is_htmx():
        # Without JavaScript, show the task again, keeping the way back to the board view.
        return redirect(url_for("board.show_task", task_num=task_num, next=board_url()), 303)
    return render_template("board/detail_changed.html", **_detail(task_num))


def _filters_from(url: str | None) -> FilterForm:
    """Read the filters of the board view a form was posted from."""
    return FilterForm(MultiDict(parse_qsl(urlsplit(url or "").query)))
