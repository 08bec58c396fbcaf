"""The report as a Government of Canada publication: its identity (the FIP signature and the Canada wordmark) and
its colophon (Crown copyright, the edition's catalogue number and ISBN, the title in the other language), and
its page footer.

The coordinator enters each language's catalogue number and ISBN on the period's page; publishing refuses while
one is missing (`missing_numbers`), except for the editions in EDITIONS_WITHOUT_NUMBERS.
"""

import base64
import re
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.utils import timezone, translation
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from commitments.models import ReportingPeriod
from napreport.report.typography import french_typography

# The editions published before this product recorded catalogue numbers and ISBNs, as (plan slug, first fiscal
# year): the 2013-2014 report of the 2012 plan, whose source (fixtures/nap-2012/source) gives no numbers. Their
# colophon leaves the numbers out, and publishing does not ask for them: never invent them. Every later edition
# gets its numbers from Public Safety Canada before it is published.
EDITIONS_WITHOUT_NUMBERS = frozenset({("nap-2012", 2013)})

# The edition's numbers, as their fields are named on ReportingPeriod.
NUMBER_FIELDS = ("catalogue_number_en", "isbn_en", "catalogue_number_fr", "isbn_fr")

# A Government of Canada catalogue number: the department's prefix and series (PS1-15), the year, the edition's
# language (E or F) and its medium: PS1-15/2015E-PDF.
CATALOGUE_NUMBER = re.compile(r"^[A-Z][A-Za-z]{0,3}\d+(?:-\d+)+/\d{4}(?P<language>[EF])(?:-[A-Z]+)?$")
# Thirteen digits, with hyphens between groups allowed (978-0-660-00000-0).
ISBN_13 = re.compile(r"^97[89](?:-?\d){10}$")

# The artwork the GC Design System ships (node_modules, installed by `make`): the FIP signature (flag symbol and
# bilingual signature) and the Canada wordmark, in each language. They take their colours from the page's CSS
# (the GCDS signature component sets them); an image cannot, so each one is given the component's colours.
ARTWORK = {"signature": "sig-blk-{language}.svg", "wordmark": "wmms-spl-{language}.svg"}
PAGE_PLACEHOLDER = re.compile(r"%\((pages?)\)s")
ARTWORK_COLOURS = "<style>.fip_flag{fill:#eb2d37}.fip_text{fill:#000}</style>"


def artwork_directory() -> Path:
    return Path(settings.GCDS_COMPONENTS) / "gcds-signature" / "assets"


@cache
def artwork(kind: str, language: str) -> str:
    """The official artwork as a data: URL, read once a process (the PDF may load only data: URLs and static
    files, and the HTML edition's Content-Security-Policy allows data: images)."""
    path = artwork_directory() / ARTWORK[kind].format(language=language)
    try:
        svg = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ImproperlyConfigured(f"{path} is missing: run `make` to install the GC Design System.") from None
    svg = re.sub(r"(<svg\b[^>]*>)", lambda match: match[1] + ARTWORK_COLOURS, svg, count=1)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode("ascii")


def needs_numbers(period: ReportingPeriod) -> bool:
    """Whether the edition must carry a catalogue number and an ISBN (reads period.plan: select_related it)."""
    return (period.plan.slug, period.start_year) not in EDITIONS_WITHOUT_NUMBERS


def validate_catalogue_number(value: str, language: str) -> None:
    match = CATALOGUE_NUMBER.match(value)
    if not match:
        raise ValidationError(
            _("A catalogue number reads like PS1-15/2015E-PDF: the series, a slash, the year, E or F, the medium."),
            code="invalid",
        )
    if match["language"] != {"en": "E", "fr": "F"}[language]:
        raise ValidationError(
            _("The English edition's catalogue number ends its year with E, the French edition's with F."),
            code="language",
        )


