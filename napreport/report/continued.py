"""Annex A's tasks that run on to another page say so at the top of that page: "1.13 (continued)" (issue #16).

Where a page break falls is known only once WeasyPrint has laid the report out, and WeasyPrint 70 repeats a
table's <thead> on each page but nothing of a row group. So the PDF is laid out once, the first row that
starts on each page is found, and when its task began on an earlier page the row gets a label in the Task
column. The label is absolutely positioned (report.css: `.continued`), so it changes no line and no page break:
the second layout breaks exactly where the first did. It is `aria-hidden`, so the tag tree makes it an
artifact, as it does the repeated column headings: the task's header cell still heads every row it spans.
"""

import re
from typing import Any

from django.utils import translation
from django.utils.html import format_html
from django.utils.translation import gettext as _
from weasyprint.formatting_structure import boxes

# A chart row as report.html writes it, up to its deliverable cell's opening tag.
ROW = r'<tr data-row="{row}"[^>]*>.*?<td class="c-deliverable">'
LANGUAGE = re.compile(r'<html lang="(?P<language>[a-z-]+)"')


def page_rows(page: Any) -> list[tuple[str, str, bool]]:
    """(row id, task code, whether the row opens its task) of each chart row laid out on `page`, in order."""
    found: list[tuple[str, str, bool]] = []

    def walk(box: Any) -> None:
        if isinstance(box, boxes.TableRowBox) and box.element is not None and box.element.get("data-row"):
            element = box.element
            found.append((element.get("data-row"), element.get("data-task"), "task-start" in element.get("class")))
            return
        for child in getattr(box, "children", ()):
            walk(child)

    walk(page._page_box)
    return found


def continued_rows(document: Any) -> list[tuple[str, str]]:
    """(row id, task code) of the first row that starts on each page when its task began on an earlier page."""
    labels: list[tuple[str, str]] = []
    seen: set[str] = set()
    for page in document.pages:
        rows = page_rows(page)
        starting = [row for row in rows if row[0] not in seen]  # a row split by the break started before
        if starting and rows and not starting[0][2] and starting[0][1] == rows[0][1]:
            labels.append(starting[0][:2])
        seen.update(row[0] for row in rows)
    return labels


def label_continued_tasks(html: str, document: Any) -> str:
    """`html` with a "(continued)" label in each row `continued_rows` finds in its laid-out `document`."""
    labels = continued_rows(document)
    if not labels:
        return html
    match = LANGUAGE.search(html)
    with translation.override(match["language"] if match else None):
        for row, task in labels:
            label = format_html(
                '<span class="continued" aria-hidden="true">{}</span>', _("%(task)s (continued)") % {"task": task}
            )
            found = re.search(ROW.format(row=re.escape(row)), html, flags=re.S)
            if found:
                html = html[: found.end()] + label + html[found.end() :]
    return html
