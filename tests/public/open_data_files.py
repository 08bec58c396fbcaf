"""Reading the open data's files as a program would: the CSV's rows by column name (its header row holds titles
in the file's language, so the names come from the columns' order), and Frictionless validation."""

import csv
import io

from frictionless import Checklist, Resource

from napreport.report.exports import COLUMNS


def csv_rows(content):
    """The CSV's header row and its records, each a dict by column name."""
    assert content.startswith(b"\xef\xbb\xbf"), "a byte-order mark first"
    header, *rows = csv.reader(io.StringIO(content.decode("utf-8-sig"), newline=""))
    assert len(header) == len(COLUMNS) and all(len(row) == len(COLUMNS) for row in rows)
    return header, [dict(zip(COLUMNS, row, strict=True)) for row in rows]


def csv_records(content):
    return csv_rows(content)[1]


def validation_errors(resource):
    """Every error Frictionless finds in a resource as text.

    frictionless-py does not count the bytes of a JSON file as it reads it (its JSON parser reads the stream with
    read(), which skips the counting that read1() does), so it reports the size and hash of every JSON resource as
    wrong; those two checks are left to the tests, which compare them with the file themselves."""
    skip = ["byte-count", "hash-count"] if resource.format == "json" else []
    report = resource.validate(checklist=Checklist(skip_errors=skip))
    return [" ".join(map(str, error)) for error in report.flatten(["rowNumber", "fieldName", "type", "note"])]


def download_resource(tmp_path, content, described):
    """A resource of the bytes `content` (a download, saved under `tmp_path`), described as the data package
    describes the resource `described` (its format, dialect and schema), without its size and hash."""
    descriptor = {key: value for key, value in described.items() if key not in ("bytes", "hash")}
    (tmp_path / described["path"]).write_bytes(content)
    return Resource(descriptor, basepath=str(tmp_path))
