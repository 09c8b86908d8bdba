"""A throwaway PostgreSQL server for the test session: initdb + pg_ctl on a free loopback port.

PostgreSQL refuses to run as root; when the tests run as root (as CI does) the server runs as
the ``postgres`` user through ``runuser``, in a folder that user owns.
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


class PostgresUnavailable(RuntimeError):
    pass


def _find_bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)
    return candidates[0] if candidates else None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class PostgresServer:
    folder: Path
    port: int
    user: str
    as_user: list[str]
    pg_ctl: str

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://{self.user}@127.0.0.1:{self.port}/postgres"

    def url_for(self, database: str) -> str:
        return f"postgresql+psycopg://{self.user}@127.0.0.1:{self.port}/{database}"

    def stop(self) -> None:
        subprocess.run(
            [
                *self.as_user,
                self.pg_ctl,
                "-D",
                str(self.folder / "data"),
                "-m",
                "immediate",
                "stop",
            ],
            capture_output=True,
            check=False,
        )
        shutil.rmtree(self.folder, ignore_errors=True)


def start() -> PostgresServer:
    initdb, pg_ctl = _find_bin("initdb"), _find_bin("pg_ctl")
    if not initdb or not pg_ctl:
        raise PostgresUnavailable("initdb/pg_ctl not found; install Debian's 'postgresql' package")
    folder = Path(tempfile.mkdtemp(prefix="hearth-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:
        runuser = shutil.which("runuser")
        if not runuser:
            raise PostgresUnavailable("running as root and 'runuser' is missing")
        as_user = [runuser, "-u", "postgres", "--"]
        shutil.chown(folder, user="postgres")
        folder.chmod(0o700)
    data = folder / "data"
    user = "hearth"
    result = subprocess.run(
        [
            *as_user,
            initdb,
            "-D",
            str(data),
            "-U",
            user,
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--no-locale",
            "--no-sync",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise PostgresUnavailable(f"initdb failed: {result.stderr.strip()}")
    # Another test worker (pytest-xdist) may take the free port between our finding it and
    # the server binding it: then try another.
    for _attempt in range(3):
        port = _free_port()
        failure = _pg_ctl_start(as_user, pg_ctl, data, folder, port)
        if failure is None:
            break
        if "already in use" not in failure:
            raise PostgresUnavailable(failure)
    else:
        raise PostgresUnavailable(failure)
    return PostgresServer(folder=folder, port=port, user=user, as_user=as_user, pg_ctl=pg_ctl)


def _pg_ctl_start(
    as_user: list[str], pg_ctl: str, data: Path, folder: Path, port: int
) -> str | None:
    """Start the server on ``port``; None, or what went wrong."""
    options = (
        f"-p {port} -c listen_addresses=127.0.0.1 -k {folder} -c fsync=off "
        "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
    )
    result = subprocess.run(
        [
            *as_user,
            pg_ctl,
            "-D",
            str(data),
            "-o",
            options,
            "-l",
            str(folder / "log"),
            "-w",
            "-t",
            "60",
            "start",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode == 0:
        return None
    log = (folder / "log").read_text() if (folder / "log").exists() else ""
    return f"pg_ctl start failed: {result.stderr.strip()} {log[-2000:]}"
