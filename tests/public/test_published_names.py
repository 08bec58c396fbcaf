"""Public pages name the plan, its pillars and the departments as they were published, never as edited since."""

import datetime
import importlib
import re
from urllib.parse import urljoin, urlsplit

import pytest
from django.apps import apps
from django.core.cache import caches

from commitments.models import (
    ActionPlan,
    Department,
    Pillar,
    PublishedDepartment,
    PublishedPillar,
    ReportingPeriod,
)
from napreport.report.models import NarrativeSection
from napreport.report.publishing import publish_period
from tests.public.test_pages import Links

pytestmark = pytest.mark.django_db

RENAMED = "renamed9q"


@pytest.fixture
def renamed(demo):
    """The coordinator renames the plan, every pillar and every department in the admin, and publishes nothing."""
    ActionPlan.objects.filter(pk=demo.pk).update(
        title_en=f"{RENAMED} plan", title_fr=f"{RENAMED} plan fr", launched=datetime.date(2001, 1, 1)
    )
    for pillar in Pillar.objects.filter(plan=demo):
        pillar.name_en, pillar.name_fr = f"{RENAMED} pillar {pillar.number}", f"{RENAMED} pilier {pillar.number}"
        pillar.save()
    for department in Department.objects.all():
        department.acronym = f"{RENAMED}-{department.pk}"
        department.short_name_fr = f"{RENAMED}-fr-{department.pk}"
        department.name_en, department.name_fr = f"{RENAMED} name {department.pk}", f"{RENAMED} nom {department.pk}"
        department.slug = f"{RENAMED}-{department.slug}"
        department.save()
    caches["public"].clear()
    return demo


def body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def public_pages(client):
    """Every public page, record, filter and download, in English and French, each fetched with an empty cache."""
    seen, pages = set(), {}
    queue = ["/en/", "/fr/"]
    progress = {"en": "/en/progress/2013-2014/", "fr": "/fr/progres/2013-2014/"}
    queue += [f"{progress[language]}?download={kind}" for language in ("en", "fr") for kind in ("csv", "json")]
    queue += [f"{progress[language]}?sort=-leads_en&page=2" for language in ("en", "fr")]
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        seen.add(url)
        caches["public"].clear()
        response = client.get(url)
        assert response.status_code == 200, url
        pages[url] = body(response)
        if response["Content-Type"].startswith("text/html") and not response.streaming:
            links = Links()
            links.feed(pages[url].decode())
            for link in links.links:
                parts = urlsplit(urljoin(url, link))
                if (
                    not parts.netloc
                    and parts.path.startswith(("/en/", "/fr/"))
                    and not re.search(r"(sort|page|download)=", parts.query)
                ):
                    queue.append(urljoin(url, link))
    return pages


def test_no_live_rename_appears_on_any_public_page(client, renamed):
    pages = public_pages(client)
    kinds = {re.sub(r"/(en|fr)/([a-z]*).*", r"\2", url) for url in pages}
    assert kinds >= {"", "progress", "deliverables", "departments", "changes", "downloads"}
    assert len(pages) > 100
    for url, content in pages.items():
        assert RENAMED.encode() not in content.lower(), url
        assert b"January 1, 2001" not in content and b"1er janvier 2001" not in content, url


def test_the_names_shown_are_those_published(client, renamed):
    home = client.get("/en/").content.decode()
    assert "National Action Plan to Combat Human Trafficking" in home and "June 6, 2012" in home
    assert "Protection and Assistance for Victims" in home
    department = client.get("/fr/ministeres/rcmp/").content.decode()
    assert "Gendarmerie royale du Canada (GRC)" in department
    assert client.get(f"/en/departments/{RENAMED}-rcmp/").status_code == 404
    filtered = client.get("/en/progress/2013-2014/?department=rcmp").content.decode()
    assert "Some filters are not valid" not in filtered and 'href="/en/deliverables/' in filtered
    assert '<option value="rcmp" selected>RCMP</option>' in filtered


def test_publishing_the_next_year_publishes_the_new_names(client, renamed, django_capture_on_commit_callbacks):
    published = ReportingPeriod.objects.get(plan=renamed, start_year=2013)
    open_period = ReportingPeriod.objects.get(plan=renamed, start_year=2014)
    for section in NarrativeSection.objects.filter(period=published):
        section.pk, section.period = None, open_period
        section.save()
    open_period.start_review()  # publishing needs the review step
    with django_capture_on_commit_callbacks(execute=True):
        publish_period(open_period)
    assert f"{RENAMED} pillar 2" in client.get("/en/").content.decode()
    assert f"{RENAMED} nom" in client.get(f"/fr/ministeres/{RENAMED}-rcmp/").content.decode()
    # The earlier year keeps the names it was published with.
    assert PublishedPillar.objects.get(period=published, number=2).name_en == "Protection and Assistance for Victims"
    assert PublishedDepartment.objects.get(period=published, slug="rcmp").acronym == "RCMP"
    open_period.refresh_from_db()
    assert open_period.plan_title_en == f"{RENAMED} plan" and open_period.plan_launched == datetime.date(2001, 1, 1)


def test_the_data_migration_freezes_the_names_of_periods_already_published(demo):
    published = ReportingPeriod.objects.get(plan=demo, start_year=2013)
    expected = {
        "pillars": list(PublishedPillar.objects.filter(period=published).values_list("number", "name_en", "name_fr")),
        "departments": list(
            PublishedDepartment.objects.filter(period=published).values_list(
                "department", "acronym", "slug", "name_fr"
            )
        ),
    }
    assert len(expected["pillars"]) == 4 and len(expected["departments"]) > 5
    PublishedPillar.objects.all().delete()
    PublishedDepartment.objects.all().delete()
    ReportingPeriod.objects.filter(pk=published.pk).update(plan_title_en="", plan_title_fr="", plan_launched=None)
    migration = importlib.import_module("commitments.migrations.0007_freeze_published_names")
    for _twice in range(2):  # running it again adds nothing
        migration.freeze_published_names(apps, None)
        assert (
            list(PublishedPillar.objects.filter(period=published).values_list("number", "name_en", "name_fr"))
            == expected["pillars"]
        )
        assert (
            list(
                PublishedDepartment.objects.filter(period=published).values_list(
                    "department", "acronym", "slug", "name_fr"
                )
            )
            == expected["departments"]
        )
    published.refresh_from_db()
    assert published.plan_title_en == "National Action Plan to Combat Human Trafficking"
    assert published.plan_launched == datetime.date(2012, 6, 6)
    # The open period is not published: nothing is frozen for it.
    assert not PublishedPillar.objects.exclude(period=published).exists()
