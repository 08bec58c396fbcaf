"""Publishing in the background (issue #13): Publish queues a task, the period's page shows its stages, and a
publication is all or nothing: interrupted anywhere (the worker killed), nothing is published or served and
pressing Publish again simply works; two requests at once make one publication.

Tasks run as they are queued here (the immediate backend, settings.TASKS in tests); tests/production/
test_publishing_worker.py runs the real queue and a real worker, and kills it."""

import errno
import hashlib
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import translation

from commitments.models import PublishedDeliverable, ReportingPeriod
from napreport.report import build, publishing
from napreport.report.models import NarrativeSection, Publication, PublishedReport
from napreport.report.publishing import report_directory, stored_files
from napreport.report.tasks import publish, request_publication
from tests.commitments.staff_requests import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_review(demo):
    """2014-2015 with the 2013-2014 narrative, moved to review: ready to publish."""
    period = ReportingPeriod.objects.select_related("plan").get(plan=demo, start_year=2014)
    for section in NarrativeSection.objects.filter(period__start_year=2013):
        section.pk, section.period = None, period
        section.save()
    period.start_review()
    # Files a publication of this year in an earlier test left in the session's media folder.
    for name in stored_files(report_directory(period)):
        default_storage.delete(name)
    return period


def published_state(period):
    """What a publication writes: the period's state, its frozen rows, its recorded files, the files stored."""
    period = ReportingPeriod.objects.get(pk=period.pk)
    return (
        period.state,
        PublishedDeliverable.objects.filter(period=period).count(),
        sorted(PublishedReport.objects.filter(period=period).values_list("language", "format")),
        sorted(stored_files(report_directory(period))),
    )


def assert_published_once(period):
    state, rows, reports, files = published_state(period)
    assert state == ReportingPeriod.State.PUBLISHED
    assert rows == PublishedDeliverable.objects.filter(period__start_year=2013).count()
    # The report and the open data in each language (the year's CSV and JSON, the all-years CSV), and the data
    # package describing the open data in both (language "").
    kinds = ("all-years-csv", "csv", "html", "json", "pdf")
    assert reports == [("", "datapackage"), *((language, kind) for language in ("en", "fr") for kind in kinds)]
    recorded = PublishedReport.objects.filter(period=period)
    assert files == sorted(report.file.name for report in recorded)  # nothing else left: no staging, no orphan
    for report in recorded:
        with report.file.open("rb") as file:
            assert hashlib.sha256(file.read()).hexdigest() == report.sha256


def press_publish(period, django_capture_on_commit_callbacks, language="en"):
    with django_capture_on_commit_callbacks(execute=True):
        return client_for("coordinator").post(
            reverse("admin:commitments_reportingperiod_lifecycle", args=[period.pk, "publish"]),
            headers={"accept-language": language},
        )


