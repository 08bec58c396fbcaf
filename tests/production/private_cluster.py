"""A PostgreSQL cluster of one's own, for the test and the benchmark that restart the database: initdb into a
temporary folder, its own port and socket folder, trust authentication, removed afterwards. The shared server the
suite and other people's work run on is never touched, so restarting this one stops nobody else.
"""

import contextlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

POSTGRES_BIN = Path("/usr/lib/postgresql/15/bin")


class Cluster:
    """A PostgreSQL cluster in a folder of its own, run by the postgres user (the server refuses to run as root)."""

    def __init__(self, folder: Path, port: int):
        self.folder, self.port = folder, port
        self.data, self.sockets, self.log = folder / "data", folder / "sockets", folder / "server.log"

    def run(self, program: str, *args: str) -> None:
        command = [str(POSTGRES_BIN / program), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=120)
        if done.returncode:
            log = self.log.read_text() if self.log.exists() else ""
            raise RuntimeError(f"{program} {' '.join(args)} failed:\n{done.stdout}{done.stderr}{log[-2000:]}")

    def create(self) -> None:
        self.sockets.mkdir(parents=True)
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")
            shutil.chown(self.sockets, "postgres", "postgres")
        self.run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")

    def start(self, *settings: str) -> None:
        """Starts the server; `settings` are more `name=value` server settings (max_connections=200)."""
        # fsync off: a throwaway cluster, restarted cleanly; nothing here needs to survive a power cut.
        options = f"-p {self.port} -k {self.sockets} -c listen_addresses=127.0.0.1 -c fsync=off"
        options += "".join(f" -c {setting}" for setting in settings)
        self.run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "start")

    def stop(self) -> None:
        # Fast: open connections are ended at once, as a restart by an administrator would.
        self.run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> None:
        subprocess.run(
            ["psql", self.url("postgres"), "-v", "ON_ERROR_STOP=1", "-qc", f'CREATE DATABASE "{name}"'],
            check=True,
            capture_output=True,
        )


def installed() -> bool:
    return (POSTGRES_BIN / "initdb").exists()


@contextlib.contextmanager
def private_cluster(port: int, *settings: str) -> Iterator[Cluster]:
    """A new cluster, started on `port`; stopped and its folder removed on the way out, whatever ended the block
    (a failure, Ctrl-C)."""
    # Its own folder under the system's temporary one, which the postgres user can enter (pytest's cannot be).
    cluster = Cluster(Path(tempfile.mkdtemp(prefix="napreport-postgres-")), port)
    try:
        cluster.create()
        cluster.start(*settings)
        yield cluster
    finally:
        with contextlib.suppress(RuntimeError):  # never started, or already stopped by a failed step
            cluster.stop()
        shutil.rmtree(cluster.folder, ignore_errors=True)
