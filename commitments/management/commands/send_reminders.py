"""E-mail each department the deliverables it has not updated yet in the open period."""

from django.conf import settings
from django.core.mail import send_mail
from django.core.management.base import BaseCommand

from commitments.models import Department, ReportingPeriod, StatusUpdate


class Command(BaseCommand):
    help = "Send each department with outstanding updates in the open period an e-mail listing them."

    def handle(self, *args, **options):
        period = ReportingPeriod.objects.filter(state=ReportingPeriod.State.OPEN).first()
        if period is None:
            self.stdout.write("No period is open: no reminders sent.")
            return
        sent = 0
        for department in Department.objects.filter(lead_links__isnull=False).distinct().prefetch_related("members"):
            outstanding = (
                StatusUpdate.objects.filter(period=period, updated_at__isnull=True, deliverable__leads=department)
                .select_related("deliverable__task")
                .distinct()
            )
            recipients = [department.email] if department.email else []
            recipients += [member.email for member in department.members.all() if member.email]
            if not outstanding or not recipients:
                continue
            lines = [f"- {update.deliverable.task.code}: {update.deliverable.text_en[:100]}" for update in outstanding]
            send_mail(
                subject=(
                    f"[napreport] {len(lines)} deliverables to update for {period.label}"
                    f" / {len(lines)} produits livrables à mettre à jour"
                ),
                message=(
                    f"{department.acronym} has not yet updated these deliverables for {period.label}:\n\n"
                    + "\n".join(lines)
                    + "\n\nSign in to update them. / Ouvrez une session pour les mettre à jour.\n"
                ),
                from_email=settings.DEFAULT_FROM_EMAIL,
                recipient_list=sorted(set(recipients)),
            )
            sent += 1
        self.stdout.write(f"Sent {sent} reminders for {period.label}.")
