"""Reading an uploaded spreadsheet within limits no department's sheet comes near.

A department leads at most a few hundred deliverables, so a file past the limits (settings
SPREADSHEET_IMPORT_MAX_BYTES, _MAX_ROWS, _MAX_COLUMNS, _MAX_UNCOMPRESSED_BYTES) is refused with a
plain message before it is parsed: a small upload must never be able to hold a worker or its memory.
An XLSX file is a zip of XML parts; its directory is checked first (zipfile never inflates a member past
the size the directory declares), then every XML part is scanned as a stream, and only then does openpyxl
read the sheet, in read-only mode and never past the row and column limits (a declared dimension can lie).
"""

import csv
import io
import logging
import re
import zipfile
from collections.abc import Iterable, Sequence
from typing import IO, Any

import tablib

# A workbook's XML comes from outside: defusedxml refuses DTDs and entity declarations (billion laughs,
# external entities), which no real workbook has; the refusal is a ValueError, read as "not a workbook".
from defusedxml.ElementTree import ParseError, iterparse
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.formats import number_format
from django.utils.translation import gettext
from import_export.formats.base_formats import CSV, XLSX

logger = logging.getLogger("commitments.spreadsheets")

MAIN_NAMESPACE = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
CELL_COLUMN = re.compile(r"^([A-Z]{1,3})\d*$")
# The longest cell a CSV import reads: Python's default, set for each import, because the limit is the csv module's
# one global and another library in the same process may have raised it (frictionless sets its own when imported),
# and then an unclosed quotation mark would swallow the rest of the file as one note instead of being refused.
CSV_CELL_LIMIT = 128 * 1024


class SpreadsheetRefused(ValidationError):
    """An upload that is not a department's sheet, with the sentence that tells the person why."""


def limit(name: str) -> int:
    defaults = {"MAX_BYTES": 2 * 1024 * 1024, "MAX_ROWS": 2000, "MAX_COLUMNS": 50, "MAX_UNCOMPRESSED_BYTES": 10**7}
    return getattr(settings, f"SPREADSHEET_IMPORT_{name}", defaults[name])


def check_upload_size(size: int) -> None:
    if size > limit("MAX_BYTES"):
        raise SpreadsheetRefused(
            gettext("The file is %(size)s; a department's spreadsheet is at most %(limit)s.")
            % {"size": filesizeformat(size), "limit": filesizeformat(limit("MAX_BYTES"))}
        )


def too_many_rows() -> SpreadsheetRefused:
    return SpreadsheetRefused(
        gettext("The file has more than %(rows)s rows; import at most %(rows)s statuses at a time.")
        % {"rows": number_format(limit("MAX_ROWS"), force_grouping=True)}
    )


def too_many_columns() -> SpreadsheetRefused:
    return SpreadsheetRefused(
        gettext("The file has more than %(columns)s columns; keep only the columns of the exported file.")
        % {"columns": limit("MAX_COLUMNS")}
    )


def as_dataset(rows: Iterable[Sequence[Any]]) -> tablib.Dataset:
    """The rows as a Dataset under the first non-empty row's headers; blank rows are left out.

    The dataset's `sheet_rows` holds each data row's number as the spreadsheet program shows it (the header
    is row 1, a blank row still counts), so that an error names the row a person sees.
    """
    numbered = [(number, row) for number, row in enumerate(rows, 1) if any(value not in (None, "") for value in row)]
    if not numbered:
        raise SpreadsheetRefused(gettext("The file is empty: it has no header row and no statuses."))
    headers = [str(value).strip() if value is not None else "" for value in numbered[0][1]]
    while headers and not headers[-1]:
        headers.pop()
    dataset = tablib.Dataset(headers=headers)
    for number, row in numbered[1:]:
        row = list(row)
        if any(value not in (None, "") for value in row[len(headers) :]):
            # More cells than headers: most often a note's comma or semicolon outside quotes, which
            # would put the rest of the note in the wrong column.
            raise SpreadsheetRefused(
                gettext("Row %(row)s has more cells than the header row; check its notes for a stray separator.")
                % {"row": number}
            )
        dataset.append((row + [None] * len(headers))[: len(headers)])
    dataset.sheet_rows = [number for number, row in numbered[1:]]
    return dataset


