"""The French edition in French typography, and the status summary's chart (issue #16): non-breaking spaces
before : ; ? ! » and after «, typographic apostrophes and fiscal years as French writes them, in the HTML and
in the PDF's text; a chart that names its pillars and every segment's status."""

import io
import re
from html.parser import HTMLParser

import pytest
from pypdf import PdfReader

from commitments.models import ReportingPeriod
from napreport.report.build import render_html, report_data
from napreport.report.models import PublishedReport
from napreport.report.summary import status_summary
from napreport.report.typography import french_html

pytestmark = pytest.mark.django_db

NBSP = "\u00a0"
# What French typography forbids: an ordinary space (or none) before a high sign or a closing guillemet, none
# after an opening one, a typewriter apostrophe, an English fiscal year (2012/13, 2014/2015).
FAULTS = {
    "space before a sign": re.compile(r"(?:[ \t]|(?<=\w))[:;?!](?=\s|$)|[ \t]»|(?<=\w)»"),
    "no space after «": re.compile(r"«(?!\u00a0)"),
    "typewriter apostrophe": re.compile(r"\w'\w"),
}
SLASHED_YEAR = re.compile(r"(?<![\w/])(20\d\d)/(\d\d|20\d\d)(?![\w/])")


class FrenchText(HTMLParser):
    """The visible text of a page, without what is in another language (lang="en")."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.text = [], []

    def handle_starttag(self, tag, attrs):
        if tag in ("br", "img", "meta", "link", "rect", "input"):
            return
        lang = dict(attrs).get("lang")
        self.stack.append((tag, lang != "fr" if lang else bool(self.stack and self.stack[-1][1])))

    def handle_endtag(self, tag):
        while self.stack and self.stack.pop()[0] != tag:
            pass

    def handle_data(self, data):
        if not (self.stack and (self.stack[-1][1] or self.stack[-1][0] in ("style", "script"))):
            self.text.append(data)


def faults(text):
    found = {name: pattern.findall(text)[:5] for name, pattern in FAULTS.items() if pattern.search(text)}
    years = [match[0] for match in SLASHED_YEAR.finditer(text) if int(match[2]) % 100 == (int(match[1]) + 1) % 100]
    if years:  # 2012/13 or 2014/2015; an address's /2013/2013-12-28 is not a fiscal year
        found["English fiscal year"] = years[:5]
    return found


@pytest.fixture
def demo_2013(demo):
    return ReportingPeriod.objects.select_related("plan").get(plan=demo, start_year=2013)


def test_the_french_html_edition_follows_french_typography(demo_2013):
    html = render_html(demo_2013, "fr")
    parser = FrenchText()
    parser.feed(html)
    text = " ".join(parser.text)
    assert faults(text) == {}
    # Data, narrative and interface strings alike: the plan's title, a deliverable, the Timeline column.
    assert "Plan d’action national de lutte contre la traite de personnes" in text
    assert f"Début{NBSP}: 2012-2013" in text
    assert f"«{NBSP}4 P{NBSP}»" in text


def test_the_english_inside_the_french_edition_keeps_english_typography(demo_2013):
    html = render_html(demo_2013, "fr")
    assert '<p lang="en">Also available in English under the title: <cite>' in html


def test_the_english_edition_is_left_as_written(demo_2013):
    html = render_html(demo_2013, "en")
    french = html.index('<p lang="fr">')  # the colophon's French sentence, in its own typography
    html = html[:french] + html[html.index("</p>", french) :]
    assert "Start: 2012/13" in html and NBSP + ":" not in html


def test_the_french_pdf_text_follows_french_typography(demo_2013):
    content = PublishedReport.objects.get(period=demo_2013, language="fr", format="pdf").file.read()
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    english = text.index("Also available in English")  # the colophon's English sentence, in its own language
    text = text[:english] + text[text.index("2013-2014", english) :]
    # The chart's pillar names are SVG text: the HTML has « Pilier 1\u00a0: », but WeasyPrint draws SVG text
    # glyph by glyph and the extracted text gives the shared space glyph back as a space.
    text = re.sub(r"Pilier \d :", "", text)
    assert faults(text) == {}
    assert re.search(f"Début{NBSP}:\\s2012-2013", text) and "Plan d’action national" in text


def test_the_pass_leaves_markup_entities_addresses_and_style_sheets_alone():
    source = (
        '<html lang="fr"><style>a::after { content: ": "; }</style><p title="a: b">R&amp;D : l&#x27;été '
        '<a href="http://x.ca/2013/14?a=1">x.ca/2013/14</a> 12/13 2014/2015</p></html>'
    )
    assert french_html(source) == (
        '<html lang="fr"><style>a::after { content: ": "; }</style><p title="a: b">R&amp;D\u00a0: l’été '
        '<a href="http://x.ca/2013/14?a=1">x.ca/2013/14</a> 12/13 2014-2015</p></html>'
    )


@pytest.mark.parametrize(
    ("text", "french"),
    [
        ("l'exploitation", "l’exploitation"),
        ("Pilier 1: texte", f"Pilier 1{NBSP}: texte"),
        ("a; b", f"a{NBSP}; b"),
        ("Pourquoi?", f"Pourquoi{NBSP}?"),
        ("Enfin!", f"Enfin{NBSP}!"),
        ("«texte»", f"«{NBSP}texte{NBSP}»"),
        ("2012/13", "2012-2013"),
        ("l&#x27;été", "l’été"),
        ("a&nbsp;b", f"a{NBSP}b"),
        (
            "\n      Sensibilisation du public et formation\n    ",
            "\n      Sensibilisation du public et formation\n    ",
        ),
    ],
)
def test_each_rule_still_applies_to_a_run_of_text_that_holds_only_its_sign(text, french):
    """The pass leaves a run of text without any sign a rule looks for as it is, without trying the rules: each
    rule's sign alone must still reach its rule."""
    assert french_html(f'<p lang="fr">{text}</p>') == f'<p lang="fr">{french}</p>'


