"""Scripts the production tests run in a real `manage.py shell` of the instance under test."""

# Gets the demo's open year ready to publish: 2013-2014's narrative copied to it, its edition's catalogue numbers
# and ISBNs (napreport.report.edition), and the review step publishing needs.
COPY_NARRATIVE = """
from commitments.models import ReportingPeriod
from napreport.report.models import NarrativeSection
published, open_period = ReportingPeriod.objects.order_by("start_year")
for section in NarrativeSection.objects.filter(period=published):
    section.pk, section.period = None, open_period
    section.save()
from tests.report.editions import give_numbers
give_numbers(open_period)  # its edition's catalogue numbers and ISBNs (napreport.report.edition)
open_period.start_review()  # publishing needs the review step
"""
