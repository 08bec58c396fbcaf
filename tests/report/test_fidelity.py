"""The 2013-2014 report reads like its source (issue #16, "Fidelity to the source"): the rows and narrative
texts that differed are compared with the source's own text, read from the seed file, not copied here."""

import json
import re

import pytest
from lxml import html as lxml_html

from commitments.loading import NAP_2012_DIR
from napreport.report.build import render_html

SOURCE = (NAP_2012_DIR / "source" / "annual-report-2013-2014.txt").read_text(encoding="utf-8")
ANNEX_A = SOURCE[SOURCE.index("ANNEX A") : SOURCE.index("Annex B:")]
NARRATIVE = NAP_2012_DIR / "report-2013-2014"


def flat(text):
    """Whitespace collapsed; a line that ends in a hyphen joins the next without a space ("Anti-\\ntrafficking"
    is "Anti-trafficking", "Develop-\\nment" is "Development" only where the dump breaks a word)."""
    text = re.sub(r"(?<=\w)-[ \t]*\n\s*(?=[a-z])", "-", text)
    return " ".join(text.split())


def paragraph_at(text, opening):
    """The paragraph of `text` (up to its next blank line) that opens with `opening`."""
    start = text.index(opening)
    end = text.find("\n\n", start)
    return text[start : end if end != -1 else None]


def fixture_row(task_code, opening):
    for path in sorted(NAP_2012_DIR.glob("pillar-*.json")):
        for objective in json.loads(path.read_text(encoding="utf-8"))["objectives"]:
            for task in objective["tasks"]:
                for row in task["deliverables"]:
                    if task["code"] == task_code and row["text_en"].startswith(opening):
                        return row
    raise AssertionError(f"no row of task {task_code} opens with {opening!r}")


def section(key):
    return json.loads((NARRATIVE / f"{key}.json").read_text(encoding="utf-8"))


def printed_lead(opening):
    """The Lead column of the source's row that opens with `opening`: the words after its status."""
    row = ANNEX_A[ANNEX_A.index(opening) :]
    status_line = re.search(r"^\s*(?:Ongoing|Complete) (.+(?:\n.+)*)", row, flags=re.MULTILINE)
    return " ".join(re.sub(r"-\s*\n\s*", "", status_line[1]).split())


def test_task_1_11_prints_two_paragraphs_as_the_source_does():
    row = fixture_row("1.11", "Increase awareness among Aboriginal")
    first = paragraph_at(ANNEX_A, "Increase awareness among Aboriginal")
    second = paragraph_at(ANNEX_A, "Support to the National Association of Friendship Centres")
    assert [flat(p) for p in row["text_en"].split("\n\n")] == [flat(first), flat(second)]
    assert len(row["text_fr"].split("\n\n")) == 2


def test_task_1_14_bullets_are_the_source_bullets():
    row = fixture_row("1.14", "Through the Children and Youth Strategy")
    cell = ANNEX_A[
        ANNEX_A.index("Through the Children and Youth Strategy") : ANNEX_A.index(
            "Start:", ANNEX_A.index("Through the Children and Youth Strategy")
        )
    ]
    printed = [flat(bullet) for bullet in cell.split("�")[1:]]
    loaded = [flat(line[2:]) for line in row["text_en"].split("\n") if line.startswith("- ")]
    assert len(printed) == 5
    assert loaded == printed
    assert len([line for line in row["text_fr"].split("\n") if line.startswith("- ")]) == 5


def test_narrative_texts_match_the_source():
    part_4 = section("part-4")
    web_forum = flat(paragraph_at(SOURCE, "In November 2013, PS held a national web forum"))
    assert "Anti-trafficking organizations" in web_forum
    assert web_forum in flat(lxml_html.fromstring(part_4["body_en"]).text_content())
    heading = re.search(r"^ *(\S+ Key Achievements) *$", SOURCE[SOURCE.index("Part III") :], re.MULTILINE)
    assert lxml_html.fromstring(section("part-3")["achievements_en"]).findtext(".//h3") == heading[1]


@pytest.fixture
def english_report(published):
    return lxml_html.fromstring(render_html(published, "en"))


def chart_row(document, opening):
    cells = document.xpath(f'//td[@class="c-deliverable"][starts-with(normalize-space(.), "{opening}")]')
    assert len(cells) == 1, opening
    return cells[0].getparent()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "opening",
    [
        "Promote Canada’s domestic achievements",  # "DFATD and others, CIC"
        "Build capacity of law enforcement in developing countries",  # "DFATD (Development)"
        "Disseminate awareness materials at Canadian Embassies",  # "DFATD, CBSA, ESDC (TFWP)"
        "National engagement of stakeholders",  # "PS (in consultation with HTT)"
    ],
)
def test_the_report_prints_each_lead_as_the_source_does(english_report, opening):
    lead = chart_row(english_report, opening).find('td[@class="c-lead"]')
    assert " ".join(lead.text_content().split()) == printed_lead(opening)


@pytest.mark.django_db
def test_the_report_prints_paragraphs_and_a_real_list_in_a_cell(english_report):
    aboriginal = chart_row(english_report, "Increase awareness among Aboriginal").find('td[@class="c-deliverable"]')
    assert [flat(p.text_content()) for p in aboriginal.findall("p")] == [
        flat(paragraph_at(ANNEX_A, "Increase awareness among Aboriginal")),
        flat(paragraph_at(ANNEX_A, "Support to the National Association of Friendship Centres")),
    ]
    strategy = chart_row(english_report, "Through the Children and Youth Strategy").find('td[@class="c-deliverable"]')
    items = strategy.findall("ul/li")
    assert len(items) == 5
    assert "- " not in strategy.text_content()
    assert items[0].text.startswith("Encouraging partners to review")


@pytest.mark.django_db
def test_part_iii_prints_its_own_key_achievements_heading_and_the_others_the_standard_one(english_report):
    headings = [
        " ".join(h.text_content().split())
        for h in english_report.xpath('//div[@class="achievements"]/preceding-sibling::h3[1]')
    ]
    printed = re.findall(r"^ *(\S+ Key Achievements):? *$", SOURCE, flags=re.MULTILINE)
    assert headings == printed
    assert "2013-14 Key Achievements" in printed
    assert "Anti-trafficking organizations" in english_report.get_element_by_id("part-4").text_content()
