"""The report PDF's tag tree, as a screen reader and a PDF/UA-1 checker read it (issue #16).

The published 2013-2014 edition in both languages (rendered once a session by `demo_dump`'s load_demo, with
the code under test), read with pikepdf, and checked with pdfua.
"""

import io
import subprocess
from collections import Counter
from dataclasses import dataclass
from typing import Any

import pdfua
import pikepdf
import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import translation

from commitments.models import ReportingPeriod
from napreport.report.build import render_html, report_data
from napreport.report.models import PublishedReport
from napreport.report.pdf import pdf_from_html
from napreport.report.typography import french_text

pytestmark = [pytest.mark.pdf, pytest.mark.django_db]

LANGUAGES = ("en", "fr")


@dataclass
class Edition:
    language: str
    path: Any
    pdf: pikepdf.Pdf
    html: str
    data: dict[str, Any]


@pytest.fixture(scope="module")
def editions(django_db_setup, django_db_blocker, demo_dump, tmp_path_factory):
    """The published PDF of each language, with the HTML and the report data it was rendered from."""
    folder = tmp_path_factory.mktemp("editions")
    found = {}
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("loaddata", str(demo_dump), verbosity=0)
        period = ReportingPeriod.objects.select_related("plan").get(plan__slug="nap-2012", start_year=2013)
        for language in LANGUAGES:
            stored = PublishedReport.objects.get(period=period, language=language, format="pdf")
            path = folder / f"report-{language}.pdf"
            path.write_bytes(stored.file.read())
            with translation.override(language):
                data = report_data(period)
            html = render_html(period, language, for_pdf=True, data=data)
            found[language] = Edition(language, path, pikepdf.open(path), html, data)
        transaction.set_rollback(True)
    return found


@pytest.fixture(params=LANGUAGES)
def edition(request, editions):
    return editions[request.param]


def typeset(edition, text):
    """`text` as the edition prints it: the French edition in French typography (napreport.report.typography)."""
    return french_text(text) if edition.language == "fr" else text


def kids(node):
    kid = node.get("/K")
    if kid is None:
        return []
    return list(kid) if isinstance(kid, pikepdf.Array) else [kid]


def is_element(node):
    return isinstance(node, pikepdf.Dictionary) and "/S" in node


def elements(node):
    """Every structure element under `node`, in document order."""
    for kid in kids(node):
        if is_element(kid):
            yield kid
            yield from elements(kid)


