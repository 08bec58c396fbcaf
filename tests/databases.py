"""Throwaway databases of the same kind as the test run's, for tests that run the real commands in subprocesses:
SQLite files, or new PostgreSQL databases (with a random name, so parallel workers and runs never meet) when
DATABASE_URL points at PostgreSQL."""

import os
import subprocess
import uuid
from urllib.parse import urlsplit, urlunsplit


class Databases:
    """Creates and drops throwaway databases like the one the suite runs on."""

    def __init__(self, tmp_path):
        self.tmp_path = tmp_path
        self.url = os.environ.get("DATABASE_URL", "")
        self.created = []

    @property
    def postgres(self):
        return self.url.startswith(("postgres://", "postgresql://"))

    def new(self, name):
        if not self.postgres:
            return f"sqlite:///{self.tmp_path / name}.sqlite3"
        database = f"napreport_{name}_{uuid.uuid4().hex[:8]}"
        self.psql(f'CREATE DATABASE "{database}"')
        self.created.append(database)
        parts = urlsplit(self.url)
        return urlunsplit(parts._replace(path=f"/{database}"))

    def psql(self, sql):
        parts = urlsplit(self.url)
        admin_url = urlunsplit(parts._replace(path="/postgres"))
        subprocess.run(["psql", admin_url, "-v", "ON_ERROR_STOP=1", "-qc", sql], check=True, capture_output=True)

    def drop_all(self):
        for database in self.created:
            self.psql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
