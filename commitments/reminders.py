"""Reminders: e-mail each department the deliverables it has not updated yet in a period."""

from django.conf import settings
from django.core.mail import send_mass_mail
from django.utils import translation
from django.utils.formats import date_format

from commitments.models import Department, ReportingPeriod, StatusUpdate


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


def outstanding_by_department(period: ReportingPeriod) -> dict[Department, list[StatusUpdate]]:
    """{department, with its members: [its outstanding status updates]}. Four queries."""
    by_department = outstanding_by_department_id(period)
    departments = Department.objects.filter(pk__in=by_department).prefetch_related("members")
    return {department: by_department[department.pk] for department in departments}


def send_reminders(period: ReportingPeriod) -> list[Department]:
    """One e-mail to each department with outstanding items (its contact address and its members);
    returns the departments written to."""
    messages, reminded = [], []
    for department, updates in outstanding_by_department(period).items():
        recipients = {department.email} if department.email else set()
        recipients |= {member.email for member in department.members.all() if member.email}
        if not recipients:
            continue
        lines = [f"- {update.deliverable.task.code}: {update.deliverable.text_en[:100]}" for update in updates]
        subject = (
            f"[NAP progress] {len(lines)} deliverables to update for {period.label}"
            f" / {len(lines)} produits livrables à mettre à jour"
        )
        body = (
            f"{department.acronym} has not yet updated these deliverables for {period.label}:\n\n"
            + "\n".join(lines)
            + due_line(period)
            + "\n\nSign in to update them. / Ouvrez une session pour les mettre à jour.\n"
        )
        messages.append((subject, body, settings.DEFAULT_FROM_EMAIL, sorted(recipients)))
        reminded.append(department)
    send_mass_mail(messages)
    return reminded


def due_line(period: ReportingPeriod) -> str:
    """“Updates are due on March 1, 2015.” in English and French, when the period has a due date."""
    if not period.due_date:
        return ""
    with translation.override("en"):
        english = date_format(period.due_date, "DATE_FORMAT")
    with translation.override("fr"):
        french = date_format(period.due_date, "DATE_FORMAT")
    return f"\n\nUpdates are due on {english}. / Les mises à jour sont attendues au plus tard le {french}."