def test_a_new_deliverable_starting_after_the_period_is_counted_as_starting_then(demo_2013):
    summary = report_data(demo_2013)["summary"]
    labels = [str(label) for _key, label, _colour in summary["statuses"]]
    assert labels == ["Complete", "Ongoing", "In progress", "On track", "Starts in 2014–2015"]
    assert "No status reported" not in render_html(demo_2013, "en")
    starts = [row["cells"][-1] for row in summary["rows"]]
    assert starts == [1, 0, 0, 0]  # task 1.11's NEW advocacy tool kit, Start 2014/15


def test_the_chart_names_each_pillar_and_every_segment_s_status_with_its_count(demo_2013):
    data = report_data(demo_2013)
    summary = status_summary(data["pillars"])
    for bar, pillar in zip(summary["bars"], data["pillars"], strict=True):
        name = " ".join(line["text"] for line in bar["name"])
        assert name == f"Pillar {pillar.number}: {pillar.name}"
        keyed = [item["text"] for line in bar["key"] for item in line["items"]]
        assert keyed == [f"{segment['label']} {segment['count']}" for segment in bar["segments"]]
        assert sum(segment["count"] for segment in bar["segments"]) == pillar.total
    html = render_html(demo_2013, "en", for_pdf=True)
    chart = html[html.index('<svg class="summary-chart"') : html.index("</svg>")]
    assert 'font-family="Liberation Sans, DejaVu Sans, Arial, sans-serif"' in chart  # the body's font
    for text in ("Pillar 3: Detection, Investigation", "On track 1", "Starts in 2014–2015 1"):
        assert text in chart


def test_the_french_annex_names_passport_canada_as_the_french_text_does(demo_2013):
    """PPTC has no French acronym: the French narrative writes « Passeport Canada » (Progress to Date, the list of
    participating departments), and the French Annex A's leads say the same rather than an English acronym."""
    html = render_html(demo_2013, "fr")
    annex = html[html.index('id="annex-a"') : html.index('id="annex-b"')]
    assert "Passeport Canada" in annex
    assert "PPTC" not in annex
    english = render_html(demo_2013, "en")
    assert "PPTC" in english[english.index('id="annex-a"') : english.index('id="annex-b"')]
