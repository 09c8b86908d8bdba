"""The ladder's proposals, automod, and business-hours arithmetic (pure)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from hearth.domain.business_hours import Schedule, add_business_time, business_time_between
from hearth.domain.moderation import Strike, active_strikes, automod_hits, propose
from hearth.playbooks.loader import load_playbook

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)


def test_phoenix_ladder_warning_then_temporary_then_permanent() -> None:
    moderation = load_playbook("phoenix").moderation
    first = propose(moderation, [], NOW)
    assert (first.violation, first.action) == (1, "warning")
    second = propose(moderation, [Strike(NOW - timedelta(days=3))], NOW)
    assert (second.violation, second.action, second.duration) == (
        2,
        "temporary_ban",
        timedelta(days=7),
    )
    third = propose(moderation, [Strike(NOW - timedelta(days=3))] * 2, NOW)
    assert third.action == "permanent_ban"
    assert propose(moderation, [Strike(NOW)] * 5, NOW).action == "permanent_ban"
    assert propose(moderation, [], NOW, severe=True).action == "permanent_ban"
    # an old strike (phoenix: 180 days) or one set aside on appeal no longer counts
    assert propose(moderation, [Strike(NOW - timedelta(days=200))], NOW).action == "warning"
    assert propose(moderation, [Strike(NOW, voided=True)], NOW).action == "warning"
    assert active_strikes([Strike(NOW - timedelta(days=1)), Strike(NOW, True)], NOW, None) == 1


def test_automod_rules() -> None:
    rules = load_playbook("phoenix").moderation.automod
    hits = automod_hits(rules, "join us https://discord.gg/abc")
    assert [r.key for r in hits] == ["invite_links"]
    assert automod_hits(rules, "see https://discord.com/invite/x")[0].key == "invite_links"
    assert automod_hits(rules, "see https://discord.com/channels/1") == []
    burst = [NOW - timedelta(seconds=s) for s in range(7)]
    assert [r.key for r in automod_hits(rules, "hi", burst, NOW)] == ["spam"]
    assert automod_hits(rules, "hi", burst[:6], NOW) == []


WEEKDAYS = Schedule(
    timezone="Europe/Berlin", start=time(9), end=time(17), holidays=frozenset({date(2026, 12, 25)})
)


def test_business_hours_skip_nights_weekends_and_holidays() -> None:
    friday_4pm = datetime(2026, 3, 6, 15, tzinfo=UTC)  # 16:00 in Berlin (CET)
    assert add_business_time(friday_4pm, timedelta(hours=2), WEEKDAYS) == datetime(
        2026, 3, 9, 9, tzinfo=UTC
    )  # Monday 10:00 Berlin
    saturday = datetime(2026, 3, 7, 10, tzinfo=UTC)
    assert add_business_time(saturday, timedelta(hours=1), WEEKDAYS) == datetime(
        2026, 3, 9, 9, tzinfo=UTC
    )
    christmas_eve = datetime(2026, 12, 24, 15, tzinfo=UTC)  # 16:00 Thursday; Friday is off
    assert add_business_time(christmas_eve, timedelta(hours=2), WEEKDAYS) == datetime(
        2026, 12, 28, 9, tzinfo=UTC
    )
    assert business_time_between(friday_4pm, datetime(2026, 3, 9, 9, tzinfo=UTC), WEEKDAYS) == (
        timedelta(hours=2)
    )
    # across the change to summer time (29 March 2026), still 8 working hours a day
    assert business_time_between(
        datetime(2026, 3, 27, 0, tzinfo=UTC), datetime(2026, 3, 31, 0, tzinfo=UTC), WEEKDAYS
    ) == timedelta(hours=16)
    assert add_business_time(saturday, timedelta(hours=3), None) == saturday + timedelta(hours=3)
    with pytest.raises(ValueError):
        Schedule(start=time(17), end=time(9))
