"""The 2013-2014 chart in fixtures/ is the printed Annex A: checked against the source report."""

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from commitments.loading import NAP_2012_DIR
from commitments.models import Deliverable, Objective, Pillar, ReportingPeriod, Status, StatusUpdate, Task

SOURCE = (NAP_2012_DIR / "source" / "annual-report-2013-2014.txt").read_text(encoding="utf-8")
ANNEX_A = SOURCE[SOURCE.index("ANNEX A") : SOURCE.index("Annex B:")]
PILLAR_FILES = sorted(NAP_2012_DIR.glob("pillar-*.json"))
# How the Status column prints each status; the cell wraps ("In\nprogress") and is not always cased alike.
# A status word followed by a lower-case word is prose ("Complete negotiations"), not the Status column.
STATUS_PATTERNS = {
    Status.COMPLETE: r"Complete",
    Status.ONGOING: r"Ongoing",
    Status.IN_PROGRESS: r"In\s+[Pp]rogress",
    Status.ON_TRACK: r"On\s+track\s+for",
}


def normalise(text):
    """Whitespace collapsed, bullets dropped, and hyphens ignored: the printed chart breaks words
    across lines ("traf-/ficking", "anti-/human"), so a hyphen's presence cannot be compared."""
    text = re.sub(r"-[ \t]*\n\s*", "", text.replace("\n- ", " "))
    return " ".join(text.replace("-", "").replace("�", " ").split())


def rows():
    """Every (task code, row) of the fixture files, sub-items included, in printed order."""
    for path in PILLAR_FILES:
        for objective in json.loads(Path(path).read_text(encoding="utf-8"))["objectives"]:
            for task in objective["tasks"]:
                for row in task["deliverables"]:
                    yield task["code"], row, row
                    for item in row.get("items", []):
                        yield task["code"], item, row


def task_sections():
    """The source's Annex A cut at each task code: {"1.11": its printed text, …}."""
    codes = re.findall(r"^(\d\.\d{2}) *$", ANNEX_A, flags=re.MULTILINE)
    sections = {}
    for code, next_code in zip(codes, [*codes[1:], None], strict=True):
        start = re.search(rf"^{re.escape(code)} *$", ANNEX_A, flags=re.MULTILINE).start()
        end = re.search(rf"^{re.escape(next_code)} *$", ANNEX_A, flags=re.MULTILINE).start() if next_code else None
        sections[code] = ANNEX_A[start:end]
    return sections


def test_the_chart_has_four_pillars_four_objectives_and_eighteen_tasks():
    objectives = [o for p in PILLAR_FILES for o in json.loads(p.read_text(encoding="utf-8"))["objectives"]]
    tasks = [t["code"] for o in objectives for t in o["tasks"]]
    assert len(PILLAR_FILES) == 4
    assert [o["code"] for o in objectives] == ["1.1", "2.1", "3.1", "4.1"]
    assert tasks == list(task_sections())
    assert len(tasks) == 18


def test_every_text_occurs_in_the_source():
    source = normalise(SOURCE)
    missing = [(code, row["text_en"][:60]) for code, row, _ in rows() if normalise(row["text_en"]) not in source]
    assert missing == []


def test_each_task_has_the_printed_number_of_statuses_of_each_kind():
    for code, section in task_sections().items():
        printed = Counter()
        for status, pattern in STATUS_PATTERNS.items():
            printed[status] = len(re.findall(rf"(?:^| ){pattern}\b(?![ \t]+[a-z])", section, flags=re.MULTILINE))
        loaded = Counter(row["status"] for task, row, _ in rows() if task == code and row["status"])
        assert +loaded == +printed, code


def test_leads_are_printed_in_their_task():
    for code, section in task_sections().items():
        flat = normalise(section)
        for task, row, lead_row in rows():
            if task == code and row is lead_row:
                for acronym in row["leads"]:
                    assert acronym.split(" (")[0] in flat, (code, acronym)


def test_new_markers_match_the_source():
    for code, section in task_sections().items():
        loaded = sum(1 for task, row, _ in rows() if task == code and row.get("new"))
        assert loaded == section.count("NEW:"), code


def test_every_public_text_has_french():
    for _, row, lead_row in rows():
        assert row["text_fr"].strip(), row["text_en"][:60]
        if lead_row.get("lead_note_en"):
            assert lead_row["lead_note_fr"].strip()


@pytest.mark.django_db
def test_the_demo_has_the_whole_chart_published_and_the_next_year_open(demo):
    fixture_rows = list(rows())
    tracked = [row for _, row, _ in fixture_rows if row.get("status") or not row.get("items")]
    assert Pillar.objects.filter(plan=demo).count() == 4
    assert Objective.objects.count() == 4
    assert Task.objects.count() == 18
    assert Deliverable.objects.count() == len(fixture_rows)
    assert 85 <= Deliverable.objects.filter(parent=None).count() <= 105
    periods = {p.label: p for p in ReportingPeriod.objects.filter(plan=demo)}
    assert periods["2013-2014"].is_published
    assert periods["2014-2015"].is_open
    published = StatusUpdate.objects.filter(period=periods["2013-2014"])
    assert published.count() == sum(1 for row in tracked if row.get("status"))
    carried = StatusUpdate.objects.filter(period=periods["2014-2015"])
    assert sorted(carried.values_list("deliverable_id", "status")) == sorted(
        published.values_list("deliverable_id", "status")
    )


@pytest.mark.django_db
def test_statuses_and_leads_are_loaded_as_printed(demo):
    period = ReportingPeriod.objects.get(plan=demo, start_year=2013)
    loaded = {
        (d.task.code, d.text_en): d for d in Deliverable.objects.select_related("task").prefetch_related("leads")
    }
    for code, row, lead_row in rows():
        deliverable = loaded[(code, row["text_en"])]
        update = StatusUpdate.objects.filter(deliverable=deliverable, period=period).first()
        assert (update.status if update else None) == row["status"], row["text_en"][:60]
        assert deliverable.lead_acronyms == lead_row["leads"]
