"""E-mail each department the deliverables it has not updated yet in the open period."""

from typing import Any

from django.core.management.base import BaseCommand

from commitments.models import ReportingPeriod
from commitments.reminders import send_reminders


class Command(BaseCommand):
    help = "Send each department with outstanding updates in the open period an e-mail listing them."

    def handle(self, *args: Any, **options: Any) -> None:
        period = ReportingPeriod.objects.filter(state=ReportingPeriod.State.OPEN).first()
        if period is None:
            self.stdout.write("No period is open: no reminders sent.")
            return
        sending = send_reminders(period)
        self.stdout.write(f"Sent {len(sending.sent)} reminders for {period.label}.")
        for department in sending.failed:
            self.stderr.write(f"The mail server refused the reminder to {department.acronym}.")
