"""Test fixtures: a fresh, migrated database per test, on SQLite and on PostgreSQL.

PostgreSQL is required: when it cannot be started the tests that need it fail (they do not
skip), unless ``HEARTH_TEST_POSTGRES=skip`` is set for a quick local run.
"""

from __future__ import annotations

import importlib
import itertools
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from hearth.store import migrate
from hearth.store.db import create_engine
from tests import postgres_server

# The suite reads English whatever the machine's locale: the CLI takes its language from these
# (hearth.i18n.environment_language) when it is imported, and so do the commands it starts.
for _variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
    os.environ.pop(_variable, None)
os.environ["LANGUAGE"] = "en"

REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = (REPO.parent / "shared" / "data").resolve()
BACKENDS = ["sqlite", "postgresql"]
_counter = itertools.count()


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.fail(f"the real test data is missing: expected {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture(scope="session")
def pg_server() -> Iterator[postgres_server.PostgresServer]:
    if os.environ.get("HEARTH_TEST_POSTGRES") == "skip":
        pytest.skip("PostgreSQL tests skipped by HEARTH_TEST_POSTGRES=skip")
    try:
        server = postgres_server.start()
    except postgres_server.PostgresUnavailable as exc:
        pytest.fail(f"PostgreSQL could not be started: {exc}")
    try:
        engine = create_engine(server.url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text("CREATE DATABASE hearth_template"))
        engine.dispose()
        template = create_engine(server.url_for("hearth_template"))
        migrate.upgrade(template)
        template.dispose()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = create_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


def _new_database_url(request: pytest.FixtureRequest, backend: str, tmp_path: Path) -> str:
    if backend == "sqlite":
        template = request.getfixturevalue("sqlite_template")
        path = tmp_path / "hearth.db"
        shutil.copyfile(template, path)
        return f"sqlite:///{path}"
    server = request.getfixturevalue("pg_server")
    name = f"t{os.getpid()}_{next(_counter)}"
    admin = create_engine(server.url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name} TEMPLATE hearth_template"))
    admin.dispose()
    return server.url_for(name)


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of a fresh, migrated database (SQLite and PostgreSQL)."""
    return _new_database_url(request, request.param, tmp_path)


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """An engine on a fresh, migrated database (SQLite and PostgreSQL)."""
    eng = create_engine(db_url)
    yield eng
    eng.dispose()


@pytest.fixture
def cli_width(monkeypatch: pytest.MonkeyPatch) -> Callable[[int], None]:
    """Set the width the CLI's consoles print tables at. Rich reads ``COLUMNS`` when a console
    is made (at import) and pytest-xdist's workers set it to 80, so an ``env`` given to
    ``CliRunner.invoke`` does not reach it."""
    cli_app = importlib.import_module("hearth.cli.app")  # the module: hearth.cli.app is the app

    def set_width(columns: int) -> None:
        for console in (cli_app.out, cli_app.err):
            monkeypatch.setattr(console, "_width", columns)

    return set_width
