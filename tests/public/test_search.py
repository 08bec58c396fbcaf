"""The progress table's search (napreport.public.search): whole words, whatever their case and accents, in English
and French, on SQLite and on PostgreSQL (its full-text search)."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from commitments.models import PublishedDeliverable
from napreport.public.search import ACCENTED, FOLDED, fold

pytestmark = pytest.mark.django_db

PROGRESS = "/en/progress/2013-2014/"


@pytest.fixture
def rows(published):
    """Three published rows given texts to look for (the demo's own texts stay on every other row)."""
    first, second, third = PublishedDeliverable.objects.filter(period=published, parent=None)[:3]
    first.text_en, first.text_fr = "Develop a toolkit for Zephyrine shelters.", "Élaborer une trousse Zéphyrine."
    second.text_en, second.text_fr = "Collaborate with Zephyrine partners.", "Collaborer avec les partenaires."
    third.text_en, third.text_fr = "Labor standards for Zephyrine workers.", "Normes du travail, une œuvre commune."
    for row in (first, second, third):
        row.save()
    return first, second, third


def found(client, query, language="en"):
    """The deliverables the progress table lists for ?q=query (every row on one page)."""
    url = PROGRESS if language == "en" else "/fr/progres/2013-2014/"
    html = client.get(url, {"q": query, "per_page": 100}).content.decode()
    return {int(pk) for pk in re.findall(rf'href="/{language}/[a-z]+/(\d+)/"', html)}


def test_folding_lowers_the_case_and_removes_the_accents():
    assert fold("ÉLABORER à Montréal, Ça") == "elaborer a montreal, ca"
    assert fold("Œuvre, cœur") == "oeuvre, coeur"
    # PostgreSQL's translate() folds one character into one, the same way.
    assert len(ACCENTED) == len(FOLDED) and "".join(fold(char) for char in ACCENTED) == FOLDED


def test_a_word_without_its_accents_finds_it_with_them(client, rows):
    first, _second, _third = rows
    assert first.deliverable_id in found(client, "elaborer zephyrine")
    assert first.deliverable_id in found(client, "ÉLABORER Zéphyrine", "fr")


def test_a_ligature_is_found_written_out(client, rows):
    _first, _second, third = rows
    assert third.deliverable_id in found(client, "oeuvre", "fr")
    assert third.deliverable_id in found(client, "Œuvre", "fr")


def test_case_does_not_matter(client, rows):
    assert found(client, "ZEPHYRINE") == found(client, "zephyrine") == {row.deliverable_id for row in rows}


def test_a_word_is_not_found_inside_another_word(client, rows):
    _first, second, third = rows
    labor = found(client, "labor")
    assert third.deliverable_id in labor
    assert second.deliverable_id not in labor  # "collaborate"
    assert found(client, "pact") & {second.deliverable_id} == set()


def test_every_word_must_be_found(client, rows):
    first, _second, third = rows
    assert found(client, "zephyrine labor") == {third.deliverable_id}
    assert first.deliverable_id not in found(client, "zephyrine labor")


def test_a_search_that_finds_nothing_says_so_in_both_languages(client, rows):
    english = client.get(PROGRESS, {"q": "xylophonequartz"}).content.decode()
    assert "0 of 109 deliverables" in english and "No deliverable matches these filters." in english
    french = client.get("/fr/progres/2013-2014/", {"q": "xylophonequartz"}).content.decode()
    assert "0 produit livrable sur 109" in french


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's full-text search")
def test_postgresql_searches_with_its_english_and_french_configurations(client, rows):
    first, _second, _third = rows
    with CaptureQueriesContext(connection) as queries:
        found(client, "zephyrine")
    sql = " ".join(query["sql"] for query in queries.captured_queries)
    assert "to_tsvector" in sql and "plainto_tsquery" in sql and "english" in sql and "french" in sql
    # Stemming: the plural and the French noun of the verb are found.
    assert first.deliverable_id in found(client, "toolkits")
    assert first.deliverable_id in found(client, "trousses", "fr")


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's registered folding function")
def test_sqlite_folds_with_the_function_registered_on_its_connection(rows):
    with connection.cursor() as cursor:
        cursor.execute("select napreport_fold(%s)", ["Élaborer À"])
        assert cursor.fetchone() == ("elaborer a",)
