import json
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from typer.testing import CliRunner

from hearth.cli import app
from hearth.errors import StoreError
from hearth.store.migrate import MIGRATIONS

runner = CliRunner()
HEAD = ScriptDirectory(str(MIGRATIONS)).get_current_head()

GOOD = (
    '{"platform":"discord","source_id":"%s","kind":"message.posted",'
    '"occurred_at":"2024-01-01T10:00:00Z","actor":{"external_id":"%s","handle":"%s"}}'
)


def write_lines(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_import_jsonl_reports_bad_lines_and_keeps_good_ones(db_url: str, tmp_path: Path) -> None:
    path = write_lines(
        tmp_path / "acts.jsonl",
        [
            GOOD % ("m1", "1", "alice"),
            "{not json",
            GOOD % ("m2", "2", "bob"),
            GOOD.replace("2024-01-01T10:00:00Z", "yesterday") % ("m3", "2", "bob"),
            GOOD.replace("message.posted", "message.shouted") % ("m4", "2", "bob"),
            '{"platform":"discord","source_id":"m5","kind":"message.posted",'
            '"occurred_at":"2024-01-01T10:00:00Z"}',
            GOOD % ("m6", "1", "alice"),
        ],
    )
    result = runner.invoke(app, ["--db", db_url, "import", "jsonl", str(path)])
    assert result.exit_code == 1, result.output
    output = result.output
    assert "Imported 3, duplicates 0, rejected 4." in output
    assert f"{path}, line 2: not valid JSON" in output
    assert f"{path}, line 4, field 'occurred_at'" in output
    assert f"{path}, line 5, field 'kind': 'message.shouted' is not a registered" in output
    assert f"{path}, line 6, field 'actor'" in output

    again = runner.invoke(app, ["--db", db_url, "import", "jsonl", str(path)])
    assert "Imported 0, duplicates 3, rejected 4." in again.output

    exported = runner.invoke(app, ["--db", db_url, "export", "members", "--format", "jsonl"])
    assert exported.exit_code == 0, exported.output
    rows = [json.loads(line) for line in exported.stdout.splitlines()]
    counts = {r["display_name"]: r["activity_counts"] for r in rows}
    assert counts == {"alice": {"message.posted": 2}, "bob": {"message.posted": 1}}
    keys = {
        "member_id",
        "display_name",
        "identities",
        "points",
        "achievements",
        "tier",
        "activity_counts",
    }
    assert all(keys <= set(r) for r in rows)
    assert rows[0]["identities"][0] == {
        "platform": "discord",
        "external_id": "1",
        "handle": "alice",
        "names": ["alice"],
    }


def test_clean_import_exits_zero(db_url: str, tmp_path: Path) -> None:
    path = write_lines(tmp_path / "ok.jsonl", [GOOD % ("m1", "1", "alice")])
    result = runner.invoke(app, ["--db", db_url, "import", "jsonl", str(path)])
    assert result.exit_code == 0, result.output


def test_not_utf8_is_a_clear_error(db_url: str, tmp_path: Path) -> None:
    path = tmp_path / "latin1.jsonl"
    path.write_bytes((GOOD % ("m1", "1", "al\xe9")).encode("latin-1") + b"\n")
    result = runner.invoke(app, ["--db", db_url, "import", "jsonl", str(path)])
    assert result.exit_code == 1
    assert "not UTF-8 text" in result.output


def test_member_commands(db_url: str, tmp_path: Path) -> None:
    path = write_lines(
        tmp_path / "a.jsonl", [GOOD % ("m1", "1", "alice"), GOOD % ("m2", "2", "al")]
    )
    runner.invoke(app, ["--db", db_url, "import", "jsonl", str(path)])
    listed = runner.invoke(app, ["--db", db_url, "member", "list"])
    assert "alice" in listed.output
    merged = runner.invoke(app, ["--db", db_url, "member", "merge", "2", "1", "--reason", "alt"])
    assert merged.exit_code == 0 and "merge 1" in merged.output
    undone = runner.invoke(app, ["--db", db_url, "member", "unmerge", "1"])
    assert undone.exit_code == 0
    flagged = runner.invoke(app, ["--db", db_url, "member", "flag", "2", "--staff"])
    assert flagged.exit_code == 0


def test_errors_are_messages_not_tracebacks(tmp_path: Path) -> None:
    missing_db = f"sqlite:///{tmp_path}/nothing-here.db"
    result = runner.invoke(app, ["--db", missing_db, "export", "members"])
    assert result.exit_code != 0
    assert isinstance(result.exception, Exception)
    from hearth.errors import StoreError

    assert isinstance(result.exception, StoreError)
    assert "hearth init" in str(result.exception)


def test_main_maps_errors_to_exit_code_2(tmp_path: Path) -> None:
    import subprocess
    import sys

    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            "from hearth.cli import main; main()",
            "--db",
            f"sqlite:///{tmp_path}/none.db",
            "import",
            "jsonl",
            str(tmp_path / "nope.jsonl"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "Error:" in proc.stderr


def test_init_is_idempotent(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/h.db"
    for _ in range(2):
        result = runner.invoke(app, ["--db", url, "init"])
        assert result.exit_code == 0
        assert f"(schema {HEAD})" in result.output


def test_commands_refuse_a_database_whose_schema_is_not_current(tmp_path: Path) -> None:
    from sqlalchemy import text

    from hearth.store import migrate
    from hearth.store.db import create_engine

    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = create_engine(url)
    migrate.upgrade(engine, "0014")  # a database an older Hearth left behind
    result = runner.invoke(app, ["--db", url, "member", "list"])
    # a StoreError: main() prints it as one line and exits with 2
    assert isinstance(result.exception, StoreError), result.output
    assert "revision 0014" in str(result.exception) and "hearth init" in str(result.exception)
    assert runner.invoke(app, ["--db", url, "init"]).exit_code == 0
    assert runner.invoke(app, ["--db", url, "member", "list"]).exit_code == 0
    with engine.begin() as conn:  # as if a newer Hearth had upgraded it
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    result = runner.invoke(app, ["--db", url, "member", "list"])
    assert isinstance(result.exception, StoreError), result.output
    assert "revision 9999" in str(result.exception) and "newer Hearth" in str(result.exception)


def test_ctrl_c_says_what_is_kept_and_exits_130(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import sys

    import hearth.cli
    from hearth.store import migrate

    def interrupted(*_args: object, **_kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(migrate, "upgrade", interrupted)
    monkeypatch.setattr(sys, "argv", ["hearth", "--db", f"sqlite:///{tmp_path / 'h.db'}", "init"])
    with pytest.raises(SystemExit) as exited:
        hearth.cli.main()
    assert exited.value.code == 130
    assert "Interrupted. Everything committed so far is kept" in capsys.readouterr().err
