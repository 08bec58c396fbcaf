"""The values the chart is written in: fiscal years, codes, notes, and text in both official languages."""

import re
from typing import Self, overload

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator, RegexValidator
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

FIRST_FISCAL_YEAR = 2000
LAST_FISCAL_YEAR = 2100
NOTE_MAX_LENGTH = 2000

fiscal_year_validators = [MinValueValidator(FIRST_FISCAL_YEAR), MaxValueValidator(LAST_FISCAL_YEAR)]
# A TextField's max_length only sizes the form's widget; the validator makes every write path (forms, the
# list, the spreadsheet import) enforce it through full_clean().
note_validators = [MaxLengthValidator(NOTE_MAX_LENGTH)]
code_validator = RegexValidator(r"^\d+(\.\d+)*$", _("A code is numbers separated by dots, e.g. 1.11."))


def timeline_label(start_year: int) -> str:
    """2012 → "2012/13", as the chart's Timeline column prints a fiscal year."""
    return f"{start_year}/{(start_year + 1) % 100:02d}"


def period_label(start_year: int) -> str:
    """2013 → "2013-2014", as a report names its fiscal year."""
    return f"{start_year}-{start_year + 1}"


# The Canada.ca style guide writes a fiscal year one way in running text and another in tables and captions;
# these two are the only places that decide it (period_label stays the ASCII form URLs and file names use).
def fiscal_year_text(start_year: int) -> str:
    """2014 → "2014 to 2015" in running text; « 2014-2015 » in French."""
    return gettext("%(start)s to %(end)s") % {"start": start_year, "end": start_year + 1}


def fiscal_year_table(start_year: int) -> str:
    """2014 → "2014–2015" (an en dash) in tables and captions; « 2014-2015 » in French."""
    dash = "-" if get_language() == "fr" else "–"
    return f"{start_year}{dash}{start_year + 1}"


def parse_fiscal_year(text: object) -> int:
    """Read "2013-2014", "2013/14", "2013/2014" or "2013-14" as the start year 2013.

    Raises ValidationError for anything else, including years that do not follow each other.
    """
    match = re.fullmatch(r"\s*(\d{4})\s*[-/–]\s*(\d{2}|\d{4})\s*", str(text))
    if not match:
        raise ValidationError(
            _("“%(value)s” is not a fiscal year; write it like 2013-2014 or 2013/14."),
            code="invalid_fiscal_year",
            params={"value": text},
        )
    start, end = int(match[1]), match[2]
    expected_end = str(start + 1) if len(end) == 4 else f"{(start + 1) % 100:02d}"
    if end != expected_end or not FIRST_FISCAL_YEAR <= start <= LAST_FISCAL_YEAR:
        raise ValidationError(
            _("“%(value)s” is not a fiscal year; a fiscal year runs April 1 to March 31 of the next year."),
            code="invalid_fiscal_year",
            params={"value": text},
        )
    return start


def natural_sort_key(code: str) -> str:
    """ "1.9" → "0001.0009", so that codes sort 1.9 before 1.10 in the database too."""
    return ".".join(f"{int(part):04d}" for part in code.split("."))


class Translated:
    """Reads `<name>_fr` on French pages, falling back to `<name>_en` where the French is blank.

    Public text is stored in both official languages as explicit `_en`/`_fr` columns, so that the
    admin shows both side by side and a missing translation is visible, not hidden.
    """

    def __init__(self, english: str | None = None) -> None:
        self.english = english or ""  # the column read in English; `<name>_en` unless given

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name
        self.english = self.english or f"{name}_en"

    @overload
    def __get__(self, instance: None, owner: type | None = None) -> Self: ...

    @overload
    def __get__(self, instance: object, owner: type | None = None) -> str: ...

    def __get__(self, instance: object | None, owner: type | None = None) -> Self | str:
        if instance is None:
            return self
        language = (get_language() or settings.LANGUAGE_CODE)[:2]
        if language != "en":
            base = self.english.removesuffix("_en") if self.english.endswith("_en") else self.name
            value = getattr(instance, f"{base}_{language}", "")
            if value:
                return value
        return getattr(instance, self.english)
