"""The report's text as each edition prints it, for the report's template and any other page that shows it."""

from django import template
from django.utils.safestring import SafeString

from napreport.report.build import cell_html
from napreport.report.notes import edition_html

register = template.Library()


@register.simple_tag
def edition_text(html: str, section_key: str, for_pdf: bool) -> str:
    """`{% edition_text section.body key for_pdf as body %}{{ body|safe }}`: the section's notes and text
    boxes for this edition."""
    return edition_html(html, section_key, for_pdf)


@register.filter
def deliverable_text(text: str) -> SafeString:
    """A deliverable's text as the chart prints it: its paragraphs, and its bullet lines ("- …") as a real list
    (task 1.14), where `linebreaksbr` would show dash lines. `{{ rest|typography|deliverable_text }}`."""
    return cell_html(text)
