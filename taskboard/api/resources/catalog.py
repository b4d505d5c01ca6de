"""The descriptions of the read-only catalogue: task lists, definitions and users."""

from dataclasses import dataclass
from typing import Any

from ...models import TaskListStatus
from ..fields import Field, Fields
from ..kinds import BOOLEAN, DATE, DATE_TIME, KEY, OPTIONAL_KEY, Choice, Kind
from .tasks import DATE_TYPE, OBJECT_TYPE, TEXT

# Open Dental's DefCat enumeration, by number; `category` in a Definition is the name.
DEFINITION_CATEGORIES = [
    "AccountColors",
    "AdjTypes",
    "ApptConfirmed",
    "ApptProcsQuickAdd",
    "BillingTypes",
    "ClaimFormats",
    "DunningMessages",
    "FeeSchedNamesOld",
    "MedicalNotes",
    "OperatoriesOld",
    "PaymentTypes",
    "ProcCodeCats",
    "ProgNoteColors",
    "RecallUnschedStatus",
    "ServiceNotes",
    "DiscountTypes",
    "Diagnosis",
    "AppointmentColors",
    "ImageCats",
    "ApptPhoneNotes",
    "TxPriorities",
    "MiscColors",
    "ChartGraphicColors",
    "ContactCategories",
    "LetterMergeCats",
    "BlockoutTypes",
    "ProcButtonCats",
    "CommLogTypes",
    "SupplyCats",
    "PaySplitUnearnedType",
    "Prognosis",
    "ClaimCustomTracking",
    "InsurancePaymentType",
    "TaskPriorities",
    "FeeColors",
    "ProviderSpecialties",
    "ClaimPaymentTracking",
    "AccountQuickCharge",
    "InsuranceVerificationStatus",
    "Regions",
    "ClaimPaymentGroups",
    "AutoNoteCats",
    "WebSchedNewPatApptTypes",
    "ClaimErrorCode",
    "ClinicSpecialty",
    "JobPriorities",
    "CarrierGroupNames",
    "PayPlanCategories",
    "AutoDeposit",
    "InsuranceFilingCodeGroup",
    "TimeCardAdjTypes",
    "WebSchedExistingApptTypes",
    "CertificationCategories",
]


def category_name(category: int) -> str:
    """Return Open Dental's name of a definition category, or its number when unknown."""
    if 0 <= category < len(DEFINITION_CATEGORIES):
        return DEFINITION_CATEGORIES[category]
    return str(category)


@dataclass(frozen=True)
class CategoryName(Kind):
    """The read-only name of a definition's category, written from the category number."""

    read_only = True

    def out(self, src: str) -> str:
        return f"CATEGORY_NAME({src})"

    def names(self) -> dict[str, Any]:
        return {"CATEGORY_NAME": category_name}

    def parse(self, value: Any, name: str) -> Any:
        raise TypeError("category is read-only")

    def schema(self, mode: str) -> dict:
        return {"type": "string"}


TASK_LIST = Fields(
    "TaskList",
    (
        Field("TaskListNum", "task_list_num", KEY, "Primary key."),
        Field("Descript", "descript", TEXT, "The task list's name."),
        Field("Parent", "parent_num", OPTIONAL_KEY, "The parent task list; 0 at the top level."),
        Field("DateTL", "date_tl", DATE, "Only for legacy dated lists."),
        Field("IsRepeating", "is_repeating", BOOLEAN, "Legacy repeating list."),
        Field("DateType", "date_type", DATE_TYPE, "Legacy repeating."),
        Field("FromNum", "from_num", KEY, "The repeating template the list came from; 0."),
        Field("ObjectType", "object_type", OBJECT_TYPE, "The object type of the list."),
        Field("DateTimeEntry", "date_time_entry", DATE_TIME, "When the list was created."),
        Field(
            "TaskListStatus",
            "task_list_status",
            Choice(TaskListStatus),
            "Whether the list is archived.",
        ),
    ),
)

DEFINITION = Fields(
    "Definition",
    (
        Field("DefNum", "def_num", KEY, "Primary key."),
        Field("ItemName", "item_name", TEXT, "The definition's name."),
        Field("ItemValue", "item_value", TEXT, '"D": the default task priority; "R": reminders.'),
        Field("Category", "category", KEY, "The category number; 33 = task priorities."),
        Field("category", "category", CategoryName(), 'The category\'s name: "TaskPriorities".'),
        Field("isHidden", "is_hidden", BOOLEAN, "Whether the definition is hidden."),
    ),
)
DEFINITION_QUERY = Fields(
    "DefinitionQuery",
    (
        Field("Category", "category", KEY, "Only this category; 33 = task priorities."),
        Field("includeHidden", "include_hidden", BOOLEAN, "Whether hidden ones are listed."),
    ),
)

USEROD = Fields(
    "Userod",
    (
        Field("UserNum", "user_num", KEY, "Primary key."),
        Field("UserName", "user_name", TEXT, "The user's login name."),
        Field("EmployeeNum", "employee_num", KEY, "The linked employee; 0 if none."),
        Field("ClinicNum", "clinic_num", KEY, "The user's clinic; 0 if none."),
        Field("ProviderNum", "provider_num", KEY, "The linked provider; 0 if none."),
        Field("IsHidden", "is_hidden", BOOLEAN, "Whether the user is hidden."),
    ),
)
TASK_LIST_QUERY = Fields(
    "TaskListQuery",
    (
        Field(
            "TaskListStatus",
            "status",
            Choice(TaskListStatus, refusal="Invalid {name}."),
            "Active (the default) or archived task lists.",
        ),
    ),
)

USEROD_QUERY = Fields(
    "UserodQuery",
    (Field("includeHidden", "include_hidden", BOOLEAN, "Whether hidden users are listed."),),
)
