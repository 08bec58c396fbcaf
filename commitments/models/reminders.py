"""The record of reminders sent: which department was written to, when, by whom and at which addresses."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from commitments.models.periods import ReportingPeriod
from commitments.models.plan import Department


class SentReminder(models.Model):
    """One reminder e-mail sent to one department in a period (commitments.reminders.send_reminders)."""

    period = models.ForeignKey(
        ReportingPeriod, on_delete=models.PROTECT, related_name="sent_reminders", verbose_name=_("period")
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="sent_reminders", verbose_name=_("department")
    )
    # Every reminder of one sending carries the same time, so “the last reminders sent” is one sending.
    sent_at = models.DateTimeField(_("sent"), default=timezone.now, db_index=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sent by"),
    )
    recipients = models.JSONField(_("recipients"), default=list, help_text=_("The addresses written to."))
    items = models.PositiveIntegerField(_("items"), help_text=_("How many deliverables the e-mail listed."))
    language = models.CharField(
        _("language"),
        max_length=2,
        choices=Department.Language,
        blank=True,
        help_text=_("Blank: English and French in one message."),
    )

    class Meta:
        ordering = ["-sent_at", "department__acronym"]
        get_latest_by = "sent_at"
        verbose_name = _("sent reminder")
        verbose_name_plural = _("sent reminders")

    def __str__(self) -> str:
        return f"{self.department_id} on {self.sent_at:%Y-%m-%d %H:%M}"
