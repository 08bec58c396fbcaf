"""The report template's narrative text, as each edition prints it (napreport.report.notes)."""

from django import template

from napreport.report.notes import edition_html

register = template.Library()


@register.simple_tag
def edition_text(html: str, section_key: str, for_pdf: bool) -> str:
    """`{% edition_text section.body key for_pdf as body %}{{ body|safe }}`: the section's notes and text
    boxes for this edition."""
    return edition_html(html, section_key, for_pdf)
