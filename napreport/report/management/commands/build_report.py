"""Render a period's Annual Report on Progress to a file, from the command line."""

import os
import tempfile
import time
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from commitments.command_arguments import language, reporting_period
from napreport.report.build import render_html, report_data

FORMATS = ("pdf", "html")


class Command(BaseCommand):
    help = (
        "Render the Annual Report on Progress of PERIOD (e.g. 2013-2014) as PDF or HTML, from the live data "
        "(a published period renders from its frozen chart). The files stored at publication are not touched. "
        "Use --draft for the watermarked draft."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("period", help="Fiscal year, e.g. 2013-2014.")
        parser.add_argument("--format", default="pdf", help="pdf (default) or html.")
        parser.add_argument("--lang", default="en", help="en (default) or fr.")
        parser.add_argument("-o", "--output", required=True, help="File to write.")
        parser.add_argument("--draft", action="store_true", help="Mark every page as a draft.")

    def handle(
        self, *args: Any, period: str, format: str, lang: str, output: str, draft: bool, **options: Any
    ) -> None:
        if format not in FORMATS:
            raise CommandError(f"Unknown format “{format}”: use pdf or html.")
        language(lang)
        found = reporting_period(period)
        target = Path(output)
        if not target.parent.is_dir():
            raise CommandError(f"Cannot write {target}: the folder {target.parent} does not exist.")

        started = time.perf_counter()
        self.stage(f"Reading the {found.label} chart and narrative")
        with translation.override(lang):
            data = report_data(found)
        self.stage(f"Rendering HTML ({len(data['rows'])} chart rows)")
        html = render_html(found, lang, draft=draft, for_pdf=format == "pdf", data=data)
        content = html.encode()
        if format == "pdf":
            self.stage("Rendering PDF with WeasyPrint")
            from napreport.report.pdf import pdf_from_html  # loads WeasyPrint only for a PDF

            content = pdf_from_html(html)
        self.write_atomically(target, content)
        self.stage(f"Wrote {target} ({len(content):,} bytes) in {time.perf_counter() - started:.1f} s")

    def stage(self, message: str) -> None:
        self.stderr.write(f"build_report: {message}", style_func=lambda text: text)
        self.stderr.flush()

    def write_atomically(self, target: Path, content: bytes) -> None:
        """Write beside the target and rename, so a failure never leaves half a file."""
        try:
            handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
            with os.fdopen(handle, "wb") as file:
                file.write(content)
            os.replace(temporary, target)
        except OSError as error:
            raise CommandError(f"Cannot write {target}: {error.strerror}.") from None
