"""A private PostgreSQL cluster on a loopback port in a temporary folder, for the shared-store tests and bench/.

    with PostgresCluster() as pg:
        print(pg.dsn)          # 'dbname=unct host=127.0.0.1 port=54321 user=unct'
        pg.createdb("other")

Works as root (initdb and postgres refuse root: the folder is given to the `postgres` account and the
binaries run through `runuser -u postgres --`) and as any other user (runs them directly). Fails loudly,
naming what is missing, when the binaries are not there.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path


class PostgresMissing(RuntimeError):
    """The PostgreSQL server binaries are not installed (the tests need them: apt-get install postgresql)."""


def find_bindir() -> Path:
    """initdb/pg_ctl: $UNCT_PG_BINDIR, else `pg_config --bindir`, else the newest /usr/lib/postgresql/*/bin."""
    candidates = []
    if os.environ.get("UNCT_PG_BINDIR"):
        candidates.append(Path(os.environ["UNCT_PG_BINDIR"]))
    if shutil.which("pg_config"):
        out = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True)
        if out.returncode == 0:
            candidates.append(Path(out.stdout.strip()))
    candidates += [
        Path(p)
        for p in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]), reverse=True)
    ]
    for folder in candidates:
        if (folder / "initdb").exists() and (folder / "pg_ctl").exists() and (folder / "postgres").exists():
            return folder
    raise PostgresMissing(
        "PostgreSQL's server programs (initdb, pg_ctl, postgres) were not found in "
        f"{', '.join(map(str, candidates)) or 'pg_config --bindir or /usr/lib/postgresql/*/bin'}; "
        "install them (apt-get install postgresql) or set UNCT_PG_BINDIR"
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PostgresCluster:
    def __init__(self, user: str = "unct", dbname: str = "unct", base: str | None = None):
        self.bindir = find_bindir()
        self.user, self.dbname = user, dbname
        self.base = base
        self.folder: Path | None = None
        self.port = 0

    # runs as `postgres` when we are root: initdb and postgres refuse to run as root
    def _as_owner(self, argv: list[str]) -> list[str]:
        if os.geteuid() == 0:
            return ["runuser", "-u", self.owner, "--", *argv]
        return argv

    def _run(self, argv: list[str], **kw) -> subprocess.CompletedProcess:
        done = subprocess.run(self._as_owner(argv), capture_output=True, text=True, **kw)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(argv)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
        return done

    def start(self) -> PostgresCluster:
        self.folder = Path(tempfile.mkdtemp(prefix="unct-pg-", dir=self.base))
        self.owner = pwd.getpwuid(os.geteuid()).pw_name
        if os.geteuid() == 0:
            try:
                self.owner = pwd.getpwnam("postgres").pw_name
            except KeyError:
                raise PostgresMissing("running as root needs the 'postgres' account (initdb refuses root)") from None
            shutil.chown(self.folder, self.owner, self.owner)
            os.chmod(self.folder, 0o700)
        data, self.sockets = self.folder / "data", self.folder / "sock"
        self._run(
            [
                str(self.bindir / "initdb"),
                "-D",
                str(data),
                "-U",
                self.user,
                "--auth=trust",
                "--no-sync",
                "-E",
                "UTF8",
                "--locale=C",
            ]
        )
        self._run(["mkdir", str(self.sockets)])
        for _ in range(5):  # a port taken between free_port() and the start: try another
            self.port = free_port()
            opts = (
                f"-p {self.port} -k {self.sockets} -c listen_addresses=127.0.0.1 -c fsync=off "
                "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
            )
            done = subprocess.run(
                self._as_owner(
                    [
                        str(self.bindir / "pg_ctl"),
                        "-D",
                        str(data),
                        "-l",
                        str(self.folder / "server.log"),
                        "-o",
                        opts,
                        "-w",
                        "-t",
                        "30",
                        "start",
                    ]
                ),
                capture_output=True,
                text=True,
            )
            if done.returncode == 0:
                break
        else:
            raise RuntimeError(f"PostgreSQL did not start:\n{(self.folder / 'server.log').read_text()[-3000:]}")
        self.createdb(self.dbname)
        return self

    def createdb(self, name: str, template: str | None = None) -> str:
        """A new database (a copy of `template` when given); its connection string."""
        self._run(
            [
                str(self.bindir / "createdb"),
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                self.user,
                *(["-T", template] if template else []),
                name,
            ]
        )
        return self.dsn_for(name)

    def dsn_for(self, name: str) -> str:
        return f"dbname={name} host=127.0.0.1 port={self.port} user={self.user}"

    @property
    def dsn(self) -> str:
        return self.dsn_for(self.dbname)

    def psql(self, sql: str, db: str | None = None) -> str:
        return self._run(
            [
                str(self.bindir / "psql"),
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                self.user,
                "-d",
                db or self.dbname,
                "-At",
                "-c",
                sql,
            ]
        ).stdout

    def stop(self) -> None:
        if self.folder is None:
            return
        subprocess.run(
            self._as_owner(
                [str(self.bindir / "pg_ctl"), "-D", str(self.folder / "data"), "-m", "immediate", "-w", "stop"]
            ),
            capture_output=True,
            text=True,
        )
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
