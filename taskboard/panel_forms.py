"""The task panel's Copy and Reminder forms (Open Dental's "Send copies to multiple" and
Reminder Setup), apart from forms.py to keep each module small.

The rules are the services'; these parse the fields and say what is missing in the board's
words.
"""

from wtforms import (
    DateTimeLocalField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
)
from wtforms.validators import InputRequired, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from .forms import Form
from .models import MAX_KEY

REMINDER_KINDS = (
    SelectChoice("Once", "Once"),
    SelectChoice("Daily", "Daily"),
    SelectChoice("Weekly", "Weekly"),
    SelectChoice("Monthly", "Monthly"),
    SelectChoice("Yearly", "Yearly"),
)
REPEATING_KINDS = ("Daily", "Weekly", "Monthly", "Yearly")
# Indexed as datetime.weekday() and the services' weekdays: Monday is 0.
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
FREQUENCY_MAX = 999  # every 999 days/weeks/months/years at most: the date math stays in range
DUE_YEARS = (2000, 2999)


def _key(value) -> int:
    """Coerce a checkbox's value to a key; anything else is not a valid choice."""
    number = int(value)
    if not 0 < number <= MAX_KEY:
        raise ValueError(value)
    return number


class CopyForm(Form):
    """Send copies of a task to several lists at once."""

    task_list_nums = SelectMultipleField(
        "Copy to these lists",
        coerce=_key,
        validate_choice=False,  # a list gone since the page was drawn: the service says so
        validators=[InputRequired("Choose at least one list to copy the task to.")],
    )


class ReminderForm(Form):
    """Make a task a reminder: Once, or every N days/weeks (on weekdays)/months/years."""

    kind = SelectField("Repeat", choices=[*REMINDER_KINDS], default="Weekly", validate_choice=True)
    weekdays = SelectMultipleField(
        "On these days",
        coerce=int,
        choices=[SelectChoice(day, name) for day, name in enumerate(WEEKDAY_NAMES)],
        validate_choice=True,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    frequency = IntegerField(
        "Every",
        default=1,
        validators=[Optional()],
        render_kw={"min": 1, "max": FREQUENCY_MAX, "inputmode": "numeric"},
    )
    due = DateTimeLocalField(
        "Due",
        format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
        validators=[InputRequired("Give the date and time the reminder falls due.")],
    )

    def repeats(self) -> bool:
        return self.kind.data in REPEATING_KINDS

    def validate(self, extra_validators=None) -> bool:
        super().validate(extra_validators)
        every = self.frequency
        if not self.repeats():
            every.errors = []  # Once keeps no frequency: whatever was typed there is moot
            return not self.errors
        # "Every" at least 1 and a weekly reminder's day are the services' rules
        # (check_reminder); the form only keeps the number within what the date math takes.
        if every.data is not None and every.data > FREQUENCY_MAX:
            every.errors = [f"Every must be a whole number from 1 to {FREQUENCY_MAX}."]
        return not self.errors

    def validate_due(self, field) -> None:
        low, high = DUE_YEARS
        if field.data is not None and not low <= field.data.year <= high:
            raise ValidationError(f"The due date must be in the years {low} to {high}.")
