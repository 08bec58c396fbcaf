"""Background tasks (django-tasks): publishing a period, and the draft PDF of a large chart, which take too long
for a request.

The admin records a Publication and queues `publish`; a worker (`manage.py db_worker`) runs it and writes each
stage on the Publication, which the period's page shows. Pressing Publish again records a new Publication: an
older one still running stops at its next stage, and one whose worker died (kill -9) is simply left behind.
"""

import logging
import secrets
from collections.abc import Iterable

from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks import task

from commitments.models import ReportingPeriod
from napreport.report.build import render_html
from napreport.report.models import Publication
from napreport.report.publishing import PublishingError, lock_publishable, publish_period

logger = logging.getLogger(__name__)


class Replaced(Exception):
    """A later Publication of the same period was requested: it does the work."""


def request_publication(period: ReportingPeriod, user: User | None, language: str) -> Publication:
    """Record a Publication of `period` and queue its task once committed; PublishingError if it cannot be."""
    with transaction.atomic():
        period = lock_publishable(period)
        publication = Publication.objects.create(period=period, requested_by=user, language=language)
        transaction.on_commit(lambda: publish.enqueue(publication.pk))
    return publication


@task()
def publish(publication_id: int) -> str:
    """Carry out one Publication; returns the stage it ended in."""
    publication = Publication.objects.select_related("period__plan").get(pk=publication_id)
    with translation.override(publication.language):
        return carry_out(publication)


def carry_out(publication: Publication) -> str:
    def progress(stage: str) -> None:
        if Publication.objects.filter(period_id=publication.period_id, pk__gt=publication.pk).exists():
            raise Replaced
        publication.stage = stage
        publication.save(update_fields=["stage", "updated_at"])

    try:
        publish_period(publication.period, progress=progress)
    except Replaced:
        finish(publication, Publication.Stage.HANDED_OVER)
    except PublishingError as error:
        if ReportingPeriod.objects.filter(pk=publication.period_id, state=ReportingPeriod.State.PUBLISHED).exists():
            finish(publication, Publication.Stage.HANDED_OVER)  # another request published it first
        else:
            finish(publication, Publication.Stage.REFUSED, error.missing)
    except Exception:
        if ReportingPeriod.objects.filter(pk=publication.period_id, state=ReportingPeriod.State.PUBLISHED).exists():
            finish(publication, Publication.Stage.HANDED_OVER)  # another attempt won while this one failed
            return publication.stage
        logger.exception("Publishing period %s failed", publication.period_id)
        finish(publication, Publication.Stage.FAILED, [_("An unexpected error stopped the publication.")])
        raise  # the task is recorded as failed, with its traceback
    else:
        finish(publication, Publication.Stage.PUBLISHED)
    return publication.stage


def finish(publication: Publication, stage: str, problems: Iterable[object] = ()) -> None:
    publication.stage = stage
    publication.problems = [str(problem) for problem in problems]
    publication.save(update_fields=["stage", "problems", "updated_at"])


@task()
def render_preview(period_id: int, language: str) -> str:
    """The draft PDF of a period (watermarked), rendered from the live data and stored under a name of its own,
    which the preview view serves to the coordinator; returns that name."""
    from napreport.report.pdf import pdf_from_html  # loads WeasyPrint only in the worker

    period = ReportingPeriod.objects.select_related("plan").get(pk=period_id)
    with translation.override(language):
        pdf = pdf_from_html(render_html(period, language, draft=True, for_pdf=True))
    name = f"previews/{period.plan.slug}/{period.label}/draft-{language}-{secrets.token_hex(8)}.pdf"
    return default_storage.save(name, ContentFile(pdf))
