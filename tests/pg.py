"""A throw-away PostgreSQL server for the test-suite, from Debian's packages.

``tests/conftest.py`` starts one per test session (``initdb`` + ``pg_ctl`` in a temporary
directory, as the ``postgres`` user when running as root), unless ``CRISISBOT_TEST_PG_URL``
points at a server already running. Every test gets its own database, cloned from a migrated
template so each starts from the real schema in a few milliseconds.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path


def find_pg_bin() -> Path | None:
    """The directory holding initdb/pg_ctl (Debian keeps them out of PATH)."""
    on_path = shutil.which("initdb")
    if on_path:
        return Path(on_path).parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    return Path(candidates[0]).parent if candidates else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class PgServer:
    """A running cluster; ``url(db)`` gives a SQLAlchemy URL for one of its databases."""

    host: str
    port: int
    user: str
    datadir: Path | None = None
    bindir: Path | None = None
    run_as: str | None = None
    options: str = ""

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://{self.user}@{self.host}:{self.port}/{database}"

    def _run(self, *argv: str) -> None:
        command = list(argv)
        if self.run_as:
            command = ["runuser", "-u", self.run_as, "--", *command]
        subprocess.run(command, check=True, capture_output=True, text=True)

    def stop(self) -> None:
        if self.datadir and self.bindir:
            try:
                self._run(str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-m", "immediate", "stop")
            finally:
                shutil.rmtree(self.datadir.parent, ignore_errors=True)

    def pause(self) -> None:
        """Stop the server (fast shutdown: open sessions are cut), keeping its data."""
        assert self.datadir and self.bindir
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-m", "fast", "-w", "stop")

    def resume(self) -> None:
        """Start the server stopped by ``pause`` again, on the same port."""
        assert self.datadir and self.bindir
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-o", self.options, "-w",
                  "-l", str(self.datadir.parent / "server.log"), "start")

    def restart(self) -> None:
        """Stop and start the same cluster (used to test recovery from a database outage)."""
        assert self.datadir and self.bindir
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-m", "fast", "-w", "restart")


def start_pg() -> PgServer:
    """Start a private cluster on a free loopback port; raises RuntimeError when impossible."""
    bindir = find_pg_bin()
    if bindir is None:
        raise RuntimeError(
            "PostgreSQL is not installed (no initdb). `bash .ci/run` installs it from Debian's "
            "packages; or set CRISISBOT_TEST_PG_URL to a running server."
        )
    run_as = "postgres" if os.geteuid() == 0 else None
    base = Path(tempfile.mkdtemp(prefix="crisisbot-pg-"))
    datadir = base / "data"
    if run_as:
        shutil.chown(base, user=run_as)
    server = PgServer("127.0.0.1", _free_port(), "postgres", datadir, bindir, run_as)
    server._run(str(bindir / "initdb"), "-D", str(datadir), "-U", "postgres", "-A", "trust",
                "-E", "UTF8", "--no-sync")
    options = (f"-c listen_addresses=127.0.0.1 -c port={server.port} -c fsync=off "
               f"-c unix_socket_directories={base} -c max_connections=200")
    server.options = options
    server._run(str(bindir / "pg_ctl"), "-D", str(datadir), "-o", options, "-w",
                "-l", str(base / "server.log"), "start")
    return server


def server_from_url(url: str) -> PgServer:
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    return PgServer(parsed.host or "127.0.0.1", parsed.port or 5432, parsed.username or "postgres")
