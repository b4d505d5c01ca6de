"""WTForms classes of the staff board: they parse and label fields; services judge them.

Field names are the service arguments they feed, so a service's error lands on its field.
"""

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    ColorField,
    DateField,
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    PasswordField,
    SearchField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from .models import MAX_KEY, ObjectType, TaskStatus
from .services import LABEL_MAX, PRIORITY_FLAGS, STATUS_CHOICES

# The board's views (Open Dental's Tasks tabs), as `view=` values; Main (the whole tree,
# a list at a time) is the board without one.
VIEW_CHOICES = (
    SelectChoice("", "Main: all lists"),
    SelectChoice("new", "New for me"),
    SelectChoice("mine", "For me"),
    SelectChoice("reminders", "Reminders"),
    SelectChoice("patient", "Patient tasks"),
)


class Form(FlaskForm):
    """A board form; CSRFProtect checks the token of every state-changing request once."""

    class Meta:
        csrf = False


def _optional_int(value):
    """Coerce a select's value to a key; anything that cannot be one is not a valid choice."""
    if value in (None, "", "0", "None"):
        return None
    number = int(value)
    if not 0 < number <= MAX_KEY:
        raise ValueError(value)
    return number


class SignInForm(Form):
    user_name = StringField("User name", validators=[InputRequired(), Length(max=255)])
    password = PasswordField("Password", validators=[InputRequired(), Length(max=1024)])
    next = HiddenField()


class PasswordForm(Form):
    current_password = PasswordField("Current password", validators=[InputRequired()])
    new_password = PasswordField("New password", validators=[InputRequired(), Length(max=1024)])
    confirm_password = PasswordField("Repeat the new password", validators=[InputRequired()])

    def validate_confirm_password(self, field) -> None:
        if field.data != self.new_password.data:
            raise ValidationError("The two new passwords differ.")


class TaskForm(Form):
    """Create or edit a task; field names follow the service's arguments."""

    task_list_num = SelectField("Task list", coerce=_optional_int)
    descript = TextAreaField("Description", render_kw={"required": True})
    descript_override = StringField("Short description")
    priority_def_num = SelectField("Priority", coerce=_optional_int)
    date_time_entry = DateTimeLocalField(
        "Date/time (blank: now)",
        format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
        validators=[Optional()],
    )


class MoveForm(Form):
    task_list_num = SelectField("Move to list", coerce=_optional_int)


class NoteForm(Form):
    note = TextAreaField("Note", render_kw={"required": True})


class StatusForm(Form):
    task_status = SelectField("Status", choices=[s.value for s in TaskStatus], validate_choice=True)


class LinkForm(Form):
    object_type = SelectField(
        "Attach to", choices=[o.value for o in ObjectType], validate_choice=True
    )
    key_num = IntegerField("Patient or appointment", validators=[Optional()])


class TaskListForm(Form):
    descript = StringField("Name", render_kw={"required": True})
    parent_num = SelectField("Inside", coerce=_optional_int)
    default_priority_def_num = SelectField("Default priority", coerce=_optional_int)


class NewUserForm(Form):
    user_name = StringField("User name", render_kw={"required": True, "autocomplete": "off"})
    password = PasswordField(
        "Password", validators=[Length(max=1024)], render_kw={"autocomplete": "new-password"}
    )
    is_admin = BooleanField("Administrator: manages users, priorities, lists and displays")
    can_manage_lists = BooleanField("May manage task lists")


USER_FLAGS = ("is_hidden", "is_admin", "can_manage_lists")


class UserFlagForm(Form):
    """Turn one of a user's flags on or off; the buttons carry the flag and its new value."""

    flag = SelectField(choices=USER_FLAGS, validate_choice=True)
    value = SelectField(choices=["true", "false"], validate_choice=True)


class ResetPasswordForm(Form):
    new_password = PasswordField(
        "New password", validators=[Length(max=1024)], render_kw={"autocomplete": "new-password"}
    )


class PriorityForm(Form):
    item_name = StringField("Name", render_kw={"required": True})
    item_color = ColorField("Colour", default="#FFFFFF")
    item_order = IntegerField("Order", validators=[Optional()])
    item_value = SelectField(
        "Flag",
        choices=[
            SelectChoice(flag, label)
            for flag, label in zip(
                PRIORITY_FLAGS,
                ("None", "D: default for new tasks", "R: default for reminders"),
                strict=True,
            )
        ],
        default="",
        validate_choice=True,
    )
    is_hidden = BooleanField("Hidden")


class InboxForm(Form):
    """Choose a user's inbox (Open Dental's User Edit, TaskListInBox); blank: no inbox."""

    task_list_num = SelectField("Inbox", coerce=_optional_int, validate_choice=False)


class OfficeForm(Form):
    """Switch the office setting "Tasks New/Viewed tracked per user" on or off."""

    tracked_per_user = SelectField(choices=["on", "off"], validate_choice=True)


class KioskForm(Form):
    label = StringField("Name of the display", render_kw={"maxlength": LABEL_MAX})
    task_list_nums = SelectMultipleField("Task lists to show", coerce=int)
    privacy = BooleanField("Privacy mode: only short descriptions and patients' initials")
    show_viewed = BooleanField("Show Viewed tasks too")
    chime = BooleanField("Chime when a new task arrives")


class PopupBlocksForm(Form):
    """Open Dental's Manage Blocks: the lists whose new tasks do not pop up for me."""

    blocked = SelectMultipleField("Block popups from", coerce=int, validate_choice=True)


class FilterForm(Form):
    """The board's filters; read from the query string, so bookmarkable."""

    list = SelectField("List", coerce=_optional_int, validate_choice=False)
    status = SelectField("Status", choices=[*STATUS_CHOICES], default="Open", validate_choice=False)
    type = SelectField(
        "Attached to",
        choices=[SelectChoice("", "Anything"), *(o.value for o in ObjectType)],
        validate_choice=False,
    )
    q = SearchField("Search descriptions and notes", validators=[Optional(), Length(max=200)])
    done_since = DateField("Done since", validators=[Optional()])
    view = SelectField("View", choices=[*VIEW_CHOICES], default="", validate_choice=False)
    patient = HiddenField()  # the patient of view=patient: a PatNum
    find = SearchField("Find a patient", validators=[Optional(), Length(max=100)])

    def board_filters(self) -> dict:
        """Return the filters as arguments of services.board_rows; bad values are ignored."""
        self.validate()
        self.view.data = self.view.data if self.view.data in _VIEWS else ""
        try:
            self.patient.data = _optional_int(self.patient.data)
        except ValueError:
            self.patient.data = None
        return {
            "status": self.status.data if self.status.data in STATUS_CHOICES else "Open",
            "object_type": _OBJECT_TYPES.get(self.type.data),
            "text": (self.q.data or "")[:200],
            "done_since": None if self.done_since.errors else self.done_since.data,
        }

    def query(self) -> dict[str, str]:
        """Return the filters that are set, as query-string values."""
        return {name: self[name].raw_data[0] for name in _FILTERS if self[name].raw_data}


_FILTERS = ("list", "status", "type", "q", "done_since", "view", "patient")
_VIEWS = {choice.value for choice in VIEW_CHOICES}
_OBJECT_TYPES = {o.value: o for o in ObjectType}
