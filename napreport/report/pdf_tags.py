"""The report PDF's tag tree: WeasyPrint's, rebuilt the way PDF/UA-1 and screen readers need it.

WeasyPrint (checked on 70.0, weasyprint/pdf/tags.py) builds the structure tree one page at a time, and
that loses what a reader needs (upstream: Kozea/WeasyPrint#2902 and #2903 for split elements, #1836 for page
furniture; all open):

- an element that crosses a page break becomes one structure element per page: a section per page, a table
  cut into fragments (a caption alone in one, rows whose row header stayed on the previous page);
- a table header repeated on each page is read again on every page;
- running headers and page numbers (the `@page` margin boxes) are marked content left out of the tree
  instead of artifacts, so checkers see orphan content and some readers read it on every page;
- header cells get no `/Scope`, and a `scope="rowgroup"` header (the chart's task) is taken for a column
  header, so the deliverables it spans are not associated with it;
- a link's annotation is described by its target ("part-1"), and each generated piece of a link (the
  TOC's dot leader and page number, `a::after`) gets its own annotation, nested Link inside Link;
- `lang` on an element inside the text is dropped.

`add_tags` below has the signature of WeasyPrint's `weasyprint.pdf.tags.add_tags` and replaces it while
the laid-out report is written (see `pdf.pdf_from_html`). It walks the same boxes, but a box continues its previous
sibling's structure element when both come from the same HTML element (a page or line break split it), so
each element is one structure element whose content may lie on several pages, as the PDF format allows.
It is written so that it could be offered upstream as the fix of those issues.
"""

import logging
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pydyf  # type: ignore[import-untyped]  # WeasyPrint's PDF writer; ships no type information
from weasyprint.formatting_structure import boxes
from weasyprint.layout.absolute import AbsolutePlaceholder
from weasyprint.pdf.tags import _get_pdf_tag

logger = logging.getLogger(__name__)

# Collapsible white space, as HTML has it: not U+00A0, which str.split() would also take.
SPACES = re.compile(r"[ \t\n\r\f]+")
# PDF has no row-group or column-group scope: a header over a group of rows heads each row it spans.
SCOPES = {"col": "/Column", "colgroup": "/Column", "row": "/Row", "rowgroup": "/Row"}
# The artifact subtype of the page's margin boxes, by side.
MARGIN_SUBTYPES = {"@top": "/Header", "@bottom": "/Footer"}


@dataclass
class Cell:
    element: Any  # its structure element
    is_header: bool
    scope: str
    rowspan: int
    colspan: int


@dataclass
class Table:
    """A table's cells row by row, whatever pages they are on, to associate headers with data cells."""

    rows: list[list[Cell]] = field(default_factory=list)
    in_header_group: bool = False  # while its <thead> is walked


