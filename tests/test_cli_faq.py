import json
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hearth.cli import app

runner = CliRunner()


@pytest.fixture(autouse=True)
def _wide(cli_width: Callable[[int], None]) -> None:
    cli_width(200)


def run(db_url: str, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["--db", db_url, "faq", *args])
    return result.exit_code, result.output


def test_add_list_show_edit_ask_remove(db_url: str) -> None:
    code, output = run(
        db_url,
        "add",
        "My swap is stuck, what do I do?",
        "Keep the swap files.",
        "-k",
        "stuck swap",
        "-l",
        "https://example.org/swaps",
    )
    assert code == 0, output
    assert "Added FAQ entry 1." in output
    code, output = run(db_url, "list")
    assert code == 0 and "My swap is stuck" in output and "stuck swap" in output
    code, output = run(db_url, "edit", "1", "--answer", "Wait [4] hours.")
    assert code == 0, output
    code, output = run(db_url, "show", "1")
    assert "Wait [4] hours." in output  # never read as markup
    assert "https://example.org/swaps" in output
    code, output = run(db_url, "ask", "help, my swap is stuck")
    assert code == 0 and "#1 My swap is stuck" in output and "stuck swap" in output
    code, output = run(db_url, "ask", "good morning")
    assert "No FAQ entry matches" in output
    code, output = run(db_url, "remove", "1", "--yes")
    assert code == 0 and "Removed FAQ entry 1." in output
    code, output = run(db_url, "list")
    assert "No FAQ entries yet" in output


def test_import_yaml_and_json_round_trip(db_url: str, tmp_path: Path) -> None:
    source = tmp_path / "faq.yaml"
    source.write_text(
        "entries:\n"
        "  - question: How do I reset my password?\n"
        "    answer: Use the reset link.\n"
        "    keywords: [password, login]\n"
        "  - question: Which ports does the node need?\n"
        "    answer: 7770 and 7771.\n",
        encoding="utf-8",
    )
    code, output = run(db_url, "import", str(source))
    assert code == 0, output
    assert "2 added, 0 updated, 0 unchanged" in output
    code, output = run(db_url, "list", "--format", "json")
    exported = json.loads(output)
    assert [e["id"] for e in exported] == [1, 2]
    as_json = tmp_path / "faq.json"
    as_json.write_text(output, encoding="utf-8")
    code, output = run(db_url, "import", str(as_json))
    assert "0 added, 0 updated, 2 unchanged" in output


def test_errors_are_one_line_with_exit_status_2(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    from hearth.cli import main

    bad = tmp_path / "bad.yaml"
    bad.write_text("- question: Why?\n", encoding="utf-8")
    for args, message in (
        (["show", "42"], "There is no FAQ entry 42."),
        (["import", str(bad)], "bad.yaml, #1, field 'answer': Field required"),
        (["add", "", "x"], "field 'question'"),
    ):
        monkeypatch.setattr("sys.argv", ["hearth", "--db", db_url, "faq", *args])
        with pytest.raises(SystemExit) as exit_:
            main()
        assert exit_.value.code == 2
        assert message in capsys.readouterr().err
