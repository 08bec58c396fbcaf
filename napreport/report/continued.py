"""Annex A's tasks that run on to another page say so at the top of that page: "1.13 (continued)" (issue #16).

Where a page break falls is known only once WeasyPrint has laid the report out, and WeasyPrint 70 repeats a
table's <thead> on each page but nothing of a row group. The label is CSS Generated Content for Paged Media, so
the report is laid out once: every chart row but its task's last sets the named string `continued` to its
task's label (report.html, with `row_label` below), the last row sets it to "" (report.css), and the chart's
`@left-top` margin box prints `string(continued, start)`. On a page that opens inside a table, the first box
on the page is its repeated <thead>, which sets no string, so WeasyPrint (layout/__init__.py) resolves
`start` to the value the previous page ended with: the label of a task whose rows go on here, or "" when the
page broke after a task's last row (or inside it: that row's cells end on this page without a label, as
before). The margin box is pulled out of the left margin into the Task column under the column headings
(report.css), out of the flow, so it moves no line; page furniture, it is an artifact in the tag tree
(napreport.report.pdf_tags), as the repeated column headings are.
"""

from django.utils.translation import gettext as _

PLACEHOLDER = "\x00"


def css_string(text: str) -> str:
    """`text` as a CSS string, printed inside the report's <style> (where HTML entities are not decoded): quotes
    and backslashes escaped as CSS escapes them, and `<` too, so that no text can close the style element."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3c ").replace("\n", "\\a ")
    return f'"{escaped}"'


def row_label() -> str:
    """The CSS content list of a row's label in the active language, "1.13 (continued)" from the row's
    `data-task`: one translatable sentence whose placeholder becomes `attr(data-task)`. CSS, not HTML: the
    template prints it unescaped (`|safe`, as the stylesheet), since `css_string` already made each piece safe
    inside <style>, where HTML entities would be printed as they are."""
    pieces = (_("%(task)s (continued)") % {"task": PLACEHOLDER}).split(PLACEHOLDER)
    parts = []
    for index, piece in enumerate(pieces):
        if index:
            parts.append("attr(data-task)")
        if piece:
            parts.append(css_string(piece))
    return " ".join(parts)
