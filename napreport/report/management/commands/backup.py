"""Back up the database and the published report files into one folder (see README: Backup and restore)."""

import hashlib
import json
import shutil
import subprocess
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from napreport.report.models import PublishedReport

DATABASE_DUMP = {"postgresql": "database.pgdump", "sqlite": "database.json"}
# Generated or re-creatable tables that a restore must not import twice.
DUMPDATA_EXCLUDES = ["contenttypes", "auth.permission", "sessions", "axes"]


def sha256_of(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for chunk in iter(lambda: file.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def pg_environment(settings_dict: dict[str, Any]) -> dict[str, str]:
    """libpq connection variables for pg_dump/pg_restore, so no password appears on a command line."""
    env = {"PGDATABASE": settings_dict["NAME"], "PGUSER": settings_dict.get("USER") or ""}
    if settings_dict.get("HOST"):
        env["PGHOST"] = settings_dict["HOST"]
    if settings_dict.get("PORT"):
        env["PGPORT"] = str(settings_dict["PORT"])
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = settings_dict["PASSWORD"]
    return env


class Command(BaseCommand):
    help = (
        "Write a backup to DIRECTORY: the database (pg_dump on PostgreSQL, dumpdata on SQLite), the published "
        "report files, and a manifest of their SHA-256 checksums. Restore it with `manage.py restore DIRECTORY`."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("directory", help="A new or empty folder to write the backup into.")

    def handle(self, *args: Any, directory: str, **options: Any) -> None:
        target = Path(directory)
        if target.exists() and any(target.iterdir()):
            raise CommandError(f"{target} is not empty: back up into a new folder.")
        vendor = connection.vendor
        if vendor not in DATABASE_DUMP:
            raise CommandError(f"Backups support PostgreSQL and SQLite, not {vendor}.")
        target.mkdir(parents=True, exist_ok=True)

        dump = target / DATABASE_DUMP[vendor]
        if vendor == "postgresql":
            self.run_pg_dump(dump)
        else:
            call_command(
                "dumpdata",
                "--natural-foreign",
                "--natural-primary",
                *(f"--exclude={label}" for label in DUMPDATA_EXCLUDES),
                output=str(dump),
            )
        files = self.copy_published_files(target / "media")
        manifest = {"database": {"vendor": vendor, "file": dump.name, "sha256": sha256_of(dump)}, "files": files}
        (target / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        self.stdout.write(f"Backed up the {vendor} database and {len(files)} published files to {target}.")

    def run_pg_dump(self, dump: Path) -> None:
        env = {"PATH": "/usr/bin:/bin", **pg_environment(connection.settings_dict)}
        result = subprocess.run(  # nosec B603 B607 -- a fixed program from /usr/bin, our own arguments
            ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={dump}"],
            env=env,
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise CommandError(f"pg_dump failed: {result.stderr.strip()}")

    def copy_published_files(self, media: Path) -> dict[str, str]:
        files = {}
        for report in PublishedReport.objects.order_by("pk"):
            destination = media / report.file.name
            destination.parent.mkdir(parents=True, exist_ok=True)
            with report.file.open("rb") as source, open(destination, "wb") as copy:
                shutil.copyfileobj(source, copy)
            checksum = sha256_of(destination)
            if checksum != report.sha256:
                raise CommandError(f"{report.file.name} does not match its recorded checksum: it was altered.")
            files[report.file.name] = checksum
        return files
