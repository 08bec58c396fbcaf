"""Backup and restore round trip into a fresh database: every record, the history, the published files.

Runs the real commands in subprocesses against throwaway databases of the same kind as the test run's
(SQLite files, or new PostgreSQL databases when DATABASE_URL points at PostgreSQL): what is backed up is a copy of
the session's demo database and its media (tests/production/demo_databases.py), restored into a new empty one.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.production.demo_databases import DEMO, MIGRATED, DemoCopies, demo_templates

PROJECT = Path(__file__).resolve().parents[2]
SNAPSHOT = """
import hashlib, json
from django.apps import apps
from napreport.report.models import PublishedReport
generated = {"contenttypes", "sessions", "axes"}
counts = {m._meta.label: m.objects.count() for m in apps.get_models() if m._meta.app_label not in generated}
files = {r.file.name: [r.sha256, hashlib.sha256(r.file.read()).hexdigest()] for r in PublishedReport.objects.all()}
print(json.dumps({"counts": counts, "files": files}))
"""


@pytest.fixture
def databases(request, tmp_path):
    databases = DemoCopies(demo_templates(request.config), tmp_path)
    yield databases
    databases.drop_all()


def manage(*args, database_url, media_root, check=True):
    env = {
        "PATH": os.environ["PATH"],
        "DEBUG": "1",
        "DATABASE_URL": database_url,
        "MEDIA_ROOT": str(media_root),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if check:
        assert result.returncode == 0, result.stderr
    return result


def snapshot(database_url, media_root):
    result = manage("shell", "--no-imports", "-c", SNAPSHOT, database_url=database_url, media_root=media_root)
    return json.loads(result.stdout)


@pytest.mark.slow
def test_backup_and_restore_preserve_records_history_and_published_files(databases, tmp_path):
    demo = databases.copy(DEMO, "source")  # migrated, load_demo run: a published year and its files
    source, source_media = demo.database_url, demo.media_root
    before = snapshot(source, source_media)
    assert before["counts"]["commitments.HistoricalStatusUpdate"] > 0
    assert before["counts"]["commitments.PublishedDeliverable"] > 0

    backup = tmp_path / "backup"
    manage("backup", str(backup), database_url=source, media_root=source_media)
    assert (backup / "manifest.json").is_file()

    restored, restored_media = databases.new("restored"), tmp_path / "media-restored"
    result = manage("restore", str(backup), database_url=restored, media_root=restored_media)
    assert "Restored the database" in result.stdout
    after = snapshot(restored, restored_media)
    assert after == before
    assert all(recorded == actual for recorded, actual in after["files"].values())

    again = manage("restore", str(backup), database_url=restored, media_root=restored_media, check=False)
    assert again.returncode != 0
    assert "not empty" in again.stderr


@pytest.mark.slow
def test_a_damaged_backup_is_refused(databases, tmp_path):
    migrated = databases.copy(MIGRATED, "damaged")  # the tables, no rows
    source, media = migrated.database_url, migrated.media_root
    backup = tmp_path / "backup"
    manage("backup", str(backup), database_url=source, media_root=media)
    dump = next(path for path in backup.iterdir() if path.name.startswith("database."))
    dump.write_bytes(dump.read_bytes() + b"tampered")
    result = manage("restore", str(backup), database_url=databases.new("target"), media_root=media, check=False)
    assert result.returncode != 0
    assert "damaged" in result.stderr
    missing = manage("restore", str(tmp_path / "nowhere"), database_url=source, media_root=media, check=False)
    assert "not a backup" in missing.stderr
