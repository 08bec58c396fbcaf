"""The report's "Summary of Statuses by Pillar": one table and one bar chart of the same numbers, shared by the
report and the public home page (templates/report/_status_summary.html).

Colour is never the only cue: each bar is named after its pillar, each segment is labelled with its count inside
it when it is wide enough, and under each bar a key names every segment's status with its count. A deliverable
without a status that starts after the period (a NEW one starting the next year) is counted apart, as "Starts in
2014–2015", rather than as "No status reported".
"""

from collections import Counter
from typing import TYPE_CHECKING, Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _

from commitments.models import Status, fiscal_year_table

if TYPE_CHECKING:
    from napreport.report.build import PillarBlock

# The order and colours of the statuses; each colour holds white text at 4.5:1 or more.
SUMMARY_STATUSES = [Status.COMPLETE, Status.ONGOING, Status.IN_PROGRESS, Status.ON_TRACK]
STATUS_COLOURS = {
    Status.COMPLETE: "#26374a",
    Status.ONGOING: "#2b7a3b",
    Status.IN_PROGRESS: "#a35200",
    Status.ON_TRACK: "#6f4e99",
    "": "#5c5c5c",
}
STARTS_LATER_COLOUR = "#ffffff"  # an outlined, empty segment: nothing is under way yet
STARTS_LATER = "starts-"  # the count key of a deliverable starting in a later year: "starts-2014"

# The chart is drawn in CSS pixels, without a viewBox, so that its labels keep their size on a phone instead of
# shrinking with the drawing: positions across are percentages of the chart's width, positions down are pixels.
# The widest bar spans BAR_SPAN % and its total is written after it. Each pillar: its name (14 px lines), its bar
# (24 px), its key (one 20 px line per group of statuses, wrapped for the narrowest chart, 288 px on a 320 px
# screen), and the space before the next pillar.
BAR_SPAN = 88
NAME_LINE, BAR_HEIGHT, KEY_LINE, GAP = 18, 24, 20, 16
NARROWEST = 288  # px
CHARACTER = 7.6  # px: the average advance of a 14 px Liberation Sans character, to wrap names and keys
LEGEND_ROW = 22


def label_fits(width: float, count: int) -> bool:
    """Whether a segment `width` % wide holds its count at 14 px in the narrowest chart (288 px, a 320 px
    screen): about 8 px a digit and 6 px of padding, so 5 % for one digit, 8 % for two."""
    return width * NARROWEST / 100 >= 6 + 8 * len(str(count))


def wrap(text: str, width: float) -> list[str]:
    """`text` in lines of at most `width` px at 14 px (SVG text does not wrap by itself)."""
    lines: list[str] = []
    # Broken at ordinary spaces only: a non-breaking one (French "Pilier 1 : …") keeps its words together.
    for word in filter(None, text.split(" ")):
        if lines and len(lines[-1]) + 1 + len(word) <= width / CHARACTER:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def count_key(row: Any, period_start: int | None) -> str:
    """The column a chart row is counted in: its status, "starts-2014" for a row without a status that starts
    after the period, or "" (no status reported)."""
    if not row.status and period_start is not None and row.start_year and row.start_year > period_start:
        return f"{STARTS_LATER}{row.start_year}"
    return row.status


def columns(counts: Counter[str]) -> list[tuple[str, str | Promise, str]]:
    """(key, label, colour) of each column the table and chart show, in order."""
    statuses: list[tuple[str, str | Promise, str]] = [
        (status, Status(status).label, STATUS_COLOURS[status]) for status in SUMMARY_STATUSES
    ]
    for key in sorted(key for key in counts if key.startswith(STARTS_LATER) and counts[key]):
        year = int(key.removeprefix(STARTS_LATER))
        statuses.append((key, _("Starts in %(year)s") % {"year": fiscal_year_table(year)}, STARTS_LATER_COLOUR))
    if counts[""]:
        statuses.append(("", _("No status reported"), STATUS_COLOURS[""]))
    return statuses


def key_lines(items: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """The key under a bar, "■ Complete 11  ■ Ongoing 13 …", wrapped to the narrowest chart; x in px."""
    lines: list[list[dict[str, Any]]] = [[]]
    x = 0.0
    for item in items:
        text = f"{item['label']} {item['count']}"
        item_width = 20 + CHARACTER * len(text) + 12
        if lines[-1] and x + item_width > NARROWEST:
            lines.append([])
            x = 0.0
        lines[-1].append({**item, "x": round(x), "text": text})
        x += item_width
    return lines


def status_summary(pillars: "list[PillarBlock]") -> dict[str, Any]:
    """Counts by pillar and status, as table rows and as the bars of the SVG chart (same numbers)."""
    statuses = columns(sum((pillar.counts for pillar in pillars), Counter()))
    labels = [label for _key, label, _colour in statuses]
    widest = max((pillar.total for pillar in pillars), default=0) or 1
    table: list[dict[str, Any]] = []
    bars: list[dict[str, Any]] = []
    y = 0
    for pillar in pillars:
        cells = [pillar.counts[key] for key, _label, _colour in statuses]
        table.append(
            {
                "pillar": pillar,
                "cells": cells,
                "labelled": list(zip(labels, cells, strict=True)),
                "total": pillar.total,
            }
        )
        x, segments = 0.0, []
        for (_key, label, colour), count in zip(statuses, cells, strict=True):
            width = BAR_SPAN * count / widest
            if count:
                outlined = colour == STARTS_LATER_COLOUR
                segments.append(
                    {
                        "x": round(x, 2),
                        "width": round(width, 2),
                        "colour": colour,
                        "label": label,
                        "count": count,
                        "outlined": outlined,
                        "labelled": not outlined and label_fits(width, count),
                    }
                )
            x += width
        name = wrap(_("Pillar %(number)s: %(name)s") % {"number": pillar.number, "name": pillar.name}, NARROWEST)
        bar_y = y + NAME_LINE * len(name)
        key = key_lines(segments)
        bars.append(
            {
                "pillar": pillar,
                "name": [{"y": y + NAME_LINE * index + 14, "text": line} for index, line in enumerate(name)],
                "y": bar_y,
                "segments": segments,
                "end": round(x, 2),
                "key": [
                    {"y": bar_y + BAR_HEIGHT + 6 + index * KEY_LINE, "items": line} for index, line in enumerate(key)
                ],
            }
        )
        y = bar_y + BAR_HEIGHT + 6 + len(key) * KEY_LINE + GAP
    totals = [sum(row["cells"][i] for row in table) for i in range(len(statuses))]
    return {
        "statuses": statuses,
        "rows": table,
        "totals": totals,
        "labelled_totals": list(zip(labels, totals, strict=True)),
        "total": sum(totals),
        "bars": bars,
        "chart_height": max(y, 1),
    }