def marks_content(element):
    """Whether an element (or one below it) holds marked content of a page."""
    for kid in kids(element):
        if isinstance(kid, int) or (isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR"):
            return True
        if is_element(kid) and marks_content(kid):
            return True
    return False


def document_element(pdf):
    return pdf.Root.StructTreeRoot.K[0]


def role(element):
    return str(element.S)


def tables(pdf):
    return [element for element in elements(document_element(pdf)) if role(element) == "/Table"]


def rows(table):
    return [element for element in elements(table) if role(element) == "/TR"]


def cells(table, cell_role):
    return [element for element in elements(table) if role(element) == cell_role]


def cell_attribute(cell, name):
    attributes = cell.get("/A")
    return None if attributes is None else attributes.get(name)


def marked_content(page):
    """The marked-content sequences opened on a page: (tag, properties) of each BDC/BMC."""
    for operands, operator in pikepdf.parse_content_stream(page):
        if str(operator) == "BDC":
            yield str(operands[0]), operands[1]
        elif str(operator) == "BMC":
            yield str(operands[0]), None


def test_pdfua_finds_nothing(edition):
    report = pdfua.validate(str(edition.path))
    assert [f"{finding.rule_id}: {finding.message}" for finding in report.findings] == []
    # pdfua 0.1.3's empty-heading rule cannot run on pikepdf 10 (it asks an Array for `is_integer`, which
    # pikepdf answers with ValueError): test_no_heading_is_empty checks that rule instead.
    assert {outcome.rule_id for outcome in report.skipped} <= {"UA-14-001"}


def test_the_pdf_stays_tagged_with_its_language_and_title(edition):
    info = subprocess.run(["pdfinfo", str(edition.path)], capture_output=True, text=True, check=True).stdout
    assert "Tagged:          yes" in info
    pdf = edition.pdf
    assert str(pdf.Root.Lang) == edition.language
    assert pdf.Root.MarkInfo.Marked is True
    assert pdf.Root.ViewerPreferences.DisplayDocTitle is True
    assert typeset(edition, str(edition.data["plan_title"])) in str(pdf.docinfo.Title)


def test_every_header_cell_has_a_scope_and_every_data_cell_its_row_and_column_headers(edition):
    for table in tables(edition.pdf):
        headers = {bytes(cell.ID): str(cell_attribute(cell, "/Scope")) for cell in cells(table, "/TH")}
        assert headers and set(headers.values()) <= {"/Column", "/Row"}
        for cell in cells(table, "/TD"):
            scopes = Counter(headers[bytes(header)] for header in cell_attribute(cell, "/Headers"))
            assert scopes == {"/Column": 1, "/Row": 1}


def test_every_header_id_is_in_the_id_tree(edition):
    pdf = edition.pdf
    names = list(pdf.Root.StructTreeRoot.IDTree.Names)
    tree = {bytes(name): element.objgen for name, element in zip(names[::2], names[1::2], strict=True)}
    headers = [cell for table in tables(pdf) for cell in cells(table, "/TH")]
    notes = [element for element in elements(document_element(pdf)) if role(element) == "/Note"]  # IDs too
    assert tree == {bytes(element.ID): element.objgen for element in headers + notes}
    assert [bytes(name) for name in names[::2]] == sorted(tree)  # a name tree is sorted


def test_each_logical_table_is_one_table_with_all_its_rows(edition):
    pillars = edition.data["pillars"]
    objectives = [objective for pillar in pillars for objective in pillar.objectives]
    found = tables(edition.pdf)
    assert len(found) == 1 + len(objectives)  # the status summary, then a chart table per objective
    summary, *charts = found
    assert len(rows(summary)) == 1 + len(pillars) + 1  # header, a row per pillar, the totals
    for table, objective in zip(charts, objectives, strict=True):
        chart_rows = sum(len(task.rows) for task in objective.tasks)
        assert len(rows(table)) == 1 + chart_rows
        assert [role(kid) for kid in kids(table)] == ["/Caption", "/THead", "/TBody"]


def test_a_task_heads_every_row_it_spans_even_across_pages(edition):
    objectives = [objective for pillar in edition.data["pillars"] for objective in pillar.objectives]
    pages = {page.objgen: number for number, page in enumerate(edition.pdf.pages)}
    spans_pages = False
    for table, objective in zip(tables(edition.pdf)[1:], objectives, strict=True):
        task_headers = [cell for cell in cells(table, "/TH") if str(cell_attribute(cell, "/Scope")) == "/Row"]
        assert [int(cell_attribute(cell, "/RowSpan") or 1) for cell in task_headers] == [
            len(task.rows) for task in objective.tasks
        ]
        for header, task in zip(task_headers, objective.tasks, strict=True):
            headed = [cell for cell in cells(table, "/TD") if header.ID in list(cell_attribute(cell, "/Headers"))]
            assert len(headed) == 4 * len(task.rows)  # deliverable, timeline, status, lead of each row
            spans_pages |= len({pages[cell.Pg.objgen] for cell in headed}) > 1
    assert spans_pages  # the chart really has a task cut by a page break, and its header still holds


def test_sections_are_the_documents_parts_not_its_pages(edition):
    top = [kid for kid in kids(document_element(edition.pdf)) if is_element(kid)]
    sections = edition.html.count("<section ")
    # The cover, the colophon, the table of contents (a nav), then the parts.
    assert [role(element) for element in top] == ["/Sect", "/Sect", "/NonStruct", *["/Sect"] * (sections - 2)]
    headings = [role(kids(element)[0]) for element in top]
    assert headings == ["/P", "/P", "/H2", *["/H2"] * (sections - 2)]  # the signature, then the copyright
    assert len(edition.pdf.pages) > len(top)  # parts run over several pages, yet each is one Sect


def test_the_running_header_and_page_numbers_are_artifacts(edition):
    for number, page in enumerate(edition.pdf.pages, 1):
        furniture = Counter(
            str(properties.Subtype)
            for tag, properties in marked_content(page)
            if tag == "/Artifact" and properties is not None and "/Subtype" in properties
        )
        assert furniture == ({} if number == 1 else {"/Header": 1, "/Footer": 1})  # none on the cover


def test_all_marked_content_belongs_to_the_tree(edition):
    pdf = edition.pdf
    reachable = {element.objgen for element in elements(document_element(pdf))}
    nums = list(pdf.Root.StructTreeRoot.ParentTree.Nums)
    parents = dict(zip(nums[::2], nums[1::2], strict=True))
    for page in pdf.pages:
        mcids = [
            int(properties.MCID)
            for tag, properties in marked_content(page)
            if properties is not None and "/MCID" in properties
        ]
        assert mcids
        page_parents = parents[int(page.StructParents)]
        for mcid in mcids:
            assert page_parents[mcid].objgen in reachable
    assert int(pdf.Root.StructTreeRoot.ParentTreeNextKey) == max(parents) + 1


def test_no_heading_is_empty(edition):
    headings = [element for element in elements(document_element(edition.pdf)) if role(element)[:2] == "/H"]
    assert len(headings) > 10
    assert all(marks_content(heading) for heading in headings)


def object_references(link):
    return [kid for kid in kids(link) if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/OBJR"]


def annotations_of(link):
    return [reference.Obj for reference in object_references(link)]


def test_each_link_has_one_annotation_a_page_and_no_link_inside(edition):
    pdf = edition.pdf
    links = [element for element in elements(document_element(pdf)) if role(element) == "/Link"]
    assert not [link for link in links if any(role(inner) == "/Link" for inner in elements(link))]
    in_tree = Counter(annotation.objgen for link in links for annotation in annotations_of(link))
    on_pages = [annot for page in pdf.pages for annot in page.get("/Annots", []) if annot.Subtype == "/Link"]
    assert sorted(in_tree) == sorted(annot.objgen for annot in on_pages)
    assert set(in_tree.values()) == {1}
    for link in links:
        pages = [reference.Pg.objgen for reference in object_references(link)]
        assert len(pages) == len(set(pages))


def test_links_are_described_by_their_text_in_the_documents_language(edition):
    toc_links = [element for element in elements(document_element(edition.pdf)) if role(element) == "/Link"][
        : len(edition.data["toc"])
    ]
    descriptions = [str(annotations_of(link)[0].Contents) for link in toc_links]
    assert descriptions == [typeset(edition, str(title)) for anchor, title in edition.data["toc"]]
    for page in edition.pdf.pages:
        for annotation in page.get("/Annots", []):
            assert str(annotation.Contents).strip()
            assert str(annotation.Contents) != str(annotation.get("/Dest", ""))  # not the anchor's id


def test_text_in_another_language_carries_its_own_lang():
    html = (
        '<!DOCTYPE html><html lang="fr"><head><title>Essai</title></head><body><h1>Rapport</h1>'
        '<p>L’enquête <span lang="en">Project COMBATIVE</span> de la GRC.</p></body></html>'
    )
    pdf = pikepdf.open(io.BytesIO(pdf_from_html(html)))
    assert str(pdf.Root.Lang) == "fr"
    tagged = [element for element in elements(document_element(pdf)) if "/Lang" in element]
    assert [(role(element), str(element.Lang)) for element in tagged] == [("/Span", "en")]
    assert marks_content(tagged[0])


def test_a_section_and_a_table_crossing_pages_with_footnotes_stay_one_sect_and_one_table():
    notes = '<span class="note">A note at the foot of the page.</span>'
    paragraphs = "".join(f"<p>Paragraph {i} of a long section.{notes if i % 7 == 0 else ''}</p>" for i in range(80))
    body_rows = "".join(f'<tr><th scope="row">Row {i}</th><td>Value {i}</td></tr>' for i in range(80))
    html = (
        '<!DOCTYPE html><html lang="en"><head><title>Pages</title><style>.note { float: footnote }'
        "@page { @bottom-center { content: counter(page) } } thead { display: table-header-group }</style>"
        f"</head><body><section><h2>Long</h2>{paragraphs}</section><section><h2>Table</h2><table><caption>Rows"
        f'</caption><thead><tr><th scope="col">Row</th><th scope="col">Value</th></tr></thead><tbody>{body_rows}'
        "</tbody></table></section></body></html>"
    )
    pdf = pikepdf.open(io.BytesIO(pdf_from_html(html)))
    assert len(pdf.pages) >= 4
    sections = [kid for kid in kids(document_element(pdf)) if is_element(kid) and role(kid) == "/Sect"]
    assert len(sections) == 2
    assert len([kid for kid in kids(sections[0]) if is_element(kid) and role(kid) == "/P"]) == 80
    [table] = tables(pdf)
    assert [role(kid) for kid in kids(table)] == ["/Caption", "/THead", "/TBody"]
    assert len(rows(table)) == 81


def test_the_draft_watermark_on_every_page_is_an_artifact():
    paragraphs = "".join(f"<p>Paragraph {i} of a draft.</p>" for i in range(120))
    html = (
        '<!DOCTYPE html><html lang="en"><head><title>Draft</title></head><body>'
        f'<div aria-hidden="true" style="position: fixed; top: 40%">DRAFT</div><section><h2>Draft</h2>{paragraphs}'
        "</section></body></html>"
    )
    pdf = pikepdf.open(io.BytesIO(pdf_from_html(html)))
    assert len(pdf.pages) >= 2
    for page in pdf.pages:
        artifacts = [found for tag, found in marked_content(page) if tag == "/Artifact" and found is not None]
        assert [str(found.Type) for found in artifacts] == ["/Layout"]
    assert [role(kid) for kid in kids(document_element(pdf)) if is_element(kid)] == ["/Sect"]
