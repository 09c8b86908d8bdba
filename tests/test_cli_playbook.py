"""``hearth playbook check`` and ``hearth playbook show``."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from hearth.cli import app

runner = CliRunner()


def test_check_a_shipped_playbook_prints_a_summary() -> None:
    result = runner.invoke(app, ["playbook", "check", "phoenix"])
    assert result.exit_code == 0, result.output
    assert "Phoenix Community (phoenix, version 1) is valid." in result.output
    assert (
        "7 points rules, 4 helped rules, 8 achievements, 4 tiers, 5 leaderboards, "
        "7 health targets, 1 support target." in result.output
    )
    for name in ("atlas", "stackexchange"):
        assert runner.invoke(app, ["playbook", "check", name]).exit_code == 0


def test_check_a_file_with_problems_lists_each_and_exits_1(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(
        "name: demo\ntitle: Demo\nversion: 1\nachievements:\n"
        "  - {key: a, name: A, type: count, match: {kind: pr.mergd}, at_least: 1}\n"
        "  - {key: b, name: B, type: points, at_lest: 5}\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["playbook", "check", str(path)])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines == [
        f"{path}:5:50: achievements[0].match.kind: 'pr.mergd' is not a registered activity "
        "kind; did you mean 'pr.merged'?",
        f"{path}:6:5: achievements[1].at_least: required field missing",
        f"{path}:6:37: achievements[1].at_lest: unknown field 'at_lest' (did you mean "
        "'at_least'?); expected one of: key, name, description, icon, type, at_least",
        "3 problems.",
    ]


def test_check_a_missing_file(tmp_path: Path) -> None:
    result = runner.invoke(app, ["playbook", "check", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 1
    assert "no such file, and not a shipped playbook (atlas, phoenix, stackexchange)" in (
        result.output
    )


def test_show_lists_the_rules_with_their_numbers() -> None:
    result = runner.invoke(app, ["playbook", "show", "phoenix"])
    assert result.exit_code == 0, result.output
    output = result.output
    assert "Phoenix Community (phoenix, version 1)" in output
    assert "answer_question: Answer a question: 10 points to the member who did it, for" in output
    assert "create_tutorial: Create a tutorial: 100 points" in output
    assert "points by severity (low 50," in output and "critical 500" in output
    assert "help_newcomer: Help a newcomer: 15 points to the helper" in output
    assert "🌟 Rising Star (rising_star): ≥ 100 points within 30d of joining" in output
    assert "🌱 Contributor (contributor): grace 30d" in output
    assert "member of discord for ≥ 30d" in output
    assert "🚀 Phoenix Core Team (core_team): granted by staff" in output
    assert "Response Time: first_response_time < 2 hours" in output
    assert "Discord Members: month 1: 100, month 3: 500, month 6: 2,000, month 12: 10,000" in (
        output
    )


def test_show_stackexchange_and_atlas() -> None:
    result = runner.invoke(app, ["playbook", "show", "stackexchange"])
    assert result.exit_code == 0, result.output
    assert "Points (start 1, floor 1)" in result.output
    assert "cap group votes: at most 200 a day" in result.output
    assert "−bounty_amount points to the member who did it" in result.output
    atlas = runner.invoke(app, ["playbook", "show", "atlas"])
    assert atlas.exit_code == 0, atlas.output
    assert "Support tickets: first response within 1d for ticket.opened" in atlas.output


def test_show_a_broken_file_reports_like_check(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("name: demo\ntitle: Demo\nversion: 1\ntiers: {}\n", encoding="utf-8")
    result = runner.invoke(app, ["playbook", "show", str(path)])
    assert result.exit_code == 1
    assert f"{path}:4:8: tiers: expected a list, got a mapping" in result.output
