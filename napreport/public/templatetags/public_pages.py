"""Template helpers of the public pages: Canada.ca fiscal-year style, file size labels, language toggle."""

from collections.abc import Mapping
from typing import Any

from django import template
from django.urls import translate_url
from django.utils.translation import get_language
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def fiscal_year_text(start_year: int) -> str:
    """2013 → "2013 to 2014" (in running text, as the Canada.ca style guide asks)."""
    return _("%(start)s to %(end)s") % {"start": start_year, "end": start_year + 1}


@register.filter
def fiscal_year_table(start_year: int) -> str:
    """2013 → "2013–2014" in tables (an en dash in English, a hyphen in French)."""
    dash = "-" if get_language() == "fr" else "–"
    return f"{start_year}{dash}{start_year + 1}"


@register.filter
def file_size(size: float) -> str:
    """1234567 → "1.2 MB" ("1,2 Mo" in French)."""
    french = get_language() == "fr"
    units = ["o", "ko", "Mo", "Go"] if french else ["bytes", "kB", "MB", "GB"]
    value, unit = float(size), 0
    while value >= 1000 and unit < len(units) - 1:
        value, unit = value / 1000, unit + 1
    text = f"{value:.0f}" if unit == 0 else f"{value:.1f}"
    return f"{text.replace('.', ',') if french else text} {units[unit]}"


@register.simple_tag(takes_context=True)
def other_language_url(context: template.Context, language: str) -> str:
    """The same page, record and filters in `language` (query string kept)."""
    return translate_url(context["request"].get_full_path(), language)


@register.filter
def get_item(mapping: Mapping[Any, Any], key: Any) -> Any:
    return mapping.get(key)
