import json
from collections.abc import Callable
from pathlib import Path

from typer.testing import CliRunner

from hearth.cli import app

runner = CliRunner()


def line(source: str, platform: str, actor: dict) -> str:
    return json.dumps(
        {
            "platform": platform,
            "source_id": source,
            "kind": "message.posted",
            "occurred_at": "2024-01-01T00:00:00Z",
            "actor": actor,
        }
    )


def test_suggest_then_merge_then_unmerge(
    db_url: str, tmp_path: Path, cli_width: Callable[[int], None]
) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text(
        "\n".join(
            [
                line("1", "github", {"external_id": "5512", "handle": "alice-l"}),
                line(
                    "2",
                    "git",
                    {
                        "external_id": "5512+alice-l@users.noreply.github.com",
                        "email": "5512+alice-l@users.noreply.github.com",
                        "display_name": "Alice L",
                    },
                ),
                line("3", "discord", {"external_id": "99", "handle": "carol"}),
            ]
        )
        + "\n"
    )
    assert runner.invoke(app, ["--db", db_url, "import", "jsonl", str(path)]).exit_code == 0
    result = runner.invoke(app, ["--db", db_url, "identities", "suggest", "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(x) for x in result.stdout.splitlines()]
    assert len(rows) == 1
    assert (rows[0]["member_a"], rows[0]["member_b"]) == (1, 2)
    assert rows[0]["evidence"][0]["kind"] == "github_noreply"
    cli_width(250)
    table = runner.invoke(app, ["--db", db_url, "identities", "suggest"])
    assert "GitHub no-reply address" in table.output
    # Nothing was merged by suggesting.
    export = runner.invoke(app, ["--db", db_url, "export", "members"])
    assert len(export.stdout.splitlines()) == 3
    assert runner.invoke(app, ["--db", db_url, "identities", "merge", "2", "1"]).exit_code == 0
    assert "No likely pairs" in runner.invoke(app, ["--db", db_url, "identities", "suggest"]).output
    assert runner.invoke(app, ["--db", db_url, "identities", "unmerge", "1"]).exit_code == 0
    export = runner.invoke(app, ["--db", db_url, "export", "members"])
    assert len(export.stdout.splitlines()) == 3
