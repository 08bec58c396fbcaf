"""Template helpers of the public pages: Canada.ca fiscal-year style, French typography, file size labels,
language toggle."""

from collections.abc import Mapping
from typing import Any

from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language

from commitments.models import PublishedDeliverable, status_label
from commitments.models import fiscal_year_table as year_in_table
from commitments.models import fiscal_year_text as year_in_text
from napreport.public import typography as formatter

register = template.Library()


@register.filter
def fiscal_year_text(start_year: int) -> str:
    """2013 → "2013 to 2014" in running text (« 2013-2014 » in French)."""
    return year_in_text(start_year)


@register.filter
def fiscal_year_table(start_year: int) -> str:
    """2013 → "2013–2014" in tables and captions (« 2013-2014 » in French)."""
    return year_in_table(start_year)


@register.filter
def status_text(row: PublishedDeliverable) -> str:
    """A published row's status in running text: "On track for 2014 to 2015"."""
    return str(status_label(row.status, row.target_year, year_in_text))


@register.filter
def status_table(row: PublishedDeliverable) -> str:
    """A published row's status in a table cell: "On track for 2014–2015"."""
    return str(status_label(row.status, row.target_year, year_in_table))


@register.filter
def typography(text: object) -> str:
    """Data text (a deliverable, a note, a name) with the page language's typography."""
    return formatter.typography(str(text))


@register.filter
def language_name(name: object) -> str:
    """A language's name inside a sentence: "English", but « anglais » (French writes it in lower case)."""
    return str(name).lower() if get_language() == "fr" else str(name)


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


@register.simple_tag(takes_context=True)
def page_addresses(context: template.Context) -> dict[str, str]:
    """The page's canonical address and its address in each language, absolute, for <link> in the head.

    Built on SITE_URL, never on the request's Host header: the page is cached and given to everybody. The
    query is kept: it is already reduced to the parameters the page reads (a filtered table is its own page)."""
    path = context["request"].get_full_path()
    addresses = {language: settings.SITE_URL + translate_url(path, language) for language in ("en", "fr")}
    return {"canonical": settings.SITE_URL + path, **addresses}


@register.filter
def get_item(mapping: Mapping[Any, Any], key: Any) -> Any:
    return mapping.get(key)
