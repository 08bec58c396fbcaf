from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from commitments.chart import chart_rows
from commitments.command_arguments import language, reporting_period
from napreport.report.exports import FORMATS, render_export


class Command(BaseCommand):
    help = "Write one reporting period's Action Items Chart to standard output as CSV or JSON."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--period", required=True, help="Fiscal year, e.g. 2013-2014.")
        parser.add_argument("--format", default="csv", help="csv (default) or json.")
        parser.add_argument("--lang", default="en", help="en (default) or fr.")
        parser.add_argument("--plan", help="Plan slug; defaults to the most recently launched plan.")

    def handle(self, *args: Any, period: str, format: str, lang: str, plan: str | None, **options: Any) -> None:
        if format not in FORMATS:
            raise CommandError(f"Unknown format “{format}”: use one of {', '.join(FORMATS)}.")
        language(lang)
        found = reporting_period(period, plan)
        self.stdout.write(render_export(chart_rows(found), format, lang), ending="")
