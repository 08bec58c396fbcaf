"""The print edition as a printer would check it (issue #16): no heading left at the foot of a page, and Annex B
printing its addresses as the source does. Read from the PDFs published by load_demo, page by page."""

import re
import subprocess

import pytest
from django.utils import translation
from django.utils.translation import gettext as _
from lxml import html as lxml_html

from commitments.loading import NAP_2012_DIR
from napreport.report.build import render_html
from napreport.report.models import PublishedReport

SOURCE = (NAP_2012_DIR / "source" / "annual-report-2013-2014.txt").read_text(encoding="utf-8")
ANNEX_B = SOURCE[SOURCE.index("Annex B:") :]
# What must never end a page: headings, objective statements, captions and a table's column headings.
HEADING_PATHS = "//h1 | //h2 | //h3 | //h4 | //caption | //p[@class='objective'] | //table[@class='chart']/thead/tr"


def flat(text):
    return " ".join(text.split()).casefold()


def apostrophes(text):
    """French typography prints a typographic apostrophe (’) where the fixtures may type '."""
    return text.replace("\u2019", "'")


def compact(text):
    return re.sub(r"\s+", "", text)


def published_pdf(period, language):
    report = PublishedReport.objects.get(period=period, language=language, format=PublishedReport.Format.PDF)
    with report.file.open("rb") as stored:
        return stored.read()


def pdf_pages(pdf):
    """The text of each page (pdftotext -layout), its lines stripped and blank lines dropped."""
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True).stdout
    return [[line.strip() for line in page.splitlines() if line.strip()] for page in text.decode().split("\f")]


def body_lines(lines, language):
    """A page's lines without its "Page N of M" footer."""
    with translation.override(language):
        footer = re.compile(rf"^{re.escape(_('Page'))} \d+ {re.escape(_('of'))} \d+$")
    return [line for line in lines if not footer.match(line)]


def stranded(pages, headings, language):
    """(page number, heading) for every page whose last lines end with a heading's whole text (a paragraph that
    only ends like one, as Part IV's statement ends like objective 4.1, is not a heading)."""
    found = []
    for number, lines in enumerate(pages, 1):
        tail = flat(" ".join(body_lines(lines, language)[-8:]))
        found += [(number, heading) for heading in headings if tail and tail.endswith(heading)]
    return found


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "fr"])
def test_no_page_ends_with_a_heading_an_objective_or_a_caption(published, language):
    document = lxml_html.fromstring(render_html(published, language, for_pdf=True))
    headings = {flat(element.text_content()) for element in document.xpath(HEADING_PATHS)}
    headings.discard("")
    pages = pdf_pages(published_pdf(published, language))
    assert len(pages) > 20
    caption = flat(document.xpath("//caption")[0].text_content())
    assert (2, caption) in stranded([["Page text"], ["Page text", caption]], headings, language)  # it can fail
    assert stranded(pages, headings, language) == []


def annex_b_entries():
    """(title, address) of each resource the source's Annex B lists: a title line, then its address line."""
    lines = [line.strip() for line in ANNEX_B.splitlines()[2:] if line.strip()]
    return list(zip(lines[0::2], lines[1::2], strict=True))


@pytest.mark.django_db
def test_annex_b_prints_each_address_under_its_title_as_the_source_does(published):
    entries = annex_b_entries()
    assert len(entries) == 16
    assert (
        "Introduction to Human Trafficking Online Training Course for Law Enforcement and Prosecutors",
        "Available via: www.cpkn.ca",
    ) in entries
    printed = compact(" ".join(" ".join(page) for page in pdf_pages(published_pdf(published, "en"))).replace("•", ""))
    missing = [title for title, address in entries if compact(title + address) not in printed]
    assert missing == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "available"), [("en", "Available via: www.cpkn.ca"), ("fr", "Offert à l'adresse\u00a0: www.cpkn.ca")]
)
def test_annex_b_links_in_both_editions_and_prints_addresses_only_in_print(published, language, available):
    for for_pdf in (True, False):
        document = lxml_html.fromstring(render_html(published, language, for_pdf=for_pdf))
        annex = document.get_element_by_id("annex-b")
        links = annex.xpath(".//li/a[1]")
        assert len(links) == 16
        assert all(link.get("href").startswith(("http://", "https://")) for link in links)
        assert apostrophes(available) in apostrophes(annex.findall(".//li")[11].text_content())
        assert document.body.get("class") == ("pdf" if for_pdf else "screen")
    printed = "\n".join("\n".join(page) for page in pdf_pages(published_pdf(published, language)))
    assert "legis-loi.html" in printed
    assert apostrophes(available).replace("\u00a0", " ") in apostrophes(printed).replace("\u00a0", " ")


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "fr"])
def test_no_page_of_the_narrative_holds_only_a_last_paragraph_or_a_footnote_tail(published, language):
    document = lxml_html.fromstring(render_html(published, language, for_pdf=True))
    foreword = flat(document.get_element_by_id("foreword").find("h2").text_content())
    annex_a = flat(document.get_element_by_id("annex-a").find("h2").text_content())
    pages = [body_lines(page, language) for page in pdf_pages(published_pdf(published, language))]

    def page_of(title):
        return next(number for number, lines in enumerate(pages) if title in {flat(line) for line in lines})

    narrative = pages[page_of(foreword) : page_of(annex_a) - 1]  # the page before Annex A ends the Conclusion
    assert len(narrative) > 12
    short = [(number, len(lines)) for number, lines in enumerate(narrative, page_of(foreword) + 1) if len(lines) < 15]
    assert short == []
