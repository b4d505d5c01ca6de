"""The board filter form's markup for the W4 reference, as Taskboard's FilterForm renders
it through WTForms (list and status chosen; the other fields at their defaults)."""

from markupsafe import Markup, escape

STATUSES = ("Open", "New", "Viewed", "Done", "All")
VIEWS = (
    ("", "Main: all lists"),
    ("new", "New for me"),
    ("mine", "For me"),
    ("reminders", "Reminders"),
    ("patient", "Patient tasks"),
)
TYPES = (("", "Anything"), ("None", "None"), ("Patient", "Patient"), ("Appointment", "Appointment"))


def _select(name: str, label: str, choices, chosen: str | None) -> Markup:
    options = "".join(
        f'<option{" selected" if value == chosen else ""} value="{escape(value)}">'
        f"{escape(text)}</option>"
        for value, text in choices
    )
    return Markup(
        f'<label for="{name}">{label}</label> <select id="{name}" name="{name}">{options}</select>'
    )


def _flat(tree: list, depth: int = 0):
    for node in tree:
        yield str(node.task_list.task_list_num), "\u2003" * depth + node.task_list.descript
        yield from _flat(node.children, depth + 1)


class Filters:
    """The filter form's markup, as Taskboard's FilterForm renders it (list and status only)."""

    def __init__(self, list_num: int, status: str, tree: list) -> None:
        self.data = {"view": "", "status": status}  # Main view: the template shows its filters
        self.fields = {
            "view": _select("view", "View", VIEWS, ""),
            "list": _select("list", "List", [("", "All lists"), *_flat(tree)], str(list_num)),
            "status": _select("status", "Status", [(s, s) for s in STATUSES], status),
            "type": _select("type", "Attached to", TYPES, None),  # no default: none chosen
            "q": Markup(
                '<label for="q">Search descriptions and notes</label> <input id="q" '
                'maxlength="200" name="q" placeholder="Search (/)" type="search" value="">'
            ),
            "done_since": Markup(
                '<label for="done_since">Done since</label> '
                '<input id="done_since" name="done_since" type="date" value="">'
            ),
        }

    def __getattr__(self, name: str):
        label, _, control = str(self.fields[name]).partition("</label> ")
        return _Field(Markup(label + "</label>"), Markup(control), self.data.get(name))


class _Field:
    def __init__(self, label: Markup, control: Markup, data: str | None) -> None:
        self.label = lambda: label
        self.control = control
        self.data = data

    def __call__(self, **_attrs) -> Markup:
        return self.control
