"""Issue #15: the data dictionary page explains every column of the open data in the page's language (name,
title, description, type, example), states the rule for text that looks like a formula, and is linked from the
downloads page."""

import re

import pytest
from django.core.cache import caches
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

from napreport.report.columns import COLUMNS_DESCRIBED
from tests.public.caches import LOCMEM
from tests.public.test_typography import typography_errors, visible_text

pytestmark = pytest.mark.django_db


def url(language, name):
    with translation.override(language):
        return reverse(f"public:{name}")


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_dictionary_describes_every_column_in_the_pages_language(client, published, language):
    response = client.get(url(language, "data-dictionary"))
    assert response.status_code == 200
    html = response.content.decode()
    rows = re.findall(r'<tr id="column-([a-z_]+)">(.*?)</tr>', html, re.S)
    assert [name for name, _row in rows] == [column.name for column in COLUMNS_DESCRIBED]
    with translation.override(language):
        for (name, row), column in zip(rows, COLUMNS_DESCRIBED, strict=True):
            text = visible_text(row)
            assert f"<code>{name}</code>" in row
            for part in column.title, column.type_label:
                assert visible_text(str(part)) in text, (name, part)
            assert visible_text(str(column.description))[:40].replace("'", "’") in text.replace("'", "’"), name
            for code, _label in column.codes:
                assert f"<code>{code}</code>" in row


def test_the_dictionary_states_the_formula_rule_in_both_languages(client, published):
    english = visible_text(client.get(url("en", "data-dictionary")).content.decode())
    assert "a text that starts with =, +, - or @" in english and "preceded by an apostrophe" in english
    french = visible_text(client.get(url("fr", "data-dictionary")).content.decode())
    assert "un texte qui commence par =, +, - ou @" in french and "apostrophe" in french


def test_the_french_dictionary_is_written_the_french_way(client, published):
    assert typography_errors(client.get(url("fr", "data-dictionary")).content.decode()) == []


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_downloads_page_links_the_dictionary(client, published, language):
    html = client.get(url(language, "downloads")).content.decode()
    assert f'href="{url(language, "data-dictionary")}"' in html


@override_settings(CACHES=LOCMEM)
def test_the_dictionary_reads_nothing_but_the_last_publication(client, published, django_assert_num_queries):
    caches["public"].clear()
    with django_assert_num_queries(1):  # the last publication (Last-Modified); the columns are the code's
        assert client.get(url("en", "data-dictionary")).status_code == 200