def decode_csv(data: bytes) -> str:
    """The text of a CSV file as Excel or LibreOffice saved it: UTF-8 (with or without a byte-order mark),
    UTF-16 with its byte-order mark (Excel's “Unicode text”), or else Windows-1252 (older Excel, and
    LibreOffice's default)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass  # refused below like any other unreadable file
    elif b"\x00" not in data:
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                return data.decode("cp1252")
            except UnicodeDecodeError:
                raise SpreadsheetRefused(
                    gettext("The file's characters are neither UTF-8 nor Windows-1252; save it as “CSV UTF-8”.")
                ) from None
    raise SpreadsheetRefused(
        gettext("This is not a CSV file. Save the spreadsheet as CSV, or choose the XLSX format.")
    )


def csv_delimiter(text: str) -> str:
    """The separator the header row uses most: a comma, a semicolon (French Excel) or a tab."""
    header = text.split("\n", 1)[0]
    return max([",", ";", "\t"], key=header.count)


class LimitedCSV(CSV):
    """CSV as Excel and LibreOffice save it (UTF-8 with or without a byte-order mark, UTF-16, or Windows-1252;
    commas, semicolons as in French Excel, or tabs), within the import limits."""

    def create_dataset(self, in_stream: str | bytes, **kwargs: Any) -> tablib.Dataset:
        data = in_stream.encode() if isinstance(in_stream, str) else in_stream
        check_upload_size(len(data))
        text = decode_csv(data)
        if "\x00" in text:
            raise SpreadsheetRefused(
                gettext("This is not a CSV file. Save the spreadsheet as CSV, or choose the XLSX format.")
            )
        delimiter = csv_delimiter(text)
        rows = []
        process_limit = csv.field_size_limit(CSV_CELL_LIMIT)
        try:
            for number, row in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), 1):
                if number > limit("MAX_ROWS") + 1:
                    raise too_many_rows()
                if len(row) > limit("MAX_COLUMNS"):
                    raise too_many_columns()
                rows.append(row)
        except csv.Error:
            raise SpreadsheetRefused(
                gettext("The file could not be read as CSV: a cell is too long or a quotation mark is not closed.")
            ) from None
        finally:
            csv.field_size_limit(process_limit)
        return as_dataset(rows)


class LimitedXLSX(XLSX):
    """An Excel workbook's active sheet, checked before it is parsed and read as a stream."""

    def create_dataset(self, in_stream: bytes, **kwargs: Any) -> tablib.Dataset:
        import openpyxl

        check_upload_size(len(in_stream))
        not_a_workbook = SpreadsheetRefused(
            gettext("This is not an Excel workbook (.xlsx). Save it from Excel or LibreOffice as .xlsx, or as CSV.")
        )
        try:
            archive = zipfile.ZipFile(io.BytesIO(in_stream))
            check_archive(archive)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ParseError, EOFError, NotImplementedError, ValueError):
            raise not_a_workbook from None
        max_rows, max_columns = limit("MAX_ROWS"), limit("MAX_COLUMNS")
        try:
            workbook = openpyxl.load_workbook(io.BytesIO(in_stream), read_only=True, data_only=True)
            try:
                sheet = workbook.active
                if sheet is None:  # a workbook without a worksheet
                    raise not_a_workbook
                sheet.reset_dimensions()  # the declared dimension is the file's word, not a measure
                cells = sheet.iter_rows(min_row=1, max_row=max_rows + 1, max_col=max_columns, values_only=True)
                return as_dataset(list(cells))
            finally:
                workbook.close()
        except SpreadsheetRefused:
            raise
        except Exception:
            # openpyxl's many ways to say "malformed": the details are for the log, not the person.
            logger.error("An uploaded XLSX file could not be read", exc_info=True)
            raise not_a_workbook from None


def check_archive(archive: zipfile.ZipFile) -> None:
    """Refuse a zip whose parts, inflated, exceed what a department's workbook needs, before inflating any."""
    members = archive.infolist()
    if len(members) > 1000 or sum(member.file_size for member in members) > limit("MAX_UNCOMPRESSED_BYTES"):
        raise SpreadsheetRefused(
            gettext("The workbook holds more than %(limit)s of data; a department's spreadsheet is far smaller.")
            % {"limit": filesizeformat(limit("MAX_UNCOMPRESSED_BYTES"))}
        )
    for member in members:
        if member.filename.endswith((".xml", ".rels")):
            with archive.open(member) as part:
                scan_part(part)


def scan_part(part: IO[bytes]) -> None:
    """Stream one XML part and refuse what openpyxl would hold in memory at once: too many rows or shared
    strings, too many cells in a row, a value past the last row or column, too many children anywhere."""
    max_rows, max_columns = limit("MAX_ROWS"), limit("MAX_COLUMNS")
    max_children = {
        f"{MAIN_NAMESPACE}sheetData": max_rows + 1,
        f"{MAIN_NAMESPACE}row": 1024,  # cells, counting empty styled ones Excel writes past the data
        f"{MAIN_NAMESPACE}sst": (max_rows + 1) * max_columns,  # shared strings
    }  # anything else (styles, names, relationships): a few hundred in a real workbook
    open_elements: list[list[Any]] = []  # [element, children so far]
    row_number = column = 0
    for event, element in iterparse(part, events=("start", "end")):
        if event == "end":
            open_elements.pop()
            element.clear()
            if open_elements:
                open_elements[-1][0].remove(element)  # the first child left, so this is quick
            continue
        if open_elements:
            parent = open_elements[-1]
            parent[1] += 1
            if parent[1] > max_children.get(parent[0].tag, 4000):
                raise too_many_rows() if parent[0].tag == f"{MAIN_NAMESPACE}sheetData" else too_many_columns()
        open_elements.append([element, 0])
        tag = element.tag
        if tag == f"{MAIN_NAMESPACE}row":
            row_number = int(element.get("r") or row_number + 1)
            column = 0
        elif tag == f"{MAIN_NAMESPACE}c":
            match = CELL_COLUMN.match(element.get("r") or "")
            column = column_number(match.group(1)) if match else column + 1
        elif tag in (f"{MAIN_NAMESPACE}v", f"{MAIN_NAMESPACE}is") and row_number:
            # A value openpyxl would not reach (the read stops at the limits): refused, never dropped.
            if row_number > max_rows + 1:
                raise too_many_rows()
            if column > max_columns:
                raise too_many_columns()


def column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - ord("A") + 1
    return number