def validate_isbn(value: str) -> None:
    """ISBN-13, hyphens allowed, with a correct check digit."""
    if not ISBN_13.match(value):
        raise ValidationError(
            _("An ISBN has 13 digits starting with 978 or 979, hyphens allowed: 978-0-660-12345-5."), code="invalid"
        )
    digits = [int(digit) for digit in value if digit.isdigit()]
    if sum(digit * (3 if index % 2 else 1) for index, digit in enumerate(digits)) % 10:
        raise ValidationError(
            _("This ISBN’s last digit (its check digit) does not match the others: check it for a typing error."),
            code="check_digit",
        )


def validate_number(field: str, value: str) -> None:
    """Validate the ReportingPeriod field `field` (catalogue_number_en, isbn_fr…) holding `value`."""
    prefix, _sep, language = field.rpartition("_")
    if prefix == "isbn":
        validate_isbn(value)
    else:
        validate_catalogue_number(value, language)


def number_messages() -> dict[str, tuple[str, str]]:
    """For each number field: (the sentence when it is missing, the sentence when it is wrong), in full, since
    French agrees "le numéro" and "l’ISBN" differently."""
    return {
        "catalogue_number_en": (
            _("The English edition has no catalogue number: enter it on the period’s page."),
            _("The English edition’s catalogue number is not valid: %(error)s"),
        ),
        "isbn_en": (
            _("The English edition has no ISBN: enter it on the period’s page."),
            _("The English edition’s ISBN is not valid: %(error)s"),
        ),
        "catalogue_number_fr": (
            _("The French edition has no catalogue number: enter it on the period’s page."),
            _("The French edition’s catalogue number is not valid: %(error)s"),
        ),
        "isbn_fr": (
            _("The French edition has no ISBN: enter it on the period’s page."),
            _("The French edition’s ISBN is not valid: %(error)s"),
        ),
    }


def missing_numbers(period: ReportingPeriod) -> list[str]:
    """One sentence per number the edition lacks or has wrong, for the publishing refusal."""
    if not needs_numbers(period):
        return []
    missing = []
    for field, (absent, wrong) in number_messages().items():
        value = getattr(period, field)
        if not value:
            missing.append(absent)
            continue
        try:
            validate_number(field, value)
        except ValidationError as error:
            missing.append(wrong % {"error": " ".join(error.messages)})
    return missing


def report_title(period: ReportingPeriod, plan_title: str) -> str:
    """The report's full title in the active language: "… Human Trafficking: Annual Report on Progress 2013-2014"."""
    return _("%(plan)s: Annual Report on Progress %(period)s") % {"plan": plan_title, "period": period.label}


def colophon(period: ReportingPeriod, language: str) -> dict[str, Any]:
    """What the colophon page prints in `language`: the copyright year, this edition's numbers (none for an
    edition without them), and the other edition's language and title."""
    other = "fr" if language == "en" else "en"
    with translation.override(other):
        plan = period.plan_title if period.is_published and period.plan_title_en else period.plan.title
        other_title = report_title(period, plan)
    if other == "fr":
        other_title = french_typography(other_title)  # the English edition is not given the French pass
    year = (period.published_at or timezone.now()).astimezone(timezone.get_current_timezone()).year
    return {
        "year": year,
        "catalogue_number": getattr(period, f"catalogue_number_{language}"),
        "isbn": getattr(period, f"isbn_{language}"),
        "other_language": other,
        "other_title": other_title,
    }


def page_footer() -> SafeString:
    """The CSS `content` of the page footer, "Page 3 of 28", from one translatable sentence whose placeholders
    become the page counters (HTML-escaped as any text: it is printed inside the report's <style>)."""
    pieces = PAGE_PLACEHOLDER.split(_("Page %(page)s of %(pages)s"))
    parts = [
        format_html("counter({})", piece) if index % 2 else format_html('"{}"', piece)
        for index, piece in enumerate(pieces)
        if piece
    ]
    return format_html_join(" ", "{}", ((part,) for part in parts))
