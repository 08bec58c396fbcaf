"""Reminders: e-mail each department the deliverables it has not updated yet in a period, in its language.

The coordinator first sees what would be sent (planned_reminders), then sends it (send_reminders); every
message sent is recorded as a SentReminder, which the dashboard shows.
"""

import logging
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.mail import EmailMessage, get_connection
from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import ngettext

from commitments.models import Department, ReportingPeriod, SentReminder, StatusUpdate

logger = logging.getLogger(__name__)

# The languages of one message: the department's preferred one, or both, English first (as GC e-mails are).
BOTH_LANGUAGES = ["en", "fr"]


def outstanding_by_department_id(period: ReportingPeriod) -> dict[int, list[StatusUpdate]]:
    """{department id: [its status updates not yet updated in `period`]}, in chart order. Two queries."""
    outstanding = (
        StatusUpdate.objects.filter(period=period, updated_at__isnull=True)
        .select_related("deliverable__task")
        .prefetch_related("deliverable__lead_links")
        .in_chart_order()
    )
    by_department: dict[int, list[StatusUpdate]] = {}
    for update in outstanding:
        for link in update.deliverable.lead_links.all():
            by_department.setdefault(link.department_id, []).append(update)
    return by_department


@dataclass
class PlannedReminder:
    """One department's reminder as it would be sent: to whom, in which languages, listing which items."""

    department: Department
    updates: list[StatusUpdate]
    recipients: list[str] = field(default_factory=list)

    @property
    def languages(self) -> list[str]:
        return [self.department.preferred_language] if self.department.preferred_language else BOTH_LANGUAGES


def planned_reminders(period: ReportingPeriod) -> list[PlannedReminder]:
    """A reminder for each department with deliverables left to update in `period`, in the departments'
    order; those without any address have no recipients (the confirmation page names them). Four queries."""
    by_department = outstanding_by_department_id(period)
    active_members = Prefetch("members", queryset=get_user_model().objects.filter(is_active=True).order_by("email"))
    departments = Department.objects.filter(pk__in=by_department).prefetch_related(active_members)
    planned = []
    for department in departments:
        addresses = [department.email] if department.email else []
        addresses += [member.email for member in department.members.all() if member.email]
        recipients = list(dict.fromkeys(address.lower() for address in addresses))  # each address once
        planned.append(PlannedReminder(department, by_department[department.pk], recipients))
    return planned


def sign_in_url() -> str:
    """The staff screens' sign-in page, on the site's configured address (never the Host of a request)."""
    return settings.SITE_URL + reverse("admin:login")


def reminder_message(period: ReportingPeriod, reminder: PlannedReminder) -> EmailMessage:
    """The e-mail to one department: in its preferred language, or English then French in one message."""
    languages = reminder.languages
    subjects, bodies = [], []
    for language in languages:
        with translation.override(language):
            subjects.append(
                ngettext(
                    "%(count)d deliverable to update for %(period)s",
                    "%(count)d deliverables to update for %(period)s",
                    len(reminder.updates),
                )
                % {"count": len(reminder.updates), "period": period.label}
            )
            context = reminder_context(period, reminder, bilingual=len(languages) > 1)
            bodies.append(render_to_string(f"commitments/reminders/reminder_{language}.txt", context).strip())
    return EmailMessage(
        subject="[NAP] " + " / ".join(subjects),
        body="\n\n* * *\n\n".join(bodies) + "\n",
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=reminder.recipients,
    )


def reminder_context(period: ReportingPeriod, reminder: PlannedReminder, bilingual: bool) -> dict[str, Any]:
    """What a reminder template shows, in the active language: texts whole, continuation lines indented."""
    return {
        "period": period.label,
        "due_date": period.due_date,
        "department": reminder.department,
        "items": [
            {"code": update.deliverable.task.code, "text": "\n    ".join(update.deliverable.text.splitlines())}
            for update in reminder.updates
        ],
        "sign_in_url": sign_in_url(),
        "bilingual": bilingual,
    }


@dataclass
class Sending:
    """What one press of “Send” did: the reminders sent (and recorded), and the departments not reached."""

    sent: list[SentReminder] = field(default_factory=list)
    failed: list[Department] = field(default_factory=list)
    without_address: list[Department] = field(default_factory=list)


def last_sending_time(period: ReportingPeriod) -> Any:
    """When reminders were last sent for `period` (None if never). One query."""
    return SentReminder.objects.filter(period=period).order_by("-sent_at").values_list("sent_at", flat=True).first()


def send_reminders(period: ReportingPeriod, sent_by: User | None = None) -> Sending:
    """Send each department with outstanding items its reminder, and record each message sent.

    A message the mail server refuses is logged and its department reported as not reached; the others
    still go. All reminders of one sending carry the same time.
    """
    sending, sent_at = Sending(), timezone.now()
    connection = get_connection()
    try:
        connection.open()  # one connection for all; if the server is unreachable, each message says so below
    except OSError:  # smtplib's errors are OSErrors too
        logger.warning("The mail server is unreachable; trying each reminder on its own")
    try:
        for reminder in planned_reminders(period):
            if not reminder.recipients:
                sending.without_address.append(reminder.department)
                continue
            message = reminder_message(period, reminder)
            message.connection = connection
            try:
                message.send()
            except OSError:
                logger.exception("The reminder to %s was not sent", reminder.department.acronym)
                sending.failed.append(reminder.department)
                continue
            sending.sent.append(
                SentReminder.objects.create(
                    period=period,
                    department=reminder.department,
                    sent_at=sent_at,
                    sent_by=sent_by,
                    recipients=reminder.recipients,
                    items=len(reminder.updates),
                    language=reminder.department.preferred_language,
                )
            )
    finally:
        connection.close()
    return sending
