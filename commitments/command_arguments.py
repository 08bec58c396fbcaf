"""Arguments that several management commands take, read the same way with the same messages."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import CommandError

from commitments.models import ReportingPeriod, parse_fiscal_year


def reporting_period(fiscal_year: str, plan_slug: str | None = None) -> ReportingPeriod:
    """The period of `fiscal_year` ("2013-2014", "2013/14" …) in the plan `plan_slug`, or in the most recently
    launched plan that has one."""
    try:
        start_year = parse_fiscal_year(fiscal_year)
    except ValidationError as error:
        raise CommandError(error.messages[0]) from None
    periods = ReportingPeriod.objects.filter(start_year=start_year).select_related("plan")
    if plan_slug:
        periods = periods.filter(plan__slug=plan_slug)
    found = periods.order_by("-plan__launched").first()
    if found is None:
        raise CommandError(f"There is no {fiscal_year} reporting period.")
    return found


def language(code: str) -> str:
    """`code` if the site has that language."""
    languages = [known for known, _name in settings.LANGUAGES]
    if code not in languages:
        raise CommandError(f"Unknown language “{code}”: use one of {', '.join(languages)}.")
    return code
