"""Shared fixtures: a seeded database (known rows, see tests/fixtures.py), an empty one, and the
environment that points the dashboard at them."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

import store.connection
from tests.fixtures import build_seeded_db

#: test modules that drive the running dashboard in Chromium, and those that take long (make test-fast skips both)
BROWSER_MODULES = {
    "test_browser",
    "test_upload_browser",
    "test_hostile_browser",
    "test_sign_in_browser",
    "test_sso_browser",
    "test_brief_pdf",
    "test_as_of_browser",
    "test_first_seconds_browser",
    "test_compare_browser",
}
SLOW_MODULES = {
    "test_uninfo",
    "test_crash",
    "test_concurrency",
    "test_rollback",
    "test_sign_in",
    "test_faults",
    "test_as_of",
}


def pytest_collection_modifyitems(items):
    for item in items:
        module = item.module.__name__.rsplit(".", 1)[-1]
        if module in BROWSER_MODULES:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.slow)
        elif module in SLOW_MODULES:
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def seeded_db_path(tmp_path_factory) -> Path:
    """A DuckDB file with the seeded dataset, built once per test session (treat it as read-only)."""
    return build_seeded_db(tmp_path_factory.mktemp("seeded") / "seeded.duckdb")


@pytest.fixture(scope="session")
def empty_db_path(tmp_path_factory) -> Path:
    """A migrated database without any rows."""
    return build_seeded_db(tmp_path_factory.mktemp("empty") / "empty.duckdb", empty=True)


@pytest.fixture
def seeded_db(seeded_db_path) -> duckdb.DuckDBPyConnection:
    """A connection to the seeded database (opened like the dashboard opens it, so both can share the
    file in one process); closed after the test. Do not write through it."""
    con = store.connection.connect(seeded_db_path)
    yield con
    con.close()


@pytest.fixture
def fresh_db_path(tmp_path, seeded_db_path) -> Path:
    """A private, writable copy of the seeded database."""
    target = tmp_path / "fresh.duckdb"
    shutil.copy(seeded_db_path, target)
    return target


@pytest.fixture
def dashboard_db(seeded_db_path, monkeypatch) -> Path:
    """Point the dashboard ($UNCT_DB) at the seeded database."""
    monkeypatch.setenv("UNCT_DB", str(seeded_db_path))
    return seeded_db_path