class TagTree:
    """Builds the structure tree of a WeasyPrint document, page after page, into one logical tree."""

    def __init__(self, pdf: Any, document: Any, page_streams: list[Any]) -> None:
        self.pdf, self.document, self.page_streams = pdf, document, page_streams
        self.parent_tree = pydyf.Dictionary({"Nums": pydyf.Array()})
        pdf.add_object(self.parent_tree)
        self.root = pydyf.Dictionary({"Type": "/StructTreeRoot", "ParentTree": self.parent_tree.reference})
        pdf.add_object(self.root)
        self.top = self.new_element("Document", self.root, on_page=False)
        self.root["K"] = pydyf.Array([self.top.reference])
        # The key (HTML element, pseudo-element, box type) of each structure element's last child element:
        # the next box with the same key continues that child.
        self.last_child: dict[int, tuple[tuple[Any, ...], Any] | None] = {}
        self.seen_header_groups: set[int] = set()
        self.tables: dict[int, Table] = {}
        self.annotations: list[tuple[Any, Any]] = []
        self.identified: list[tuple[str, Any]] = []  # (ID, structure element) of each header cell and note
        self.row_cells: dict[int, dict[tuple[Any, ...], Any]] = {}  # by id() of a row's element: its cells by key
        self.note_calls: dict[int, Any] = {}  # by id() of a footnote's HTML element: the element calling it
        self.notes: list[Any] = []

    # The walk, page by page

    def build(self) -> None:
        for page_number, (page, stream) in enumerate(zip(self.document.pages, self.page_streams, strict=True)):
            self.page_ref = self.pdf.page_references[page_number]
            self.page = self.pdf.objects[int(self.page_ref.split()[0])]
            self.marks: dict[Any, dict[str, Any]] = stream._tags
            self.mcid_parents: dict[int, Any] = {}
            self.artifacts: dict[int, tuple[str, str | None]] = {}  # MCID: artifact type and subtype
            self.add_children(page._page_box, self.top, table=None)
            if self.marks:  # WeasyPrint asserts this; here the PDF is still written, with orphan content
                logger.warning("%d pieces of page %d are in no tag", len(self.marks), page_number + 1)
            self.mark_artifacts(stream)
            last_mcid = max([*self.mcid_parents, *self.artifacts], default=-1)
            page_parents = [self.mcid_parents.get(mcid, "null") for mcid in range(last_mcid + 1)]
            self.parent_tree["Nums"].extend([page_number, pydyf.Array(page_parents)])
        for number, (element_ref, annotation) in enumerate(self.annotations, start=len(self.document.pages)):
            self.parent_tree["Nums"].extend([number, element_ref])
            annotation["StructParent"] = number
        self.root["ParentTreeNextKey"] = len(self.document.pages) + len(self.annotations)
        for table in self.tables.values():
            self.associate_headers(table)
        # The IDs that /Headers refer to, as the name tree ISO 32000-1 (14.7.2) requires once elements have IDs.
        names = pydyf.Array()
        for identifier, element in sorted(self.identified, key=lambda pair: pair[0]):
            names.extend([pydyf.String(identifier), element.reference])
        if self.identified:
            self.root["IDTree"] = pydyf.Dictionary({"Names": names})
        self.pdf.catalog["StructTreeRoot"] = self.root.reference

    def add_children(self, box: Any, element: Any, table: Table | None) -> None:
        for child in box.children:
            for kid in child.children if isinstance(child, boxes.LineBox) else [child]:
                if isinstance(kid, boxes.TextBox):
                    self.add_text(kid, element)
                else:
                    self.add_box(kid, element, table)
        if isinstance(box, boxes.ReplacedBox):
            self.add_content(self.marks.pop(box)["mcid"], element)

    def add_box(self, box: Any, parent: Any, table: Table | None) -> None:
        if isinstance(box, AbsolutePlaceholder):
            box = box._box
        element_tag = None if box.element is None else box.element_tag
        if element_tag in ("html", "body"):
            self.add_children(box, parent, table)
            return
        if isinstance(box, boxes.MarginBox):
            # The running header and the page footer; a side box (Annex A's "1.13 (continued)", drawn into the
            # Task column) is pagination without a subtype, as a table header repeated on the page is.
            self.make_artifact(box, "/Pagination", MARGIN_SUBTYPES.get(box.at_keyword.split("-")[0]))
            return
        if isinstance(box, boxes.FootnoteAreaBox):
            self.add_notes(box, parent, table)
            return
        if element_tag and element_tag.endswith("::footnote-call"):
            self.note_calls[id(box.element)] = parent
        if box.element is not None and box.element.get("aria-hidden") == "true":
            self.make_artifact(box, "/Layout")  # decoration, like the draft watermark
            return
        if getattr(box, "is_header", False) or getattr(box, "is_footer", False):
            if id(box.element) in self.seen_header_groups:
                self.make_artifact(box, "/Pagination")  # a table header repeated at the top of a page
                return
            self.seen_header_groups.add(id(box.element))

        tag = _get_pdf_tag(element_tag)
        if tag in ("TD", "TH") and parent["S"] in ("/TD", "/TH"):
            tag = "NonStruct"  # the anonymous block inside a table cell
        elif tag == "Link" and parent["S"] == "/Link":
            self.add_link_piece(box, parent)
            return
        elif tag == "LI":
            if parent["S"] == "/LI":
                tag = "LBody"
            elif parent["S"] == "/LBody":
                tag = "NonStruct"
            elif box.element_tag in ("dt", "dd") or (
                box.element_tag == "li"
                and ("list-item" not in box.style["display"] or box.style["list_style_type"] == "none")
            ):
                # A list item without a marker: WeasyPrint gives it no LI box of its own, so wrap its body.
                parent, _continued = self.element_for((id(box.element), box.element_tag, "LI"), "LI", parent)
                tag = "LBody"

        # Keyed by the box before the swap below: a page may hold a table's caption without its rows.
        key = (id(box.element), box.element_tag, type(box).__name__, tag)
        if tag == "Table" and box.is_table_wrapper and box.get_wrapped_table():
            # The table's structure element holds its caption and its rows.
            wrapper, wrapped = box, box.get_wrapped_table()
            box = wrapped.copy_with_children([])
            for child in wrapper.children:
                box.children.extend(child.children if child is wrapped else [child])

        element, continued = self.element_for(key, tag, parent)
        if tag == "Table":
            table = self.tables.setdefault(id(element), Table())
        elif tag == "TR" and table is not None and not continued:
            table.rows.append([])
        elif tag in ("TH", "TD") and table is not None and table.rows and not continued:
            self.add_cell(box, element, table)
        if tag == "Figure":
            self.describe_figure(box, element)
        if box.element is not None and element_tag and "::" not in element_tag and box.element.get("lang"):
            element["Lang"] = pydyf.String(box.element.get("lang"))
        if box.link_annotation:
            self.add_link_area(box.link_annotation, element)
            box.link_annotation["Contents"] = pydyf.String(link_text(box))
        if box.widget_annotation:
            form = self.new_element("Form", element)
            element["K"].append(form.reference)
            self.add_annotation(box.widget_annotation, form)
        if table is not None and getattr(box, "is_header", False):
            table.in_header_group = True
            self.add_children(box, element, table)
            table.in_header_group = False
        else:
            self.add_children(box, element, table)

    def add_notes(self, area: Any, parent: Any, table: Table | None) -> None:
        """Each footnote at the foot of a page (`float: footnote`) as a `Note` (with the ID PDF/UA-1 asks of
        one) inside the element that calls it, read after that element's text; the text on the next page still
        continues the same elements."""
        for footnote in area.children:
            home = self.note_calls.get(id(footnote.element), parent)
            remembered = self.last_child.get(id(home))
            note = self.new_element("Note", home)
            home["K"].append(note.reference)
            identifier = f"note{len(self.notes) + 1}"
            note["ID"] = pydyf.String(identifier)
            self.notes.append(note)
            self.identified.append((identifier, note))
            self.add_children(footnote, note, table)
            self.last_child[id(home)] = remembered

    def add_text(self, box: Any, element: Any) -> None:
        mark = self.marks.pop(box)
        if element["S"] == "/Link":
            self.add_content(mark["mcid"], element)
            return
        span = self.new_element(mark["tag"], element)
        element["K"].append(span.reference)
        self.last_child[id(element)] = None
        self.add_content(mark["mcid"], span)

    def add_link_piece(self, box: Any, link: Any) -> None:
        """A generated part of a link (`a::after`: the TOC's leader and page number) is content of the link,
        and its clickable area joins the link's one annotation."""
        if box.link_annotation:
            self.add_link_area(box.link_annotation, link)
        self.add_children(box, link, table=None)

    def add_link_area(self, annotation: Any, link: Any) -> None:
        """One annotation per link on a page: the area of each further piece (the next line of a wrapped link,
        a generated leader) is added to it as a quadrilateral, and the piece's own annotation is dropped."""
        first = getattr(link, "annotation", None)
        if first is None or first.page_ref != self.page_ref:
            annotation.page_ref = self.page_ref
            self.add_annotation(annotation, link)
            return
        self.page["Annots"].remove(annotation.reference)
        if "QuadPoints" not in first:
            first["QuadPoints"] = quadrilateral(first["Rect"])
        first["QuadPoints"].extend(quadrilateral(annotation["Rect"]))
        first["Rect"] = union(first["Rect"], annotation["Rect"])

    # Structure elements

    def new_element(self, tag: str, parent: Any, on_page: bool = True) -> Any:
        """A structure element whose content begins on the current page (its /Pg)."""
        element = pydyf.Dictionary({"Type": "/StructElem", "S": f"/{tag}", "K": pydyf.Array(), "P": parent.reference})
        if on_page:
            element["Pg"] = self.page_ref
        self.pdf.add_object(element)
        return element

    def element_for(self, key: tuple[Any, ...], tag: str, parent: Any) -> tuple[Any, bool]:
        """The structure element of a box, and whether it continues one begun before: its previous sibling's
        when that has the same key (the box's HTML element, pseudo-element, box type and tag), as a page or
        line break split the element; else a new child of `parent`."""
        previous = self.last_child.get(id(parent))
        if previous is not None and previous[0] == key:
            return previous[1], True
        # A row that runs on to the next page continues every one of its cells there, not only its last one.
        cells = self.row_cells.setdefault(id(parent), {}) if tag in ("TD", "TH") else None
        if cells is not None and key in cells:
            self.last_child[id(parent)] = (key, cells[key])
            return cells[key], True
        element = self.new_element(tag, parent)
        parent["K"].append(element.reference)
        self.last_child[id(parent)] = (key, element)
        if cells is not None:
            cells[key] = element
        return element, False

    def add_content(self, mcid: int, element: Any) -> None:
        """Marked content of this page as a kid of `element`, which may have begun on an earlier page."""
        if element.get("Pg") == self.page_ref:
            element["K"].append(mcid)
        else:
            reference = pydyf.Dictionary({"Type": "/MCR", "Pg": self.page_ref, "MCID": mcid})
            element["K"].append(reference)
        self.mcid_parents[mcid] = element.reference

    def add_annotation(self, annotation: Any, element: Any) -> None:
        reference = pydyf.Dictionary({"Type": "/OBJR", "Obj": annotation.reference, "Pg": self.page_ref})
        self.pdf.add_object(reference)
        element["K"].append(reference.reference)
        element.annotation = annotation
        self.annotations.append((element.reference, annotation))

    def describe_figure(self, box: Any, element: Any) -> None:
        x, y = box.content_box_x(), box.content_box_y()
        element["A"] = pydyf.Dictionary({"O": "/Layout", "BBox": pydyf.Array((x, y, x + box.width, y + box.height))})
        if box.element.tag == "{http://www.w3.org/2000/svg}svg":
            title = box.element.find("{http://www.w3.org/2000/svg}title")
            if title is not None and title.text:
                element["Alt"] = pydyf.String(title.text)
        elif alt := box.element.attrib.get("alt"):
            element["Alt"] = pydyf.String(alt)

    # Page furniture

    def make_artifact(self, box: Any, kind: str, subtype: str | None = None) -> None:
        for mcid in self.marked_content_in(box):
            self.artifacts[mcid] = (kind, subtype)

    def marked_content_in(self, box: Any) -> Iterator[int]:
        if isinstance(box, AbsolutePlaceholder):
            box = box._box
        if box in self.marks:
            yield self.marks.pop(box)["mcid"]
        for child in getattr(box, "children", ()):
            yield from self.marked_content_in(child)

    def mark_artifacts(self, stream: Any) -> None:
        """Turn the marked content of page furniture into `/Artifact` sequences in the page's content.

        WeasyPrint opened each as `/Span <</MCID n>> BDC` while drawing; this rewrites those operands in
        place, before the stream is written.
        """
        operations = stream.stream
        for index, operand in enumerate(operations):
            if isinstance(operand, pydyf.Dictionary) and operand.get("MCID") in self.artifacts:
                kind, subtype = self.artifacts[operand["MCID"]]
                properties = pydyf.Dictionary({"Type": kind})
                if subtype:
                    properties["Subtype"] = subtype
                operations[index - 1] = "/Artifact"
                operations[index] = properties

    # Tables

    def add_cell(self, box: Any, element: Any, table: Table) -> None:
        is_header = box.element is not None and box.element_tag == "th"
        scope = SCOPES.get(box.element.get("scope", ""), "/Column" if table.in_header_group else "/Row")
        element["A"] = pydyf.Dictionary({"O": "/Table"})
        if box.colspan != 1:
            element["A"]["ColSpan"] = box.colspan
        if box.rowspan != 1:
            element["A"]["RowSpan"] = box.rowspan
        if is_header:
            element["A"]["Scope"] = scope
            identifier = f"th{len(self.identified) + 1}"
            element["ID"] = pydyf.String(identifier)
            self.identified.append((identifier, element))
        table.rows[-1].append(Cell(element, is_header, scope, box.rowspan, box.colspan))

    def associate_headers(self, table: Table) -> None:
        """Give every data cell `/Headers`: the column headers above it and the row headers before it,
        with row and column spans placed as HTML's table model places them."""
        grid: dict[tuple[int, int], Cell] = {}
        for row_index, row in enumerate(table.rows):
            column = 0
            for cell in row:
                while (row_index, column) in grid:
                    column += 1
                for row_offset in range(cell.rowspan):
                    for column_offset in range(cell.colspan):
                        grid[row_index + row_offset, column + column_offset] = cell
                column += cell.colspan
        header_slots = [(slot, cell) for slot, cell in sorted(grid.items()) if cell.is_header]
        found: dict[int, list[Cell]] = defaultdict(list)  # by id() of the data cell, in reading order
        for (row_index, column), cell in sorted(grid.items()):
            if cell.is_header:
                continue
            cell_headers = found[id(cell)]
            for (header_row, header_column), header in header_slots:
                above = header.scope == "/Column" and header_column == column and header_row < row_index
                before = header.scope == "/Row" and header_row == row_index and header_column < column
                if (above or before) and all(header is not known for known in cell_headers):
                    cell_headers.append(header)
            cell.element["A"]["Headers"] = pydyf.Array(header.element["ID"] for header in cell_headers)


