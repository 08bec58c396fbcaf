"""The Annual Report on Progress of a period, as data, HTML and PDF.

`report_data` gathers everything the report prints with a fixed number of queries (the chart rows
of commitments.chart, and the narrative); `render_html` turns it into the document, and
napreport.report.pdf into the PDF.
The same code renders drafts (any period, watermarked) and the files stored at publication.
"""

import copy
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.html import format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from commitments.chart import chart_rows
from commitments.models import PublishedDeliverable, ReportingPeriod
from napreport.report.continued import row_label
from napreport.report.edition import artwork, colophon, page_footer
from napreport.report.models import NarrativeSection, SectionKey
from napreport.report.summary import count_key, status_summary
from napreport.report.typography import french_html

BEFORE_PARTS = (SectionKey.FOREWORD, SectionKey.INTRODUCTION, SectionKey.PROGRESS)
AFTER_PARTS = (SectionKey.MOVING_FORWARD, SectionKey.CONCLUSION)
REPORT_CSS = Path(settings.BASE_DIR) / "static" / "report" / "report.css"
IDENTITY_CSS = REPORT_CSS.with_name("identity.css")  # the cover and colophon (napreport.report.edition)
# Each official language named in itself, as a language switch names it (not translated).
LANGUAGE_NAMES = {"en": "English", "fr": "Français"}


@dataclass
class TaskBlock:
    code: str
    title: str
    rows: list[PublishedDeliverable] = field(default_factory=list)


@dataclass
class ObjectiveBlock:
    code: str
    text: str
    tasks: list[TaskBlock] = field(default_factory=list)


@dataclass
class PillarBlock:
    number: int
    name: str
    objectives: list[ObjectiveBlock] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


# A lead qualifier that starts with a conjunction extends the first lead, as printed ("DFATD and others, CIC");
# any other qualifier follows all the leads in parentheses ("PS (in consultation with HTT)").
JOINING_NOTE = re.compile(r"^(and|et) ", re.IGNORECASE)
# A narrative's Key Achievements may open with its own heading, printed instead of the standard one
# (Part III of 2013-2014 prints "2013-14 Key Achievements").
# The line break between a paragraph's lines: a constant of our own, so it is safe as it stands (format_html()
# with nothing to format is deprecated in Django 5.2).
LINE_BREAK = SafeString("<br>")
LEADING_HEADING = re.compile(r"^\s*<h3>(?P<heading>.*?)</h3>\s*", re.DOTALL)


def cell_html(text: str) -> SafeString:
    """A deliverable's text (plain, as typed) as the chart cell prints it: paragraphs where the text has a
    blank line, and its bullet lines ("\n- …", see fixtures/README.md) as a real list, so a screen reader
    announces "list, 5 items" rather than dashes. A single paragraph stays bare text."""
    blocks: list[tuple[str, SafeString]] = []  # ("p", its lines) or ("ul", its items)
    for paragraph in re.split(r"\n\s*\n", text.strip()):
        lines = paragraph.split("\n")
        lead = [line for line in lines if not line.startswith("- ")]
        bullets = [line[2:] for line in lines if line.startswith("- ")]
        if lead:
            blocks.append(("p", format_html_join(LINE_BREAK, "{}", ((line,) for line in lead))))
        if bullets:
            blocks.append(("ul", format_html_join("", "<li>{}</li>", ((item,) for item in bullets))))
    if len(blocks) == 1 and blocks[0][0] == "p":
        return blocks[0][1]
    return format_html_join("", "<{0}>{1}</{0}>", blocks)


def leads_line(leads: str, note: str) -> str:
    """The Lead column as printed: the acronyms and the row's qualifier."""
    if not note:
        return leads
    if JOINING_NOTE.match(note):
        first, _comma, rest = leads.partition(", ")
        return f"{first} {note}, {rest}" if rest else f"{first} {note}"
    return f"{leads} ({note})"


def split_heading(html: str) -> tuple[str, str]:
    """(the text of a leading <h3>, the rest) of sanitised HTML; ("", html) when it opens otherwise."""
    match = LEADING_HEADING.match(html)
    if not match:
        return "", html
    return match["heading"], html[match.end() :]


def chart_blocks(rows: list[Any], period_start: int | None = None) -> list[PillarBlock]:
    """Group chart rows (in chart order) into pillars → objectives → tasks, and count statuses.

    A row that has sub-items is a heading for them: its status (if any) counts, the items count on
    their own, and a parent with neither status nor timeline is not counted. Given the period's first
    year, a row without a status that starts later is counted apart (napreport.report.summary).
    """
    parents = {row.parent_id for row in rows if row.parent_id}
    pillars: list[PillarBlock] = []
    for row in rows:  # chart rows, marked here with is_item and has_items for the template
        row.is_item = row.parent_id is not None
        row.has_items = row.deliverable_id in parents
        row.text_html = cell_html(row.text)
        row.lead_line = leads_line(row.leads_label, row.lead_note)
        if not pillars or pillars[-1].number != row.pillar_number:
            pillars.append(PillarBlock(row.pillar_number, row.pillar_name))
        pillar = pillars[-1]
        if not pillar.objectives or pillar.objectives[-1].code != row.objective_code:
            pillar.objectives.append(ObjectiveBlock(row.objective_code, row.objective_text))
        objective = pillar.objectives[-1]
        if not objective.tasks or objective.tasks[-1].code != row.task_code:
            objective.tasks.append(TaskBlock(row.task_code, row.task_title))
        objective.tasks[-1].rows.append(row)
        if row.status or not row.has_items:
            pillar.counts[count_key(row, period_start)] += 1
    return pillars


