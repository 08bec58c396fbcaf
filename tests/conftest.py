import hashlib
import io
import json
import shutil

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import translation

from commitments.models import (
    ActionPlan,
    Deliverable,
    DeliverableLead,
    Department,
    Objective,
    Pillar,
    ReportingPeriod,
    Status,
    StatusUpdate,
    Task,
)
from tests import session_builds
from tests.demo_rows import DemoRows
from tests.report.editions import give_numbers

OWNS_BUILDS = pytest.StashKey[bool]()


def pytest_configure(config):
    config.stash[OWNS_BUILDS] = session_builds.start_run()


def pytest_unconfigure(config):
    if config.stash.get(OWNS_BUILDS, False):  # the controller, once every worker has ended
        session_builds.end_run()


@pytest.fixture(autouse=True)
def sign_in_throttling(request, settings):
    """django-axes needs the request to authenticate, which the test client's login() does not pass;
    tests sign in with force_login() or through the form, and the throttling tests turn axes on."""
    settings.AXES_ENABLED = "axes" in request.keywords


@pytest.fixture(autouse=True)
def english_to_begin_with():
    """A request to a French page leaves French active in the thread; each test starts in English again."""
    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture(scope="session", autouse=True)
def media_root(tmp_path_factory):
    """Published report files go to a throwaway folder, never into the project's media/."""
    from django.conf import settings

    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")
    return settings.MEDIA_ROOT


@pytest.fixture(scope="session", autouse=True)
def fast_password_hashing():
    """Django's PBKDF2 costs about half a second a password by design; the demo's accounts, the sign-in and
    lockout tests hash dozens. The tests check who may sign in, not how hard a password is to crack."""
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def placeholder_pdf(html):
    """What publishing and previews store instead of a PDF in tests that read none: a PDF header and the
    checksum of the HTML it stands for (so different documents still differ)."""
    return b"%PDF-1.7\n% placeholder for " + hashlib.sha256(html.encode()).hexdigest().encode() + b"\n%%EOF\n"


@pytest.fixture(autouse=True)
def pdf_rendering(request):
    """WeasyPrint takes seconds a report. Only tests marked `pdf` (those that read a PDF) render one; elsewhere
    publishing and the preview store a placeholder. The `demo` fixture's published edition is always real.

    The placeholder is set with a patcher of its own, not the test's `monkeypatch`: a test that injects a fault
    and then calls `monkeypatch.undo()` to publish again would otherwise undo the placeholder too, and render
    two real PDFs (seconds) that it never reads."""
    if "pdf" in request.keywords:
        yield
        return
    with pytest.MonkeyPatch.context() as patcher:
        patcher.setattr("napreport.report.pdf.pdf_from_html", placeholder_pdf)
        yield


@pytest.fixture(scope="session")
def demo_dump(django_db_setup, django_db_blocker):
    """Run load_demo once a test run (it renders and stores the published report, which takes seconds; with
    xdist, the first worker to need it runs it: tests/session_builds.py) and keep its records as a fixture file
    that each test using `demo` loads in a moment. Each process copies the report's stored files into its own
    MEDIA_ROOT."""
    from django.conf import settings

    built = session_builds.folder("demo")
    dump, media = built / "demo.json", built / "media"
    with session_builds.building(built):
        if not dump.exists():
            partial = built / "demo.json.partial"  # a run stopped midway leaves no dump that looks whole
            with override_settings(MEDIA_ROOT=media), django_db_blocker.unblock(), transaction.atomic():
                call_command("load_demo", stdout=io.StringIO())
                # 2014-2015 is published by many tests: its edition needs its numbers (napreport.report.edition).
                give_numbers(ReportingPeriod.objects.get(plan__slug="nap-2012", start_year=2014))
                # Natural keys: a transactional test's flush recreates content types and permissions with new
                # primary keys, so the groups' permissions must be found by name, not by number.
                call_command(
                    "dumpdata",
                    "--natural-foreign",
                    "--natural-primary",
                    "--exclude=contenttypes",
                    "--exclude=auth.permission",
                    "--exclude=sessions",
                    "--exclude=admin.logentry",
                    # The database's own bookkeeping (commitments/chart_revision.py): each test database has its
                    # revision's row from `migrate`, and the demo's rows raise it as they are written.
                    "--exclude=commitments.chartrevision",
                    "--exclude=commitments.dashboardfigures",
                    output=str(partial),
                )
                transaction.set_rollback(True)
            partial.rename(dump)
    shutil.copytree(media, settings.MEDIA_ROOT, dirs_exist_ok=True)
    return dump


@pytest.fixture(scope="session")
def demo_rows(django_db_setup, django_db_blocker, demo_dump):
    """The dump's records as table rows, read once (tests/demo_rows.py): writing them is loaddata in ~40 queries."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("loaddata", str(demo_dump), verbosity=0)
        rows = DemoRows(dict.fromkeys(record["model"] for record in json.loads(demo_dump.read_text())))
        transaction.set_rollback(True)
    return rows


@pytest.fixture
def demo(db, demo_dump, demo_rows):
    """The real 2013-2014 chart, published (with its stored report), 2014-2015 open, the demo accounts."""
    if not demo_rows.load():  # the database is not as the rows expect: loaddata finds its way
        call_command("loaddata", str(demo_dump), verbosity=0)
    return ActionPlan.objects.get(slug="nap-2012")


@pytest.fixture
def target(demo):
    """2014-2015's status of a deliverable led by RCMP (department A) and co-led by CBSA; PS is department B.
    Carried forward from 2013-2014: its notes are blank."""
    return StatusUpdate.objects.get(
        period__start_year=2014, deliverable__text_en__startswith="Dedicated Integrated Enforcement Team"
    )


@pytest.fixture
def plan():
    return ActionPlan.objects.create(
        slug="test-plan", title_en="Test plan", title_fr="Plan d'essai", launched="2012-06-06"
    )


@pytest.fixture
def pillar(plan):
    return Pillar.objects.create(plan=plan, number=1, name_en="Prevention", name_fr="Prévention")


@pytest.fixture
def objective(pillar):
    return Objective.objects.create(pillar=pillar, code="1.1", text_en="Prevent it.", text_fr="La prévenir.")


@pytest.fixture
def task(objective):
    return Task.objects.create(objective=objective, code="1.11", title_en="Raise awareness.", title_fr="Sensibiliser.")


@pytest.fixture
def rcmp():
    return Department.objects.create(
        acronym="RCMP",
        short_name_fr="GRC",
        name_en="Royal Canadian Mounted Police",
        name_fr="Gendarmerie royale du Canada",
    )


@pytest.fixture
def cbsa():
    return Department.objects.create(
        acronym="CBSA",
        short_name_fr="ASFC",
        name_en="Canada Border Services Agency",
        name_fr="Agence des services frontaliers du Canada",
    )


@pytest.fixture
def period(plan):
    """2014-2015, open for updates."""
    return ReportingPeriod.objects.create(plan=plan, start_year=2014)


@pytest.fixture
def deliverable(task, rcmp):
    deliverable = Deliverable.objects.create(
        task=task, position=1, text_en="Distribute toolkits.", text_fr="Distribuer des trousses.", start_year=2012
    )
    DeliverableLead.objects.create(deliverable=deliverable, department=rcmp)
    return deliverable


@pytest.fixture
def status_update(deliverable, period):
    return StatusUpdate.objects.create(deliverable=deliverable, period=period, status=Status.IN_PROGRESS)
