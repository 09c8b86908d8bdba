"""``hearth metrics`` and ``hearth nps record``."""

import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from hearth.cli import app
from hearth.cli.metrics import parse_moment
from hearth.errors import InputError, NotFound

runner = CliRunner()

LINE = (
    '{"platform":"discourse","source_id":"%s","kind":"thread.%s","occurred_at":"2024-%sZ",'
    '"actor":{"external_id":"%s","handle":"%s"},"target":{"type":"thread","id":"%s"}}'
)


@pytest.fixture
def db(db_url: str, tmp_path: Path) -> str:
    rows = [
        LINE % ("t1", "started", "01-02T10:00:00", "1", "ann", "1"),
        LINE % ("p1", "replied", "01-02T11:00:00", "2", "ben", "1"),
        LINE % ("t2", "started", "02-02T10:00:00", "2", "ben", "2"),
        LINE % ("p2", "replied", "02-02T13:00:00", "1", "ann", "2"),
        LINE % ("s2", "solved", "02-03T10:00:00", "2", "ben", "2"),
    ]
    path = tmp_path / "forum.jsonl"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["--db", db_url, "import", "jsonl", str(path)])
    assert result.exit_code == 0, result.output
    return db_url


def test_metrics_json_has_the_documented_figures(db: str) -> None:
    result = runner.invoke(app, ["--db", db, "metrics", "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    first = report["time_to_first_response"]
    assert (first["threads"], first["responded"]) == (2, 2)
    assert first["median_hours"] == 2.0 and first["p90_hours"] == pytest.approx(2.8)
    assert report["response_rate"] == 1.0 and report["resolution_rate"] == 0.5
    assert report["members"]["total"] == 2
    assert report["members"]["new_by_month"]["2024-01"] == 2
    assert report["members"]["new_by_month"]["2024-02"] == 0
    assert report["bus_factor"] is None  # no contributions
    for key in ("time_to_close", "contributors", "activity", "popular_topics", "engagement",
                "content", "funnel", "nps", "growth_stages", "targets"):  # fmt: skip
        assert key in report


def test_metrics_period_and_platform_options(db: str) -> None:
    args = ["--db", db, "metrics", "--format", "json", "--since", "2024-02-01"]
    february = json.loads(runner.invoke(app, [*args, "--until", "2024-02-29"]).stdout)
    assert february["time_to_first_response"]["threads"] == 1
    assert february["period"]["until"] == "2024-03-01T00:00:00+00:00"  # the 29th included
    other = json.loads(runner.invoke(app, [*args, "--platform", "github"]).stdout)
    assert other["time_to_first_response"]["threads"] == 0
    bots = runner.invoke(app, [*args, "--include-bots"])
    assert json.loads(bots.stdout)["period"]["include_bots"] is True


def test_metrics_table_shows_each_metric_against_its_target(db: str) -> None:
    result = runner.invoke(app, ["--db", db, "metrics", "--targets", "atlas"])
    assert result.exit_code == 0, result.output
    assert "Against the atlas targets" in result.output
    assert "Time to first ticket reply" in result.output
    table = runner.invoke(app, ["--db", db, "metrics"])
    output = table.output
    assert "Time to first response (median)" in output
    assert "2.0 h" in output and "off target" in output and "no data" in output
    # the import ran the rules engine, so the tier step has figures (nobody holds a tier)
    assert "Onboarding funnel" in output and "became a champion" in output
    assert "not available yet" not in output


def test_a_bad_date_is_a_usage_error(db: str) -> None:
    result = runner.invoke(app, ["--db", db, "metrics", "--since", "last week"])
    assert result.exit_code == 2
    assert "2024-01-31" in result.output


def test_parse_moment() -> None:
    assert parse_moment(None) is None
    assert parse_moment("2024-01-31") == datetime(2024, 1, 31, tzinfo=UTC)
    assert parse_moment("2024-01-31", end=True) == datetime(2024, 2, 1, tzinfo=UTC)
    assert parse_moment("2024-01-31T12:30") == datetime(2024, 1, 31, 12, 30, tzinfo=UTC)
    assert parse_moment("2024-01-31T12:30+02:00") == datetime(2024, 1, 31, 10, 30, tzinfo=UTC)
    with pytest.raises(typer.BadParameter):
        parse_moment("31/01/2024")


def test_nps_record_and_the_score(db: str) -> None:
    for score in ("10", "9", "3"):
        result = runner.invoke(app, ["--db", db, "nps", "record", score, "--comment", "ok"])
        assert result.exit_code == 0, result.output
        assert "Recorded NPS answer" in result.output
    member = runner.invoke(app, ["--db", db, "nps", "record", "8", "--member", "1"])
    assert member.exit_code == 0, member.output
    report = json.loads(runner.invoke(app, ["--db", db, "metrics", "--format", "json"]).stdout)
    assert report["nps"]["answers"] == 4
    assert report["nps"]["score"] == 25.0


def test_nps_bad_score_and_unknown_member(db: str) -> None:
    bad = runner.invoke(app, ["--db", db, "nps", "record", "11"])
    assert isinstance(bad.exception, InputError)
    assert "from 0 to 10" in str(bad.exception)
    missing = runner.invoke(app, ["--db", db, "nps", "record", "5", "--member", "999"])
    assert isinstance(missing.exception, NotFound)


def test_bad_score_exits_2_with_a_message(db: str) -> None:
    proc = subprocess.run(
        [sys.executable, "-c", "from hearth.cli import main; main()", "--db", db,
         "nps", "record", "eleven"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert proc.returncode == 2
    assert "The score must be a whole number from 0 to 10, not 'eleven'." in proc.stderr


def test_metrics_json_and_table_show_ticket_satisfaction(db: str) -> None:
    from hearth.actions.context import Caller
    from hearth.actions.people import do_member_for
    from hearth.actions.tickets import check_open_ticket, check_rate_ticket, do_close_ticket
    from hearth.domain.activity import IdentityRef
    from hearth.playbooks.loader import load_playbook
    from hearth.store.db import create_engine

    engine = create_engine(db)
    try:
        member = do_member_for(engine, IdentityRef("discord", "7", handle="cy"))
        cy = Caller("cy", member_id=member)
        at = datetime(2024, 2, 5, 9, tzinfo=UTC)
        opened = check_open_ticket(engine, cy, load_playbook("phoenix"), "bug", "Hi", at=at)
        do_close_ticket(engine, cy, opened.id, "solved", at=at.replace(hour=10))
        check_rate_ticket(engine, cy, opened.id, 4)
    finally:
        engine.dispose()
    args = ["--db", db, "metrics", "--since", "2024-01-01", "--until", "2024-03-01"]
    report = json.loads(runner.invoke(app, [*args, "--format", "json"]).stdout)
    assert report["satisfaction"] == {"average": 4.0, "ratings": 1}
    assert "Ticket satisfaction: 4.0 of 5 (1 ratings)." in runner.invoke(app, args).output
