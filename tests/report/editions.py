"""The catalogue numbers and ISBNs a test gives an edition before publishing it: every edition but 2013-2014 of
the demo plan needs them (napreport.report.edition). Well-formed, with correct check digits, and not any real
publication's numbers."""

from commitments.models import ReportingPeriod

NUMBERS = {
    "catalogue_number_en": "PS1-15/2015E-PDF",
    "catalogue_number_fr": "PS1-15/2015F-PDF",
    "isbn_en": "978-0-660-00001-5",
    "isbn_fr": "978-0-660-00002-2",
}


def give_numbers(period: ReportingPeriod) -> ReportingPeriod:
    """Record the edition's numbers (without a history record: the tests that count history do not count these)."""
    ReportingPeriod.objects.filter(pk=period.pk).update(**NUMBERS)
    for field, value in NUMBERS.items():
        setattr(period, field, value)
    return period
