"""The progress table's search (napreport.public.search): whole words, whatever their case and accents, in English
and French, on SQLite and on PostgreSQL (its full-text search)."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from commitments.models import PublishedDeliverable
from commitments.models.published import search_texts
from napreport.public.search import fold, matching

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
    assert fold("RCMP's Anti-Trafficking, 2013-2014") == "rcmp's anti-trafficking, 2013-2014"  # ASCII: lowered
    assert fold("ＲＣＭＰ ﬁnds") == "rcmp finds"  # compatibility forms decomposed


def test_a_row_stores_its_folded_texts_and_words_with_what_they_may_be_the_plural_of():
    row = PublishedDeliverable(
        text_en="Shelters, and boxes.", task_title_en="RCMP", text_fr="Les travaux à l'Œuvre", note_fr="Bus"
    )
    texts = search_texts(row)
    assert texts["search_text_en"] == "shelters, and boxes. rcmp "
    assert texts["search_text_fr"] == "les travaux a l'oeuvre  bus"
    # A word, then what it may be the plural of (in s, es or x), each once: the plurals the search accepts.
    assert (
        texts["search_words"] == " shelters shelter and boxes boxe box rcmp les le l travaux travau a oeuvre bus bu "
    )


def test_published_rows_are_stored_with_their_search_texts(published):
    rows = PublishedDeliverable.objects.filter(period=published)
    assert rows.count() == 109
    for row in rows:
        assert {field: getattr(row, field) for field in search_texts(row)} == search_texts(row)


def test_a_row_saved_again_stores_its_new_search_texts(rows):
    first, _second, _third = rows
    first.refresh_from_db()
    assert first.search_text_fr.startswith("elaborer une trousse zephyrine.")
    assert " zephyrine " in first.search_words


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
    assert "plainto_tsquery" in sql and "english" in sql and "french" in sql
    # The rows' stored vectors are compared: no row's text is parsed at the search (issue #17).
    assert '"search_vector_en" @@' in sql and '"search_vector_fr" @@' in sql and "to_tsvector" not in sql
    # Stemming: the plural and the French noun of the verb are found.
    assert first.deliverable_id in found(client, "toolkits")
    assert first.deliverable_id in found(client, "trousses", "fr")


def test_a_plural_in_s_is_found(client, rows):
    _first, second, _third = rows
    assert second.deliverable_id in found(client, "partner")


def test_punctuation_around_a_word_is_ignored_and_punctuation_alone_finds_nothing(client, rows):
    first, _second, _third = rows
    assert first.deliverable_id in found(client, "«toolkit», zephyrine!")
    assert found(client, "« » !") == set()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's GIN indexes")
def test_postgresql_finds_the_rows_through_the_gin_index_of_each_language(rows):
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a test's few rows would be read in full otherwise
        sql, params = matching(PublishedDeliverable.objects.order_by(), "zephyrine").query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(line for (line,) in cursor.fetchall())
    assert "published_vector_en" in plan and "published_vector_fr" in plan, plan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's stored vectors")
def test_the_database_keeps_each_rows_vectors_as_its_texts_change(rows):
    first, _second, _third = rows
    # An update that save() never sees: the generated columns follow the stored texts.
    PublishedDeliverable.objects.filter(pk=first.pk).update(search_text_en="quixotic", search_text_fr="chimérique")
    assert list(matching(PublishedDeliverable.objects.all(), "quixotic")) == [first]
    assert list(matching(PublishedDeliverable.objects.all(), "chimérique")) == [first]
    assert first not in matching(PublishedDeliverable.objects.all(), "zephyrine")


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's LIKE")
def test_sqlite_looks_for_each_word_between_spaces_in_the_stored_words(rows):
    with CaptureQueriesContext(connection) as queries:
        found_rows = list(matching(PublishedDeliverable.objects.all(), "Zéphyrine labor"))
    (query,) = queries.captured_queries
    assert query["sql"].count('"search_words" LIKE') == 2
    assert "% zephyrine %" in query["sql"] and "% labor %" in query["sql"]
    assert found_rows == [rows[2]]
