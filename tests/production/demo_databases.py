"""The demo database for the tests that run the real commands and servers in subprocesses, built once per test
run (with xdist, by the first worker that needs it: tests/session_builds.py) and copied for each test.

`migrate`, `collectstatic` and `load_demo` (which renders the 2013-2014 report, PDFs included) took each such test
tens of seconds before it could begin; here they run once, and a test starts from a copy of the stage it needs:

- MIGRATED: the tables, no rows;
- DEMO: `load_demo` done (2013-2014 published, with its stored files; 2014-2015 open; the demo accounts);
- READY: and 2014-2015 ready to publish (tests/production/scripts.py's COPY_NARRATIVE).

Each copy is the test's own: its database (SQLite: a copy of the file; PostgreSQL: `CREATE DATABASE … TEMPLATE …`,
of the suite's kind as tests/databases.py makes them) and its media folder, so no test sees what another wrote.
The collected static files are shared: nothing writes to them after collectstatic.
"""

import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests import session_builds
from tests.benchmarks import proxy_stack
from tests.databases import Databases
from tests.production.scripts import COPY_NARRATIVE

MIGRATED, DEMO, READY = "migrated", "demo", "ready"
STAGES = (MIGRATED, DEMO, READY)
# What each stage runs after the one before it, in the production environment (DEBUG=0, as deployed).
STEPS = {
    MIGRATED: [["migrate", "--noinput"]],
    DEMO: [["load_demo"]],
    READY: [["shell", "--no-imports", "-c", COPY_NARRATIVE]],
}


@dataclass
class DemoCopy:
    """A test's own copy of a stage: its DATABASE_URL and MEDIA_ROOT, and the shared STATIC_ROOT."""

    database_url: str
    media_root: Path
    static_root: Path


class DemoTemplates:
    """The stages, each built when first asked for (the earlier ones with it) by the first process of the test run
    that needs it, and kept until the run ends (tests/session_builds.py: with xdist, the workers share them)."""

    def __init__(self) -> None:
        self.workdir = session_builds.folder("demo-databases")
        self.databases = Databases(self.workdir)

    def collected_static(self) -> Path:
        """collectstatic's output (STATIC_ROOT), collected once: with DEBUG=0, as deployed, pages and the report
        name their static files from its manifest."""
        with session_builds.building(self.workdir):
            return self.collect_static()

    def media(self, stage: str) -> Path:
        return self.workdir / f"media-{stage}"

    def template(self, stage: str) -> str:
        """The stage's template database, built first if need be."""
        with session_builds.building(self.workdir):
            return self.build(stage)

    # What follows runs under the build's lock.
    def build(self, stage: str) -> str:
        built = self.workdir / f"{stage}.template"  # written once the stage's template is whole
        if not built.exists():
            position = STAGES.index(stage)
            if position:
                self.build(STAGES[position - 1])
            if stage != MIGRATED:
                self.collect_static()  # load_demo renders the report
            for args in STEPS[stage]:
                proxy_stack.manage(self.env(), *args)
            built.write_text(self.snapshot(stage))
        return built.read_text()

    def collect_static(self) -> Path:
        static_root = Path(self.env()["STATIC_ROOT"])
        if not (static_root / "staticfiles.json").exists():
            proxy_stack.manage(self.env(), "collectstatic", "--noinput")
        return static_root

    def env(self) -> dict[str, str]:
        """The production environment on the database the stages are built in, made by the first build."""
        building = self.workdir / "building"
        if not building.exists():
            url = self.databases.new("demo_build")
            if self.databases.postgres:
                session_builds.record_database(database_name(url))
            building.write_text(url)
        return proxy_stack.app_env(self.workdir, building.read_text())

    def snapshot(self, stage: str) -> str:
        media = Path(self.env()["MEDIA_ROOT"])
        media.mkdir(exist_ok=True)
        shutil.copytree(media, self.media(stage))
        building = self.env()["DATABASE_URL"]
        if not self.databases.postgres:
            path = self.workdir / f"template-{stage}.sqlite3"
            shutil.copyfile(sqlite_path(building), path)
            return str(path)
        name = f"napreport_demo_{stage}_{uuid.uuid4().hex[:8]}"
        # Nothing is connected to the building database: each step was a process of its own, and has ended.
        self.databases.psql(f'CREATE DATABASE "{name}" TEMPLATE "{database_name(building)}"')
        session_builds.record_database(name)
        return name


class DemoCopies(Databases):
    """A test's databases: copies of the demo's stages (`copy`), or new empty ones (`new`), all dropped by
    `drop_all`."""

    def __init__(self, templates: DemoTemplates, tmp_path: Path) -> None:
        super().__init__(tmp_path)
        self.templates = templates

    def copy(self, stage: str, name: str) -> DemoCopy:
        template = self.templates.template(stage)
        media = self.tmp_path / f"media-{name}"
        shutil.copytree(self.templates.media(stage), media)
        if self.postgres:
            database = f"napreport_{name}_{uuid.uuid4().hex[:8]}"
            self.psql(f'CREATE DATABASE "{database}" TEMPLATE "{template}"')
            self.created.append(database)
            url = urlunsplit(urlsplit(self.url)._replace(path=f"/{database}"))
        else:
            path = self.tmp_path / f"{name}.sqlite3"
            shutil.copyfile(template, path)
            url = f"sqlite:///{path}"
        return DemoCopy(url, media, self.templates.collected_static())


TEMPLATES = pytest.StashKey[DemoTemplates]()


def demo_templates(config: pytest.Config) -> DemoTemplates:
    """The test run's templates (shared by its xdist workers), removed when the run ends."""
    if TEMPLATES not in config.stash:
        config.stash[TEMPLATES] = DemoTemplates()
    return config.stash[TEMPLATES]


def sqlite_path(url: str) -> str:
    return url.removeprefix("sqlite:///")


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")
