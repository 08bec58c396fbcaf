"""The Action Items Chart (Annex A) as data, and its tracking from one reporting period to the next.

plan → pillar → objective → task → deliverable (→ sub-item), led by departments; a deliverable's
status belongs to a reporting period (StatusUpdate). Publishing a period freezes its chart into
PublishedDeliverable rows, which are all the public side ever reads.
"""

from commitments.models.figures import ChartRevision, DashboardFigures
from commitments.models.periods import ReportingPeriod
from commitments.models.plan import (
    ActionPlan,
    Deliverable,
    DeliverableLead,
    DeliverableQuerySet,
    Department,
    Objective,
    Pillar,
    Task,
)
from commitments.models.published import PublishedDeliverable, PublishedDepartment, PublishedPillar
from commitments.models.reminders import SentReminder
from commitments.models.tracking import (
    SlipReason,
    StaleUpdateError,
    Status,
    StatusUpdate,
    StatusUpdateQuerySet,
    is_slip,
    slip_label,
    status_label,
)
from commitments.models.values import (
    FIRST_FISCAL_YEAR,
    LAST_FISCAL_YEAR,
    NOTE_MAX_LENGTH,
    Translated,
    code_validator,
    fiscal_year_table,
    fiscal_year_text,
    fiscal_year_validators,
    natural_sort_key,
    note_validators,
    parse_fiscal_year,
    period_label,
    timeline_label,
)

__all__ = [
    "FIRST_FISCAL_YEAR",
    "LAST_FISCAL_YEAR",
    "NOTE_MAX_LENGTH",
    "ActionPlan",
    "ChartRevision",
    "DashboardFigures",
    "Deliverable",
    "DeliverableLead",
    "DeliverableQuerySet",
    "Department",
    "Objective",
    "Pillar",
    "PublishedDeliverable",
    "PublishedDepartment",
    "PublishedPillar",
    "ReportingPeriod",
    "SentReminder",
    "SlipReason",
    "StaleUpdateError",
    "Status",
    "StatusUpdate",
    "StatusUpdateQuerySet",
    "Task",
    "Translated",
    "code_validator",
    "fiscal_year_table",
    "fiscal_year_text",
    "fiscal_year_validators",
    "is_slip",
    "natural_sort_key",
    "note_validators",
    "parse_fiscal_year",
    "period_label",
    "slip_label",
    "status_label",
    "timeline_label",
]
