"""The columns of the chart's open data, described once: the CSV header (in the file's language), the JSON keys
(`name`, never translated), the data package's Table Schema (napreport.report.datapackage) and the public data
dictionary page all read this list, so a column cannot be described in one and forgotten in another."""

from dataclasses import dataclass, field

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from commitments.models import SlipReason, Status

# A fiscal year as the files write it: its first and last calendar years, "2013-2014" (as in the URLs).
FISCAL_YEAR_PATTERN = r"^[0-9]{4}-[0-9]{4}$"


@dataclass(frozen=True)
class Column:
    """One column of the open data. `type` is a Table Schema type (string, integer, boolean); `example` is a value
    as the English file writes it; `codes` lists the only values a code column takes (with their labels)."""

    name: str
    type: str
    title: str | Promise
    description: str | Promise
    example: str | Promise
    required: bool = False
    pattern: str = ""
    codes: tuple[tuple[str, str | Promise], ...] = field(default=())

    @property
    def type_label(self) -> str | Promise:
        """The type in words, for the data dictionary."""
        return TYPE_LABELS[self.type]


TYPE_LABELS = {"string": _("Text"), "integer": _("Whole number"), "boolean": _("true or false")}


COLUMNS_DESCRIBED = [
    Column(
        "fiscal_year",
        "string",
        _("Fiscal year"),
        _(
            "The reporting year of the row: the fiscal year (April 1 to March 31) of the Annual Report on Progress "
            "that published it, written as its two calendar years."
        ),
        "2013-2014",
        required=True,
        pattern=FISCAL_YEAR_PATTERN,
    ),
    Column(
        "pillar_number",
        "integer",
        _("Pillar number"),
        _("The number of the plan’s pillar (1 to 4) the deliverable belongs to."),
        "1",
        required=True,
    ),
    Column("pillar", "string", _("Pillar"), _("The name of the pillar."), _("Prevention"), required=True),
    Column(
        "objective",
        "string",
        _("Objective"),
        _("The code of the objective the deliverable serves, as printed in the chart."),
        "1.1",
        required=True,
    ),
    Column(
        "objective_text",
        "string",
        _("Objective text"),
        _("The objective’s text."),
        _(
            "The Government of Canada will support a broad-based prevention strategy focusing on awareness raising "
            "and research activities to prevent human trafficking."
        ),
    ),
    Column(
        "task",
        "string",
        _("Task"),
        _("The code of the task the deliverable belongs to, as printed in the chart."),
        "1.11",
        required=True,
    ),
    Column(
        "task_title",
        "string",
        _("Task title"),
        _("The task’s title."),
        _("Support and develop human trafficking information and awareness campaigns."),
    ),
    Column(
        "deliverable_id",
        "integer",
        _("Deliverable number"),
        _(
            "The deliverable’s permanent number: the same in every year and in both languages; the address of its "
            "page on the public site ends with it."
        ),
        "12",
        required=True,
    ),
    Column(
        "parent_id",
        "integer",
        _("Part of deliverable"),
        _(
            "For a sub-item tracked on its own, the number of the deliverable it is listed under; empty for a "
            "deliverable of the chart itself."
        ),
        "",
    ),
    Column(
        "new",
        "boolean",
        _("New"),
        _("true if the deliverable was marked NEW in that year’s chart (added to the plan that year), else false."),
        "false",
        required=True,
    ),
    Column(
        "text",
        "string",
        _("Deliverable"),
        _("The deliverable’s text, as the chart prints it."),
        _("Promote online training tool launched by the BC Office to Combat Trafficking in Persons."),
        required=True,
    ),
    Column(
        "start",
        "string",
        _("Timeline"),
        _("The fiscal year the deliverable starts, as the chart’s Timeline column prints it; empty if none is given."),
        "2012/13",
        pattern=r"^[0-9]{4}/[0-9]{2}$",
    ),
    Column(
        "status_code",
        "string",
        _("Status code"),
        _(
            "The status reported that year, as a code that is the same in both languages (listed below); empty "
            "when no status was reported, for instance a deliverable that starts in a later year."
        ),
        Status.ON_TRACK.value,
        codes=tuple((status.value, status.label) for status in Status),
    ),
    Column(
        "status",
        "string",
        _("Status"),
        _("The status as the report prints it, in the file’s language; “On track” carries its target year."),
        _("On track for 2015/2016"),
    ),
    Column(
        "target_year",
        "string",
        _("Target year"),
        _("The fiscal year the deliverable is expected to be complete, for the status “On track”; otherwise empty."),
        "2015-2016",
        pattern=FISCAL_YEAR_PATTERN,
    ),
    Column(
        "note",
        "string",
        _("Progress note"),
        _("The lead department’s note on that year’s progress, in the file’s language; empty if none was written."),
        "",
    ),
    Column(
        "leads",
        "string",
        _("Lead"),
        _("The lead departments’ acronyms in the file’s language, separated by semicolons (;)."),
        _("PS;JUS"),
    ),
    Column(
        "lead_note",
        "string",
        _("Lead qualifier"),
        _("What the chart adds after the lead departments, such as “in consultation with HTT”; usually empty."),
        "",
    ),
    Column(
        "target_change",
        "string",
        _("Target moved"),
        _("If the target moved later than the year before: from what to what, and why; otherwise empty."),
        _("Target moved from 2015 to 2016 to 2016 to 2017: partner dependency"),
    ),
    Column(
        "target_change_reason",
        "string",
        _("Target moved: reason code"),
        _("Why the target moved later, as a code that is the same in both languages (listed below); else empty."),
        SlipReason.PARTNER_DEPENDENCY.value,
        codes=tuple((reason.value, reason.label) for reason in SlipReason),
    ),
    Column(
        "target_change_note",
        "string",
        _("Target moved: explanation"),
        _("The department’s explanation of the later target, in the file’s language; often empty."),
        "",
    ),
]
