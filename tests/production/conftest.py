import pytest


def pytest_collection_modifyitems(items):
    """Everything here starts real servers in subprocesses on a database of its own."""
    for item in items:
        if "tests/production/" in str(item.fspath):
            item.add_marker(pytest.mark.slow)
