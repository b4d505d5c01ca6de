"""The demo office's data tables: its staff, priorities, task lists, patients and texts."""

from itertools import accumulate

from ..models import ObjectType

# (UserNum, UserName, EmployeeNum, ProviderNum); the first is the administrator.
USERS = (
    (1, "Admin", 0, 0),
    (2, "Front Desk - Maria", 1, 0),
    (3, "Dr. Patel", 2, 1),
    (4, "Hygienist - Jenna", 3, 2),
    (5, "Assistant - Luis", 4, 0),
    (6, "Office Manager - Karen", 5, 0),
    (7, "Billing - Tom", 6, 0),
)

# (DefNum, ItemName, ItemValue, ItemColor, is_hidden, weight of tasks), in Open Dental's usual
# order (ItemOrder): urgent first. "D" marks the default priority of new tasks, "R" the one
# of reminders; the colour is the row's colour on the board and the wall display.
PRIORITIES = (
    (360, "Urgent", "", "#D92D20", False, 3),
    (359, "High", "", "#F79009", False, 10),
    (358, "Normal", "D", "#2E90FA", False, 76),
    (361, "Low", "", "#98A2B3", False, 7),
    (362, "Reminder", "R", "#7A5AF8", False, 4),
    (363, "Callback (old)", "", "#D6BBFB", True, 0),
)

# (TaskListNum, Descript, parent, archived, staff who write its tasks, weight of tasks)
TASK_LISTS = (
    (74, "Front Desk", None, False, (2, 2, 6, 1), 24),
    (75, "Insurance Verification", 74, False, (2, 7), 14),
    (76, "Recalls", 74, False, (2, 4), 8),
    (77, "Clinical", None, False, (3, 5, 4), 10),
    (78, "Lab Cases", 77, False, (5, 3), 8),
    (79, "Hygiene", 77, False, (4, 4, 3), 8),
    (80, "Billing", None, False, (7, 7, 6), 11),
    (81, "Claims Follow-up", 80, False, (7,), 9),
    (82, "Office Manager", None, False, (6, 1), 6),
    (83, "Supplies", 82, False, (5, 6, 4), 6),
    (84, "Office Remodel 2023", 82, True, (6,), 0),
)

# fmt: off
PATIENTS = (
    ("Thomas", "Anderson", "Tom"), ("Rebecca", "Whitfield", "Becky"), ("Maria", "Gonzalez", ""),
    ("James", "O'Connor", "Jim"), ("Aisha", "Rahman", ""), ("Wei", "Chen", ""),
    ("Olivia", "Martinez", "Liv"), ("Daniel", "Kowalski", "Dan"), ("Priya", "Sharma", ""),
    ("Samuel", "Johnson", "Sam"), ("Emily", "Nguyen", ""), ("Robert", "Fischer", "Bob"),
    ("Grace", "Kim", ""), ("Michael", "Brown", "Mike"), ("Fatima", "Haddad", ""),
    ("Lucas", "Silva", ""), ("Hannah", "Schmidt", ""), ("Jamal", "Washington", ""),
    ("Sophie", "Dubois", ""), ("Kenji", "Tanaka", ""), ("Isabella", "Rossi", "Bella"),
    ("Ethan", "Miller", ""), ("Chloe", "Taylor", ""), ("Mohammed", "Ali", ""),
    ("Ava", "Wilson", ""), ("Noah", "Thompson", ""), ("Zoe", "Papadopoulos", ""),
    ("Benjamin", "Levi", "Ben"), ("Mia", "Jackson", ""), ("Carlos", "Ramirez", ""),
    ("Nora", "Lindqvist", ""), ("Patrick", "Murphy", "Pat"), ("Ananya", "Iyer", ""),
    ("William", "Davis", "Will"), ("Leah", "Goldberg", ""), ("Diego", "Herrera", ""),
    ("Margaret", "Campbell", "Peggy"), ("Tyler", "Robinson", ""), ("Yuki", "Sato", ""),
    ("Elizabeth", "Clarke", "Liz"), ("Omar", "Farouk", ""), ("Harper", "Lewis", ""),
    ("Anthony", "Russo", "Tony"), ("Ingrid", "Johansson", ""), ("Marcus", "Bell", ""),
    ("Chiara", "Bianchi", ""), ("Kevin", "O'Brien", ""), ("Layla", "Hassan", ""),
    ("Christopher", "Young", "Chris"), ("Amara", "Okafor", ""), ("Jacob", "Walker", "Jake"),
    ("Lily", "Tran", ""), ("Victor", "Petrov", ""), ("Natalie", "Scott", ""),
    ("Raj", "Patel", ""), ("Eleanor", "Hughes", "Ellie"), ("Gabriel", "Moreau", "Gabe"),
    ("Sara", "Eriksson", ""), ("Dorothy", "King", "Dot"), ("Hector", "Alvarez", ""),
)
# fmt: on