def report_data(period: ReportingPeriod, rows: list[PublishedDeliverable] | None = None) -> dict[str, Any]:
    """Everything the report prints, in the active language. Two queries for a published period
    (its frozen rows, its narrative), four for a draft (the live chart, statuses and leads); one, the
    narrative, given the period's `rows` (chart_rows), which it leaves as they are."""
    # chart_blocks marks each row for this language's template: a copy each, so that the rows given serve the
    # other language too.
    rows = chart_rows(period) if rows is None else [copy.copy(row) for row in rows]
    sections = {section.key: section for section in NarrativeSection.objects.filter(period=period)}
    pillars = chart_blocks(rows, period.start_year)
    parts: list[dict[str, Any]] = []
    for number, key in enumerate((SectionKey.PART_1, SectionKey.PART_2, SectionKey.PART_3, SectionKey.PART_4), 1):
        pillar = next((p for p in pillars if p.number == number), None)
        section = sections.get(key)
        heading, achievements = split_heading(section.achievements) if section else ("", "")
        parts.append(
            {
                "section": section,
                "pillar": pillar,
                "anchor": key,
                "achievements_heading": heading,
                "achievements": achievements,  # sanitised on save (napreport.report.html), printed |safe as the rest
            }
        )
    before = [(key, sections[key]) for key in BEFORE_PARTS if key in sections]
    after = [(key, sections[key]) for key in AFTER_PARTS if key in sections]
    toc: list[tuple[str, str]] = [(key, section.title) for key, section in before]
    toc.append(("status-summary", _("Summary of Statuses by Pillar")))
    toc += [(part["anchor"], part["section"].title) for part in parts if part["section"]]
    toc += [(key, section.title) for key, section in after]
    toc.append(("annex-a", _("Annex A: Action Items Chart")))
    annex_b = sections.get(SectionKey.ANNEX_B)
    if annex_b:
        toc.append(("annex-b", annex_b.title))
    return {
        "period": period,
        "plan": period.plan,
        # A published report names the plan as it was published, however it has been edited since.
        "plan_title": period.plan_title if period.is_published and period.plan_title_en else period.plan.title,
        "rows": rows,
        "pillars": pillars,
        "parts": parts,
        "narrative_before_parts": before,
        "narrative_after_parts": after,
        "annex_b": annex_b,
        "toc": toc,
        "summary": status_summary(pillars),
    }


def report_data_in(
    period: ReportingPeriod, language: str, rows: list[PublishedDeliverable] | None = None
) -> dict[str, Any]:
    """report_data in `language`: what render_html takes as `data` to render that language's HTML and PDF from
    one query run (the publication renders each language twice, and checks each twice from the frozen record;
    it reads the chart's `rows` once for both languages)."""
    with translation.override(language):
        return report_data(period, rows)


def render_html(
    period: ReportingPeriod,
    language: str,
    *,
    draft: bool = False,
    for_pdf: bool = False,
    data: dict[str, Any] | None = None,
) -> str:
    """The report as one HTML document: for the PDF self-contained (its stylesheet inlined), for the screen
    linking the site's copy of the same stylesheet (the Content-Security-Policy refuses inline styles).

    `data` (from report_data, built in the same language) lets a caller reuse one query run.
    """
    with translation.override(language):
        context = data or report_data(period)
        context = {
            **context,
            "editions": None if draft or for_pdf else editions(context["period"], language),
            "language": language,
            "draft": draft,
            "for_pdf": for_pdf,
            "stylesheet": stylesheets() if for_pdf else "",
            "identity": {kind: artwork(kind, language) for kind in ("signature", "wordmark")},
            "colophon": colophon(context["period"], language),
            "page_footer": page_footer(),
            "continued_label": row_label(),
        }
        html = render_to_string("report/report.html", context)
    # The French edition's text in French typography, whichever string, data or narrative it comes from.
    return french_html(html) if language == "fr" else html


def stylesheets() -> str:
    return "\n".join(path.read_text(encoding="utf-8") for path in (REPORT_CSS, IDENTITY_CSS))


def editions(period: ReportingPeriod, language: str) -> dict[str, str]:
    """Where the published HTML edition links to: the same report in the other language, and its PDF."""
    other = "fr" if language == "en" else "en"
    with translation.override(other):
        other_url = reverse("public:report-file", args=[period.label, other, "html"])
    return {
        "other_language": other,
        "other_language_name": LANGUAGE_NAMES[other],
        "other_language_url": other_url,
        "pdf_url": reverse("public:report-file", args=[period.label, language, "pdf"]),
    }
