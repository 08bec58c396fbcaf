"""What the public pages say they count: a year's chart rows, the headings among them, and the rows that have no
status and why: from rows a page has loaded anyway (`coverage`), or from what publishing counted
(`counted_coverage`, for a page that shows only some rows: the year's figures, one query whatever the size of the
chart).

The chart's rows are not all deliverables to count: a row with sub-items and no status of its own is a heading,
and its sub-items are tracked one by one (task 1.11's contribution program). The home
page's summary counts the rows without the headings (napreport.report.build.chart_blocks), the progress table
lists every row; the pages say so, with the numbers.
"""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from commitments.models import PublishedDeliverable, ReportingPeriod, fiscal_year_text
from napreport.public.published import published_figures


@dataclass
class Coverage:
    """A published year's rows, counted."""

    rows: int  # every row of the chart, headings included
    headings: int  # rows that only group sub-items (not counted in the summary)
    # Rows without a status: why (a sentence) → how many, in the order they are explained.
    unreported: dict[str, int] = field(default_factory=dict)

    @property
    def counted(self) -> int:
        """The rows the summary counts: every row but the headings."""
        return self.rows - self.headings

    @property
    def without_status(self) -> int:
        return sum(self.unreported.values())


def coverage(period: ReportingPeriod, rows: Iterable[PublishedDeliverable]) -> Coverage:
    """The counts of `rows`, the published rows of `period` (as chart_blocks counts them)."""
    rows = list(rows)
    parents = {row.parent_id for row in rows if row.parent_id}
    headings = 0
    later: Counter[int] = Counter()
    other = 0
    for row in rows:
        if row.status:
            continue
        if row.deliverable_id in parents:
            headings += 1
        elif row.start_year and row.start_year > period.start_year:
            later[row.start_year] += 1
        else:
            other += 1
    return counted(len(rows), headings, later, other)


def counted_coverage(period: ReportingPeriod) -> Coverage:
    """The same counts as `coverage`, from the figures publishing counted (napreport.report.models.count_published:
    the rows by status, heading or not, and the year a row without a status starts)."""
    rows = headings = other = 0
    later: Counter[int] = Counter()
    for *_pillar, status, starts, heading, count in published_figures(period)["counts"]:
        rows += count
        if heading:
            headings += count
        elif starts:
            later[starts] += count
        elif not status:
            other += count
    return counted(rows, headings, later, other)


def counted(rows: int, headings: int, later: Counter[int], other: int) -> Coverage:
    """The Coverage of these counts, each reason for a missing status said once, in the order pages explain them."""
    unreported: dict[str, int] = {}
    if headings:
        unreported[
            ngettext(
                "heading whose sub-items each have their own status",
                "headings whose sub-items each have their own status",
                headings,
            )
        ] = headings
    for year in sorted(later):
        count = later[year]
        unreported[ngettext("starts in %(year)s", "start in %(year)s", count) % {"year": fiscal_year_text(year)}] = (
            count
        )
    if other:
        unreported[ngettext("not reported by its lead", "not reported by their leads", other)] = other
    return Coverage(rows=rows, headings=headings, unreported=unreported)


def unreported_sentence(period: ReportingPeriod, counts: Coverage) -> str:
    """“3 deliverables have no status for 2013 to 2014: 2 headings whose sub-items …; 1 starts in 2014 to 2015.”"""
    if not counts.without_status:
        return _("Every deliverable has a status for %(year)s.") % {"year": fiscal_year_text(period.start_year)}
    reasons = "; ".join(f"{count} {reason}" for reason, count in counts.unreported.items())
    return ngettext(
        "%(count)s deliverable has no status for %(year)s: %(reasons)s.",
        "%(count)s deliverables have no status for %(year)s: %(reasons)s.",
        counts.without_status,
    ) % {"count": counts.without_status, "year": fiscal_year_text(period.start_year), "reasons": reasons}


def totals_sentence(counts: Coverage) -> str:
    """Why the summary's total and the table's number of rows differ (or that they do not)."""
    if not counts.headings:
        return ngettext("The chart has %(rows)s deliverable.", "The chart has %(rows)s deliverables.", counts.rows) % {
            "rows": counts.rows
        }
    return ngettext(
        "The summary counts %(counted)s deliverables and sub-items; the progress table's %(rows)s rows also list "
        "the %(headings)s heading that groups sub-items, which has no status of its own.",
        "The summary counts %(counted)s deliverables and sub-items; the progress table's %(rows)s rows also list "
        "the %(headings)s headings that group sub-items, which have no status of their own.",
        counts.headings,
    ) % {"counted": counts.counted, "rows": counts.rows, "headings": counts.headings}