# (list, Descript, short description, what it links to). A short description never names
# the patient in full (initials at most): it is what a wall display in privacy mode shows.
PAT, APT = ObjectType.Patient, ObjectType.Appointment
TEMPLATES = (
    (74, "Call {patient} to confirm appointment on {apt_date}", "Confirm {initials}", APT),
    (
        74,
        "{patient} called to reschedule {apt_date}; call back at {phone}",
        "Resched {initials}",
        APT,
    ),
    (74, "Update {first}'s phone number to {phone}", "New phone {initials}", PAT),
    (74, "Scan new insurance card for {patient}", "Scan ins card", PAT),
    (74, "Mail new-patient forms to {patient}", "NP forms {initials}", PAT),
    (74, "{patient} asked for X-rays to be sent to the oral surgeon", "X-ray copy", PAT),
    (74, "Check weekend voicemail and return calls", "Voicemail", None),
    (74, "Front desk printer jamming again - call for service", "Printer", None),
    (75, "Call {patient} about insurance verification before {weekday}", "Verify {initials}", PAT),
    (75, "Verify {carrier} benefits for {patient} before {apt_date}", "{carrier}", APT),
    (75, "{carrier} denied frequency on bitewings for {patient} - check history", "BW denied", PAT),
    (75, "Get pre-authorization from {carrier} for crown #{tooth} ({patient})", "Pre-auth", PAT),
    (75, "New patient {patient}: enter {carrier} subscriber info", "Subscriber info", PAT),
    (76, "Recall: call {patient}, overdue for cleaning since {month}", "Recall {initials}", PAT),
    (76, "Send recall postcards for next month", "Recall cards", None),
    (76, "{patient} declined recall - follow up in 3 months", "Recall declined", PAT),
    (76, "Text reminder bounced for {patient} - wrong number?", "Bad number {initials}", PAT),
    (77, "Review perio charting for {patient}", "Perio review", PAT),
    (77, "Post-op call to {patient} after extraction #{tooth}", "Post-op call", PAT),
    (77, "Sterilizer spore test due {weekday}", "Spore test", None),
    (77, "Refill nitrous tank before {weekday}", "Nitrous", None),
    (77, "Rx refill request from {patient} - needs Dr. Patel's OK", "Rx {initials}", PAT),
    (78, "Lab case for {patient} due back {date}", "Lab {initials}", PAT),
    (78, "Call {lab}: crown for {patient} must be back before {apt_date}", "Crown", APT),
    (78, "Night guard impressions for {patient} sent to {lab}", "Night guard", PAT),
    (78, "{lab} pickup {weekday} - three cases in the box", "Lab pickup", None),
    (78, "Shade mismatch on {first}'s bridge - call {lab}", "Remake?", PAT),
    (79, "{patient} needs fluoride varnish at next visit ({apt_date})", "Fluoride {initials}", APT),
    (79, "Schedule SRP quadrants for {patient}", "SRP {initials}", PAT),
    (79, "Ultrasonic scaler in hygiene room 2 is making noise", "Scaler noise", None),
    (79, "Update perio chart for {patient} - missed at last visit", "Perio chart", PAT),
    (80, "Send statement to {patient}: balance {amount}", "Stmt {initials}", PAT),
    (80, "{patient} wants a payment plan for {amount}", "Pay plan", PAT),
    (80, "Refund overpayment of {amount} to {patient}", "Refund {initials}", PAT),
    (80, "Post {carrier} EOBs from today's mail", "Post EOBs", None),
    (81, "Follow up on {carrier} claim for {patient} from {month}", "Claim {initials}", PAT),
    (81, "Resubmit {first}'s claim with narrative and X-rays", "Resubmit claim", PAT),
    (81, "{carrier} wants perio chart for {patient}'s SRP claim", "SRP claim", PAT),
    (82, "Approve time-off request for {staff}", "Time off", None),
    (82, "CPR renewal for {staff} before {date}", "CPR renewal", None),
    (82, "Schedule staff meeting for {weekday}", "Staff meeting", None),
    (82, "Review {month} production report", "Production", None),
    (82, "Complaint from {patient} about wait time - call back", "Complaint", PAT),
    (83, "Re-order cleaning supplies", "Cleaning supplies", None),
    (83, "Re-order {supply}", "Re-order", None),
    (83, "Return damaged box of {supply} to {vendor}", "Return {vendor}", None),
    (83, "Compare {vendor} pricing on {supply}", "Pricing", None),
)
NOTES = (
    "Left voicemail for {first}.",
    "Spoke with {first}; will call back tomorrow.",
    "No answer, sent a text.",
    "{carrier} says coverage is active, 80% basic / 50% major.",
    "Done, see chart.",
    "Still waiting to hear back.",
    "Emailed {first} the form.",
    "Moving this to {weekday}, too busy today.",
    "Called twice, no answer.",
    "Checked with Dr. Patel - OK to proceed.",
    "Ordered, arriving {weekday}.",
    "{lab} confirmed the date.",
)
CARRIERS = ("Delta Dental", "MetLife", "Cigna", "Aetna", "Guardian", "United Concordia")
LABS = ("Pacific Crown Lab", "Smile Arts Lab", "Keystone Dental Lab")
VENDORS = ("Patterson", "Henry Schein", "Benco")
# fmt: off
SUPPLIES = (
    "nitrile gloves (M)", "prophy paste", "2x2 gauze", "sterilization pouches",
    "saliva ejectors", "bite blocks", "surface disinfectant wipes", "fluoride varnish",
)
# fmt: on
STAFF = ("Maria", "Jenna", "Luis", "Tom", "Karen")
NOTE_COUNTS = (0, 1, 2, 3)
NOTE_COUNT_CUM_WEIGHTS = tuple(accumulate((65, 22, 9, 4)))
