"""What a test run builds once for all its processes: the demo's dump (tests/conftest.py `demo_dump`) and the
production tests' demo databases (tests/production/demo_databases.py).

With `pytest -n auto` each xdist worker is a process of its own, and each built the same demo (load_demo renders
the report's PDFs) while the other worker waited for a core. Here the run's first process (the xdist controller,
or the only process of a serial run) makes a folder before any worker starts and removes it, with the PostgreSQL
databases recorded in it, once they have all ended. A build is made by the first process that needs it, under a
file lock; the others wait for it, then read what it left.
"""

import fcntl
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

FOLDER = "NAPREPORT_TEST_BUILDS"  # environment variable: the xdist workers inherit it from the controller
DATABASES = "databases"  # the file listing the PostgreSQL databases made for the run's builds


def start_run() -> bool:
    """Make the run's folder, unless this process is a worker of a run that made it. True if it is ours to
    remove (`end_run`)."""
    if os.environ.get(FOLDER):
        return False
    # Outside pytest's own temporary folders, which another pytest session on the machine may clean up.
    os.environ[FOLDER] = tempfile.mkdtemp(prefix="napreport-builds-")
    return True


def end_run() -> None:
    folder = Path(os.environ.pop(FOLDER))
    listed = folder / DATABASES
    if listed.exists():
        for database in listed.read_text().split():
            drop_database(database)
    shutil.rmtree(folder, ignore_errors=True)


def folder(name: str) -> Path:
    """The run's folder for one kind of build."""
    path = Path(os.environ[FOLDER]) / name
    path.mkdir(exist_ok=True)
    return path


@contextmanager
def building(path: Path) -> Iterator[None]:
    """Hold the lock of the build in `path`: the first process to get it builds, the others find it built."""
    with open(path / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def record_database(name: str) -> None:
    """A PostgreSQL database the run's end drops."""
    with open(Path(os.environ[FOLDER]) / DATABASES, "a") as listed:
        listed.write(name + "\n")


def drop_database(name: str) -> None:
    parts = urlsplit(os.environ["DATABASE_URL"])
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    sql = f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'
    subprocess.run(["psql", admin_url, "-v", "ON_ERROR_STOP=1", "-qc", sql], check=True, capture_output=True)
