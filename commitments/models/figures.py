"""The dashboard's figures, kept between requests: counted once for each state of what they count, not on every
request, so that the dashboard costs the same whatever the size of the chart (issue #17)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from commitments.models.periods import ReportingPeriod


class ChartRevision(models.Model):
    """One row, whose `number` the database itself raises on every write to what the dashboard counts: a status, a
    lead link, a deliverable, a task, an objective, a pillar (commitments/chart_revision.py installs the
    triggers). Whatever writes them raises it: a form, an import, a review, a revert, the carry-forward, a
    script, raw SQL."""

    number = models.BigIntegerField(default=0)
    # PostgreSQL: the transaction that raised it last, so that a transaction raises it once however many rows it
    # writes (a row updated 10,000 times in one transaction leaves 10,000 versions, each update slower than the
    # last: 1.5 s for the carry-forward of 10,600 statuses, 15 s for 30,000).
    raised_in = models.BigIntegerField(null=True, editable=False)

    class Meta:
        verbose_name = _("chart revision")
        verbose_name_plural = _("chart revisions")

    def __str__(self) -> str:
        return str(self.number)


class DashboardFigures(models.Model):
    """A period's dashboard figures (commitments.dashboard.count_figures), counted at chart revision `revision`:
    read while the chart is still at that revision, counted again after any change."""

    period = models.OneToOneField(
        ReportingPeriod, on_delete=models.CASCADE, primary_key=True, related_name="+", verbose_name=_("period")
    )
    revision = models.BigIntegerField()
    figures = models.JSONField()

    class Meta:
        verbose_name = _("dashboard figures")
        verbose_name_plural = _("dashboard figures")

    def __str__(self) -> str:
        return f"{self.period_id}@{self.revision}"
