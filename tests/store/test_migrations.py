from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine

from hearth.store import migrate
from hearth.store.tables import metadata


def test_migrations_match_the_tables(engine: Engine) -> None:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, metadata) == []


def test_database_is_at_head(engine: Engine) -> None:
    assert migrate.current_revision(engine) == migrate.head_revision(engine)


def test_sqlite_runs_in_wal_mode(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        return
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
