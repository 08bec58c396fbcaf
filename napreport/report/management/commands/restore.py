"""Restore a backup written by `manage.py backup` into an empty database, and check it."""

import json
import subprocess
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.files import File
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from napreport.report.management.commands.backup import pg_environment, sha256_of
from napreport.report.models import PublishedReport


class Command(BaseCommand):
    help = (
        "Restore DIRECTORY (written by `manage.py backup`) into the configured database, which must be empty "
        "(a new PostgreSQL database, or a new SQLite file), then verify every published file's checksum."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("directory")

    def handle(self, *args: Any, directory: str, **options: Any) -> None:
        source = Path(directory)
        manifest_path = source / "manifest.json"
        if not manifest_path.is_file():
            raise CommandError(f"{source} holds no manifest.json: it is not a backup written by `manage.py backup`.")
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        dump = source / manifest["database"]["file"]
        vendor = manifest["database"]["vendor"]
        if vendor != connection.vendor:
            raise CommandError(f"This backup is of a {vendor} database; the configured one is {connection.vendor}.")
        if sha256_of(dump) != manifest["database"]["sha256"]:
            raise CommandError(f"{dump.name} does not match the manifest's checksum: the backup is damaged.")
        if connection.introspection.table_names() and (connection.vendor == "postgresql" or self.has_records()):
            raise CommandError("The configured database is not empty: restore into a new database.")

        if connection.vendor == "postgresql":
            self.run_pg_restore(dump)
        else:
            call_command("migrate", verbosity=0)
            call_command("loaddata", str(dump), verbosity=0)

        for name, checksum in manifest["files"].items():
            path = source / "media" / name
            if sha256_of(path) != checksum:
                raise CommandError(f"{name} does not match the manifest's checksum: the backup is damaged.")
            if default_storage.exists(name):
                default_storage.delete(name)
            with open(path, "rb") as file:
                saved = default_storage.save(name, File(file))
            if saved != name:
                raise CommandError(f"Could not restore {name} under its own name (storage saved {saved}).")
        mismatched = [r.file.name for r in PublishedReport.objects.all() if sha256_of(r.file.path) != r.sha256]
        if mismatched:
            raise CommandError(f"Restored files do not match their recorded checksums: {', '.join(mismatched)}")
        self.stdout.write(f"Restored the database and {len(manifest['files'])} published files from {source}.")

    def has_records(self) -> bool:
        """A freshly migrated SQLite file has tables but no records of ours: that is empty enough."""
        from django.contrib.auth import get_user_model

        return get_user_model().objects.exists() or PublishedReport.objects.exists()

    def run_pg_restore(self, dump: Path) -> None:
        env = {"PATH": "/usr/bin:/bin", **pg_environment(connection.settings_dict)}
        result = subprocess.run(  # nosec B603 B607 -- a fixed program from /usr/bin, our own arguments
            ["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "-d", env["PGDATABASE"], str(dump)],
            env=env,
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise CommandError(f"pg_restore failed: {result.stderr.strip()}")
