import pytest

from hearth.errors import ConfigError
from hearth.settings import load_settings


def test_defaults_and_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HEARTH_DATABASE_URL", raising=False)
    assert load_settings().database_url == "sqlite:///./hearth.db"
    monkeypatch.setenv("HEARTH_DATABASE_URL", "postgresql://h@localhost/h")
    monkeypatch.setenv("HEARTH_PLAYBOOK", "atlas")
    settings = load_settings()
    assert settings.database_url == "postgresql://h@localhost/h"
    assert settings.playbook == "atlas"
    assert load_settings(database_url="sqlite:///x.db").database_url == "sqlite:///x.db"


def test_production_refuses_placeholder_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HEARTH_ENVIRONMENT", "production")
    monkeypatch.delenv("HEARTH_SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="HEARTH_SECRET_KEY"):
        load_settings()
    monkeypatch.setenv("HEARTH_SECRET_KEY", "k" * 32)
    assert load_settings().secret_key.get_secret_value() == "k" * 32
    assert "k" * 32 not in repr(load_settings())


def test_bad_database_url_is_a_config_error() -> None:
    from hearth.store.db import create_engine

    with pytest.raises(ConfigError, match="not valid"):
        create_engine("not a url")
    with pytest.raises(ConfigError, match="does not exist"):
        create_engine("sqlite:////no/such/folder/h.db")


def test_the_import_batch_size_is_the_ingests_own(monkeypatch: pytest.MonkeyPatch) -> None:
    from hearth.actions.ingest import BATCH_SIZE

    monkeypatch.delenv("HEARTH_INGEST_BATCH_SIZE", raising=False)
    assert load_settings().ingest_batch_size == BATCH_SIZE
