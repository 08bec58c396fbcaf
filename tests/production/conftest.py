import pytest

from tests.production.demo_databases import DemoCopies, demo_templates


def pytest_collection_modifyitems(items):
    """Everything here starts real servers in subprocesses on a database of its own."""
    for item in items:
        if "tests/production/" in str(item.fspath):
            item.add_marker(pytest.mark.slow)


@pytest.fixture
def demo_copies(request, tmp_path):
    """Copies of the session's demo database for this test (tests/production/demo_databases.py), dropped after it."""
    copies = DemoCopies(demo_templates(request.config), tmp_path)
    yield copies
    copies.drop_all()