def test_publish_queues_a_task_whose_stages_the_period_page_shows(
    in_review, django_capture_on_commit_callbacks, monkeypatch
):
    stages = []
    save = Publication.save

    def recording_save(self, *args, **kwargs):
        stages.append(self.stage)
        save(self, *args, **kwargs)

    monkeypatch.setattr(Publication, "save", recording_save)
    response = press_publish(in_review, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert stages == [
        "queued",
        "rendering-en-html",
        "rendering-en-pdf",
        "rendering-fr-html",
        "rendering-fr-pdf",
        "freezing",
        "published",
    ]
    assert_published_once(in_review)
    publication = Publication.objects.get(period=in_review)
    assert publication.requested_by.username == "coordinator"
    page = client_for("coordinator").get(response["Location"]).content.decode()
    assert "Publication requested by coordinator" in page
    assert '<strong class="publication-stage">Published</strong>' in page
    assert 'http-equiv="refresh"' not in page  # finished: the page no longer reloads itself


def test_a_publication_under_way_reloads_the_period_page_and_shows_its_stage_in_french(in_review):
    Publication.objects.create(period=in_review, stage=Publication.Stage.RENDERING_FR_PDF)
    page = (
        client_for("coordinator")
        .get(
            reverse("admin:commitments_reportingperiod_change", args=[in_review.pk]),
            headers={"accept-language": "fr"},
        )
        .content.decode()
    )
    assert 'http-equiv="refresh"' in page
    assert "Production du PDF français" in page


def test_a_refused_publication_says_why_on_the_period_page_and_changes_nothing(
    in_review, django_capture_on_commit_callbacks, monkeypatch
):
    before = published_state(in_review)
    # Refused after it was queued: a missing text noticed when the task checks again under the lock.
    checks = iter([[], ["The section “Foreword” has no English text."]])
    monkeypatch.setattr(publishing, "missing_for_publication", lambda period: next(checks, ["again"]))
    press_publish(in_review, django_capture_on_commit_callbacks)
    assert published_state(in_review) == before
    publication = Publication.objects.get(period=in_review)
    assert publication.stage == Publication.Stage.REFUSED
    assert publication.problems == ["The section “Foreword” has no English text."]


class Killed(KeyboardInterrupt):
    """Stands for kill -9: nothing in the task nor the immediate backend catches it, and no clean-up of ours runs
    (below, deleting files does nothing, as after a real kill)."""


def test_a_publication_killed_while_rendering_publishes_nothing_and_publish_works_again(
    in_review, django_capture_on_commit_callbacks, monkeypatch
):
    before = published_state(in_review)
    rendered = []

    def dies_on_the_french_pdf(html):
        if 'lang="fr"' in html[:500]:
            raise Killed
        from tests.conftest import placeholder_pdf

        rendered.append(html)
        return placeholder_pdf(html)

    monkeypatch.setattr("napreport.report.pdf.pdf_from_html", dies_on_the_french_pdf)
    # A killed process runs no clean-up: its staged files stay behind.
    monkeypatch.setattr(publishing.default_storage, "delete", lambda name: None)
    with pytest.raises(Killed):
        press_publish(in_review, django_capture_on_commit_callbacks)
    assert rendered  # it got as far as the English PDF
    state, rows, reports, files = published_state(in_review)
    assert (state, rows, reports) == before[:3]  # not published, no row frozen, no file recorded (served)
    assert files and all("/staging/" in name for name in files)  # only staged files, under names no page serves
    assert Publication.objects.get(period=in_review).stage == Publication.Stage.RENDERING_FR_PDF

    monkeypatch.undo()
    press_publish(in_review, django_capture_on_commit_callbacks)
    assert_published_once(in_review)  # and the leftovers are gone
    assert list(Publication.objects.filter(period=in_review).values_list("stage", flat=True)) == [
        "published",
        "rendering-fr-pdf",
    ]


def test_a_publication_killed_while_storing_its_files_rolls_back_and_publish_works_again(
    in_review, django_capture_on_commit_callbacks, monkeypatch
):
    before = published_state(in_review)
    store = publishing.store_report
    stored = []

    def dies_after_moving_one_file(period, report):
        if stored:
            raise Killed
        stored.append(store(period, report))
        return stored[-1]

    monkeypatch.setattr(publishing, "store_report", dies_after_moving_one_file)
    monkeypatch.setattr(publishing.default_storage, "delete", lambda name: None)
    with pytest.raises(Killed):
        press_publish(in_review, django_capture_on_commit_callbacks)
    state, rows, reports, files = published_state(in_review)
    assert (state, rows, reports) == before[:3]  # the transaction rolled the freeze and the record back
    moved = stored[0].file.name
    assert moved in files and "/staging/" not in moved  # one file moved into place, recorded nowhere

    monkeypatch.undo()
    press_publish(in_review, django_capture_on_commit_callbacks)
    assert_published_once(in_review)


def test_two_presses_at_once_make_one_publication(in_review):
    first = request_publication(in_review, None, "en")
    second = request_publication(in_review, None, "en")
    assert publish.call(first.pk) == Publication.Stage.HANDED_OVER  # the later request does the work
    assert published_state(in_review)[0] == ReportingPeriod.State.IN_REVIEW
    assert publish.call(second.pk) == Publication.Stage.PUBLISHED
    assert publish.call(first.pk) == Publication.Stage.HANDED_OVER  # run again: already published
    assert_published_once(in_review)


def test_a_second_task_of_one_publication_finds_it_published_and_ends_cleanly(in_review):
    publication = request_publication(in_review, None, "en")
    assert publish.call(publication.pk) == Publication.Stage.PUBLISHED
    assert publish.call(publication.pk) == Publication.Stage.HANDED_OVER
    assert_published_once(in_review)


def test_a_publication_reads_the_chart_once_for_both_languages_and_each_languages_report_once(in_review, monkeypatch):
    """The live chart for the four files, then the frozen record for their check: the chart's rows once each
    time, for both languages, and one report_data per language (each renders two files). At 10x the chart, one
    report_data per file took some 0.5 s more of the task's 3.5 s outside its PDFs, and one reading of the rows
    per language about 0.1 s more (issue #17)."""
    read, read_rows = build.report_data, publishing.chart_rows
    reads, rows_read = [], []

    def recording_report_data(period, rows=None):
        reads.append((translation.get_language(), period.is_published, rows is not None))
        return read(period, rows)

    def recording_chart_rows(period):
        rows_read.append(period.is_published)
        return read_rows(period)

    monkeypatch.setattr(build, "report_data", recording_report_data)
    monkeypatch.setattr(publishing, "chart_rows", recording_chart_rows)
    publication = request_publication(in_review, None, "en")
    assert publish.call(publication.pk) == Publication.Stage.PUBLISHED
    assert rows_read == [False, True]
    assert reads == [("en", False, True), ("fr", False, True), ("en", True, True), ("fr", True, True)]
    assert_published_once(in_review)


def test_the_chart_changed_while_rendering_is_not_published(in_review, monkeypatch):
    before = published_state(in_review)
    render = publishing.render_html
    renders = []

    def edits_after_rendering(period, language, **options):
        html = render(period, language, **options)
        renders.append(html)
        if len(renders) == 4:  # all four rendered: the coordinator corrects a status meanwhile
            update = in_review.status_updates.filter(status="ongoing").first()
            update.status = "complete"
            update.save()
        return html

    monkeypatch.setattr(publishing, "render_html", edits_after_rendering)
    publication = request_publication(in_review, None, "en")
    assert publish.call(publication.pk) == Publication.Stage.REFUSED
    publication.refresh_from_db()
    assert publication.problems == [
        "The chart or the narrative changed while the report was being rendered: publish again."
    ]
    state, rows, reports, files = published_state(in_review)
    assert (state, rows, reports, files) == (before[0], before[1], before[2], [])


def test_only_a_coordinator_may_press_publish(in_review, django_capture_on_commit_callbacks):
    before = published_state(in_review)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for("staff_a").post(
            reverse("admin:commitments_reportingperiod_lifecycle", args=[in_review.pk, "publish"])
        )
    assert response.status_code == 403
    assert published_state(in_review) == before
    assert not Publication.objects.exists()


def files_left(period):
    """Every file under the period's report folder, as the file system has it (staging included)."""
    folder = Path(settings.MEDIA_ROOT) / report_directory(period)
    return sorted(str(path.relative_to(settings.MEDIA_ROOT)) for path in folder.rglob("*") if path.is_file())


def canonical_names(period):
    """The recorded files' names, sorted by language, then format (the chart's downloads among the reports)."""
    names = {"csv": "action-items", "html": "annual-report", "json": "action-items", "pdf": "annual-report"}
    directory, label = report_directory(period), period.label
    return [f"{directory}/datapackage.json"] + [
        name
        for language in ("en", "fr")
        for name in (
            f"{directory}/action-items-all-years-to-{label}-{language}.csv",
            *(f"{directory}/{names[kind]}-{label}-{language}.{kind}" for kind in ("csv", "html", "json", "pdf")),
        )
    ]


def assert_published_under_the_canonical_names(period):
    assert_published_once(period)
    recorded = PublishedReport.objects.filter(period=period).order_by("language", "format")
    assert [report.file.name for report in recorded] == canonical_names(period)
    assert files_left(period) == sorted(canonical_names(period))


class Refused(Exception):
    """An error in a stage of the publication (the database, a template, WeasyPrint)."""


def fails_after_moving_one_file(monkeypatch):
    store = publishing.store_report
    stored = []

    def store_once(period, report):
        if stored:
            raise Refused
        stored.append(store(period, report))
        return stored[-1]

    monkeypatch.setattr(publishing, "store_report", store_once)


def fails_storing_the_second_download(monkeypatch):
    """The four report files and one chart download moved into place, then an error."""
    store = publishing.store_report
    downloads = []

    def store_until_the_second_download(period, report):
        if report.format in ("csv", "json"):
            downloads.append(report)
            if len(downloads) == 2:
                raise Refused
        return store(period, report)

    monkeypatch.setattr(publishing, "store_report", store_until_the_second_download)


@pytest.mark.parametrize("stage", ["rendering-fr-pdf", "freezing", "storing", "storing-downloads"])
def test_a_publication_failing_in_a_stage_leaves_no_file_and_a_retry_stores_the_canonical_names(
    in_review, monkeypatch, stage
):
    before = published_state(in_review)

    def fails_at_the_stage(started):
        if started == stage:
            raise Refused

    if stage == "storing":
        fails_after_moving_one_file(monkeypatch)
    if stage == "storing-downloads":
        fails_storing_the_second_download(monkeypatch)
    with pytest.raises(Refused):
        publishing.publish_period(in_review, fails_at_the_stage)
    assert published_state(in_review)[:3] == before[:3]
    assert files_left(in_review) == []  # neither staged files nor those already moved into place

    monkeypatch.undo()
    publishing.publish_period(in_review)
    assert_published_under_the_canonical_names(in_review)


class FillsTheDisk(ContentFile):
    """A file whose writing stops part of the way with ENOSPC, as on a full disk: its start is on the disk."""

    def chunks(self, chunk_size=None):
        yield self.read(16)
        raise OSError(errno.ENOSPC, "No space left on device")


# The 4th file staged is the French PDF; the 6th, the English JSON download (staged once the chart is frozen).
@pytest.mark.parametrize("full_at", [4, 6])
def test_a_full_disk_leaves_no_truncated_file_and_a_retry_stores_the_canonical_names(in_review, monkeypatch, full_at):
    before = published_state(in_review)
    written = []
    partial = []

    def one_file_fills_the_disk(content):
        written.append(content)
        return FillsTheDisk(content) if len(written) == full_at else ContentFile(content)

    real_save = default_storage.save

    def save_noting_what_reached_the_disk(name, content, **options):
        try:
            return real_save(name, content, **options)
        except OSError:
            partial.append(Path(default_storage.path(name)).exists())  # before our clean-up runs
            raise

    monkeypatch.setattr(publishing, "ContentFile", one_file_fills_the_disk)
    monkeypatch.setattr(publishing.default_storage, "save", save_noting_what_reached_the_disk)
    with pytest.raises(OSError, match="No space left"):
        publishing.publish_period(in_review)
    assert partial == [True]  # the full disk did leave a truncated file behind, for a moment
    assert published_state(in_review)[:3] == before[:3]
    assert files_left(in_review) == []

    monkeypatch.undo()
    publishing.publish_period(in_review)
    assert_published_under_the_canonical_names(in_review)


def test_files_a_killed_attempt_moved_into_place_meanwhile_are_replaced_not_stored_beside(in_review):
    """Two attempts: this one checks for leftovers and renders; meanwhile the other moves its files to the
    canonical names and is killed before it commits. This one replaces them, and stores no `…_AbC123x.pdf`."""

    def another_attempt_is_killed_after_moving(stage):
        if stage == "rendering-en-html":
            for name in canonical_names(in_review):
                default_storage.save(name, ContentFile(b"left by a killed attempt"))

    publishing.publish_period(in_review, another_attempt_is_killed_after_moving)
    assert_published_under_the_canonical_names(in_review)  # and each file's checksum is the one recorded