def link_text(box: Any) -> str:
    """What a link says, as its annotation's description: its text in the document's language, its spaces collapsed
    but its non-breaking spaces kept (French typography: « Partie I : Prévention »)."""
    return " ".join(SPACES.split("".join(box.element.itertext()).strip(" \t\n\r\f"))) or box.element.get("href", "")


def quadrilateral(rect: Any) -> Any:
    """A rectangle's corners, counterclockwise from the lower left, as QuadPoints."""
    left, right = sorted((rect[0], rect[2]))
    bottom, top = sorted((rect[1], rect[3]))
    return pydyf.Array([left, bottom, right, bottom, right, top, left, top])


def union(first: Any, second: Any) -> Any:
    xs = [first[0], first[2], second[0], second[2]]
    ys = [first[1], first[3], second[1], second[3]]
    return pydyf.Array([min(xs), min(ys), max(xs), max(ys)])


def add_tags(pdf: Any, document: Any, pdf_version: Any, page_streams: list[Any]) -> None:
    """WeasyPrint's `add_tags`, fixed (see the module's docstring). PDF/UA-1 is PDF 1.7: no namespaces."""
    TagTree(pdf, document, page_streams).build()
    pdf.catalog["ViewerPreferences"] = pydyf.Dictionary({"DisplayDocTitle": "true"})
    pdf.catalog["MarkInfo"] = pydyf.Dictionary({"Marked": "true"})
    if "Lang" not in pdf.catalog:
        pdf.catalog["Lang"] = pydyf.String()
