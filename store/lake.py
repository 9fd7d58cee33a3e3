"""The shared store: DuckLake, its catalog in PostgreSQL (or SQLite), its rows in Parquet files.

`--db` / $UNCT_DB names it as `ducklake:postgres:dbname=unct host=… port=… user=…` (or `ducklake:sqlite:PATH`);
$UNCT_DATA_PATH is the folder of its Parquet files, needed when the store is created (the catalog keeps it).
Several processes, on several machines, read and write it at once: DuckLake checks at COMMIT whether another
process committed a conflicting change since the transaction began, and refuses the second. Every write
transaction bumps one row (`store_version`, store.transactions.write_transaction), so any two of them conflict:
the second is run again from its start on the newer data — as if the two had run one after the other.

DuckLake has no PRIMARY KEY, UNIQUE, indexes, sequences or list defaults: the schema is adapted (`ddl`) and the
keys are kept by the code (submission numbers from the log inside the serialised write transaction). Extensions
load from the pinned pip packages (duckdb-extension-ducklake, -postgres, -sqlite-scanner), never downloaded.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

import duckdb

from core.errors import DatabaseUnwritable, StoreUnavailable
from store import migrations
from store.transactions import is_conflict, write_transaction

PREFIX = "ducklake:"
#: catalog kind in the URL → the extension that reaches it (its name as DuckDB knows it), its pip package, and the
#: name of the extension file the package ships
CATALOGS = {
    "postgres": ("postgres_scanner", "duckdb_extension_postgres", "postgres"),
    "sqlite": ("sqlite_scanner", "duckdb_extension_sqlite_scanner", "sqlite_scanner"),
}
EXTENSIONS = [("ducklake", "duckdb_extension_ducklake", "ducklake"), *CATALOGS.values()]


def is_lake(target: object) -> bool:
    """Whether `target` (a --db value) names a DuckLake store rather than a DuckDB file."""
    return str(target).startswith(PREFIX)


def catalog_kind(url: str) -> str:
    """'postgres' or 'sqlite'; any other catalog is refused with the forms that work."""
    kind, _, rest = url[len(PREFIX) :].partition(":")
    if kind not in CATALOGS or not rest:
        raise StoreUnavailable(
            f"The store {describe(url)} is not one this release opens: use "
            "ducklake:postgres:dbname=… host=… port=… user=… or ducklake:sqlite:PATH."
        )
    return kind


def describe(url: str) -> str:
    """The store's URL as the user may read it: a password in it is masked."""
    return re.sub(r"(password\s*=\s*)[^\s\"']+", r"\1***", str(url))


# ---------------------------------------------------------------- extensions, offline


def extension_directory() -> Path:
    """A private DuckDB extension folder holding the pinned packages' files under the names DuckDB expects (the
    postgres package ships postgres.duckdb_extension; DuckDB checks the name compiled in, postgres_scanner).
    Filled once per DuckDB release by INSTALL of the local files: nothing is downloaded."""
    base = Path(
        os.environ.get("UNCT_EXTENSION_DIR")
        or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "unct" / "duckdb-extensions"
    )
    version = "v" + duckdb.__version__
    if all(next((base / version).glob(f"*/{name}.duckdb_extension"), None) for name, _, _ in EXTENSIONS):
        return base
    base.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=base) as staging:
        con = duckdb.connect(
            config={
                "autoinstall_known_extensions": False,
                "autoload_known_extensions": False,
                "extension_directory": str(base),
            }
        )
        try:
            for name, package, shipped in EXTENSIONS:
                try:
                    module = __import__(package)
                except ImportError:
                    continue  # an optional catalog (sqlite) whose package is not installed
                source = Path(str(module.__file__)).parent / "extensions" / version / f"{shipped}.duckdb_extension"
                presented = Path(staging) / f"{name}.duckdb_extension"
                shutil.copyfile(source, presented)
                con.execute(f"INSTALL {_literal(str(presented))}")
        finally:
            con.close()
    return base


def _config(read_only: bool = False) -> dict:
    return {
        "autoinstall_known_extensions": False,
        "autoload_known_extensions": False,
        "extension_directory": str(extension_directory()),
        **({"access_mode": "READ_ONLY"} if read_only else {}),
    }


# ---------------------------------------------------------------- connect

#: what DuckLake says when the catalog has no store yet
_NOT_CREATED = "data_path is not set"


