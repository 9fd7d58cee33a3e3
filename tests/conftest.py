"""Shared fixtures: a seeded database (known rows, see tests/fixtures.py), an empty one, and the
environment that points the dashboard at them."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

import duckdb
import pytest

import store.connection
from tests.fixtures import build_seeded_db
from tests.postgres import PostgresCluster, PostgresMissing

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
    "test_brief_browser",
    "test_shared_dashboards",
}
SLOW_MODULES = {
    "test_uninfo",
    "test_crash",
    "test_concurrency",
    "test_rollback",
    "test_sign_in",
    "test_faults",
    "test_as_of",
    "test_shared_store",
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


@pytest.fixture(scope="session")
def postgres():
    """A private PostgreSQL cluster for the shared-store tests: a temporary folder, a loopback port, stopped and
    removed at the end of the session (tests/postgres.py; PostgreSQL's server programs must be installed: make test
    installs them)."""
    try:
        cluster = PostgresCluster().start()
    except PostgresMissing as missing:  # make test installs it: a missing server is a failed set-up, never a skip
        pytest.fail(f"{missing} (make test installs them as root).", pytrace=False)
    yield cluster
    cluster.stop()


@pytest.fixture(scope="session")
def new_lake(postgres, tmp_path_factory) -> tuple[str, Path]:
    """A shared store created and migrated by store.connection.connect, once per session: (its PostgreSQL database,
    its data folder), the template `lake_url` copies."""
    folder = tmp_path_factory.mktemp("lake-template") / "lake-data"
    url = "ducklake:postgres:" + postgres.createdb("lake_template")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("UNCT_DATA_PATH", str(folder))
        store.connection.connect(url).close()
    return "lake_template", folder


@pytest.fixture
def lake_url(postgres, new_lake, tmp_path, monkeypatch) -> str:
    """A new, empty shared store: DuckLake with its catalog in a new PostgreSQL database and its data folder
    ($UNCT_DATA_PATH) in tmp_path — a copy of `new_lake` (catalog and folder copied, the catalog's data path set to
    the copy): creating and migrating a store costs 10-20 s, copying one a fraction of a second."""
    template, template_folder = new_lake
    folder = tmp_path / "lake-data"
    shutil.copytree(template_folder, folder)
    name = "t" + uuid.uuid4().hex[:12]
    url = "ducklake:postgres:" + postgres.createdb(name, template=template)
    postgres.psql(f"UPDATE ducklake_metadata SET value = '{folder}/' WHERE key = 'data_path'", db=name)
    monkeypatch.setenv("UNCT_DATA_PATH", str(folder))
    return url


@pytest.fixture(params=["file", "ducklake"])
def store_target(request, tmp_path) -> str:
    """A new, empty store of each kind the dashboard runs on: the embedded DuckDB file, DuckLake on PostgreSQL."""
    return str(tmp_path / "store.duckdb") if request.param == "file" else request.getfixturevalue("lake_url")
