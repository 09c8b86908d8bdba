"""``hearth bot``: a missing or rejected token is a clear message and exit code 2."""

from __future__ import annotations

import sys

import discord
import pytest

from hearth.cli import main


def run(monkeypatch: pytest.MonkeyPatch, db_url: str, *args: str) -> int:
    monkeypatch.setattr(sys, "argv", ["hearth", "--db", db_url, *args])
    with pytest.raises(SystemExit) as exit_info:
        main()
    return int(exit_info.value.code or 0)


def test_missing_token(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], db_url: str
) -> None:
    monkeypatch.delenv("HEARTH_DISCORD_TOKEN", raising=False)
    monkeypatch.chdir("/")  # no .env
    assert run(monkeypatch, db_url, "bot") == 2
    assert "No Discord bot token: set HEARTH_DISCORD_TOKEN" in capsys.readouterr().err


def test_rejected_token(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], db_url: str
) -> None:
    async def reject(self: discord.Client, token: str) -> None:
        raise discord.LoginFailure("Improper token has been passed.")

    monkeypatch.setenv("HEARTH_DISCORD_TOKEN", "not-a-token")
    monkeypatch.setattr(discord.Client, "login", reject)
    monkeypatch.setattr("hearth.bot.runner.configure_logging", lambda: None)
    assert run(monkeypatch, db_url, "bot") == 2
    assert "Discord rejected the bot token" in capsys.readouterr().err
    assert run(monkeypatch, db_url, "discord", "plan") == 2