def connect(url: str, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the shared store with its catalog as the default database (cursors see its tables unqualified),
    creating it when new (in $UNCT_DATA_PATH) and migrating it. (store.connection.connect locks it down.)"""
    kind = catalog_kind(url)
    if kind == "sqlite":
        Path(url.split(":", 2)[2]).parent.mkdir(parents=True, exist_ok=True)
    for attempt in range(3):
        try:
            con = _open(url, read_only)
        except duckdb.Error as exc:
            raise unreachable(exc, url) from None
        try:
            if not read_only:
                migrations.migrate(con, ddl)
            elif _value(con, "SELECT coalesce(max(version), 0) FROM schema_migrations") < migrations.SCHEMA_VERSION:
                raise DatabaseUnwritable(
                    f"The store {describe(url)} needs this release's schema changes, which "
                    "cannot be made read-only; open it once where it can be written."
                )
            return con
        except duckdb.Error as exc:
            con.close()
            if is_conflict(exc) and attempt < 2:  # another process created or migrated it meanwhile
                continue
            raise unreachable(exc, url) from exc
        except BaseException:
            con.close()
            raise
    raise AssertionError("unreachable")


def _open(url: str, read_only: bool) -> duckdb.DuckDBPyConnection:
    try:
        return duckdb.connect(url, config=_config(read_only))
    except duckdb.InvalidInputException as exc:
        if _NOT_CREATED not in str(exc) or read_only:
            raise
    create(url)
    return duckdb.connect(url, config=_config(read_only))


def create(url: str) -> None:
    """A new store: the catalog's tables, and the data folder ($UNCT_DATA_PATH) recorded in it."""
    folder = os.environ.get("UNCT_DATA_PATH")
    if not folder:
        raise StoreUnavailable(
            f"The store {describe(url)} is new: set UNCT_DATA_PATH to the folder for its data "
            "files (every process must reach it at the same path), then run again."
        )
    Path(folder).mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(config=_config())
    try:
        con.execute("LOAD ducklake")
        con.execute(f"LOAD {CATALOGS[catalog_kind(url)][0]}")
        con.execute(f"ATTACH {_literal(url)} AS lake (DATA_PATH {_literal(str(Path(folder).resolve()) + '/')})")
    finally:
        con.close()


def _literal(text: str) -> str:
    """A SQL string literal (ATTACH and INSTALL take no parameters)."""
    return "'" + text.replace("'", "''") + "'"


def data_path(con: duckdb.DuckDBPyConnection) -> Path:
    """The folder of the store's Parquet files, as its catalog records it."""
    name = _value(con, "SELECT current_database()").replace('"', '""')
    return Path(
        _value(
            con,
            f"""SELECT value FROM "__ducklake_metadata_{name}".ducklake_metadata
                                WHERE key = 'data_path'""",
        )
    )


def _value(con: duckdb.DuckDBPyConnection, sql: str) -> Any:
    """The value a query of one row and one column returns (an aggregate, a setting)."""
    row = con.execute(sql).fetchone()
    assert row is not None, sql
    return row[0]


def folders(con: duckdb.DuckDBPyConnection, url: str) -> tuple[Path, ...]:
    """The folders the store's connection may touch (store.connection.lock_down): its data folder, and a SQLite
    catalog's folder (SQLite writes its journal beside the file)."""
    catalog = (Path(url.split(":", 2)[2]).resolve().parent,) if catalog_kind(url) == "sqlite" else ()
    return (data_path(con), *catalog)


def unreachable(error: BaseException, url: str) -> StoreUnavailable:
    """The catalog cannot be reached or read: what the user reads (StoreUnavailable, exit code 4)."""
    first = describe(str(error).splitlines()[0] if str(error) else repr(error))  # it may quote the URL
    done = StoreUnavailable(
        f"The shared store {describe(url)} cannot be used: {first}. Check that its catalog is "
        "running and reachable from this machine."
    )
    done.__cause__ = error
    return done


def is_shared(con) -> bool:
    """Whether `con` is on a DuckLake store (written by other processes too)."""
    return (
        con.execute(
            "SELECT count(*) FROM duckdb_databases() WHERE database_name = current_database() AND type = 'ducklake'"
        ).fetchone()[0]
        > 0
    )


# ---------------------------------------------------------------- DDL for DuckLake

_DDL_REWRITES = (
    (re.compile(r",\s*PRIMARY KEY\s*\([^)]*\)", re.I), ""),
    (re.compile(r"\s+(PRIMARY KEY|UNIQUE)\b", re.I), ""),
    (re.compile(r"\s+DEFAULT\s+\[\]", re.I), ""),
)


def ddl(sql: str) -> str | None:
    """A schema statement as DuckLake takes it: no sequences (None: skipped), no PRIMARY KEY or UNIQUE (the code
    keeps those keys), no list defaults (the views read a missing list as empty)."""
    if re.match(r"\s*CREATE\s+SEQUENCE", sql, re.I):
        return None
    for pattern, replacement in _DDL_REWRITES:
        sql = pattern.sub(replacement, sql)
    return sql


# ---------------------------------------------------------------- migrate --to


class NotEmpty(RuntimeError):
    """The shared store named for a copy already holds data."""


#: rows a copy streams at a time (bounded memory, whatever the size of the database)
COPY_BATCH_ROWS = 200_000


def copy_into(source: duckdb.DuckDBPyConnection, con: duckdb.DuckDBPyConnection, url: str) -> dict[str, int]:
    """Copy an embedded database (`source`, migrated) into a new shared store (`con`, on `url`), in one
    transaction: every table — the current and replaced rows, the submission history, when rows were shown, the
    closed periods, the kept original files, accounts and entities — as it is. Returns the rows copied per table."""
    if _value(con, "SELECT count(*) FROM submission_log") or _value(con, "SELECT count(*) FROM users"):
        raise NotEmpty(
            f"The store {describe(url)} already holds submissions or accounts: copy into a new, empty "
            "store (a new PostgreSQL database, a new data folder)."
        )
    tables = [
        name
        for (name,) in source.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() "
            "AND schema_name = 'main' AND NOT temporary ORDER BY table_name"
        ).fetchall()
    ]

    def copy(con) -> dict[str, int]:
        counts = {}
        for table in tables:
            con.execute(f'DELETE FROM "{table}"')  # what creating the store seeded (entities, versions)
            reader = source.execute(f'SELECT * FROM "{table}"').fetch_record_batch(COPY_BATCH_ROWS)
            con.register("copied_rows", reader)
            try:
                counts[table] = con.execute(f'INSERT INTO "{table}" BY NAME SELECT * FROM copied_rows').fetchone()[0]
            finally:
                con.unregister("copied_rows")
        return counts

    return write_transaction(con, copy)
