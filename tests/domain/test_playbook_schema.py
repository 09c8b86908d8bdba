"""The playbook schema, ``where`` clauses, durations and amounts: pure, plain data."""

from __future__ import annotations

import typing
from datetime import date, timedelta
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from hearth.domain.playbook import (
    Playbook,
    PlaybookInvalid,
    compile_amount,
    compile_where,
    format_duration,
    parse_duration,
    parse_playbook,
    resolve_amount,
    rolling_window,
)
from hearth.domain.playbook.schema import AmountFrom, Effective, Rule

BASE: dict[str, Any] = {"name": "demo", "title": "Demo", "version": 1}


def playbook(**sections: Any) -> Playbook:
    return parse_playbook({**BASE, **sections})


def errors(data: dict[str, Any]) -> list[tuple[tuple[Any, ...], str, str]]:
    with pytest.raises(ValidationError) as info:
        parse_playbook({**BASE, **data})
    return [(e["loc"], e["type"], str(e["msg"])) for e in info.value.errors()]


def rule(**fields: Any) -> dict[str, Any]:
    return {"key": "r", "name": "R", "when": {"kind": "answer.posted"}, "points": 10, **fields}


# -- durations ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30d", timedelta(days=30)),
        ("2h", timedelta(hours=2)),
        ("1w", timedelta(weeks=1)),
        ("90m", timedelta(minutes=90)),
        ("45s", timedelta(seconds=45)),
        ("1h30m", timedelta(hours=1, minutes=30)),
        ("1d12h", timedelta(days=1, hours=12)),
    ],
)
def test_durations_parse(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["3mo", "1M", "1month", "2 months", "1y", "1year"])
def test_months_and_years_are_refused_with_the_reason(text: str) -> None:
    with pytest.raises(ValueError, match="months and years are not allowed as durations"):
        parse_duration(text)


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("10", "expected a duration such as 30d"),
        ("", "expected a duration"),
        ("30x", "unknown unit 'x'"),
        ("1h1h", "given twice"),
        ("30m1h", "largest unit first"),
        ("0d", "longer than zero"),
        ("d", "expected a duration"),
    ],
)
def test_bad_durations_say_why(text: str, why: str) -> None:
    with pytest.raises(ValueError, match=why):
        parse_duration(text)


def test_durations_format_back() -> None:
    for text in ["30d", "2h", "1w", "90m", "1d12h", "2w", "45s"]:
        assert parse_duration(format_duration(parse_duration(text))) == parse_duration(text)
    assert format_duration(timedelta(days=30)) == "30d"
    assert format_duration(timedelta(days=14)) == "2w"
    assert format_duration(timedelta(minutes=90)) == "1h30m"


# -- where clauses ----------------------------------------------------------------------------


def test_equality_and_type_strictness() -> None:
    match = compile_where({"vote_type": "up", "accepted": True, "count": 1})
    assert match({"vote_type": "up", "accepted": True, "count": 1})
    assert not match({"vote_type": "down", "accepted": True, "count": 1})
    assert not match({"vote_type": "up", "accepted": 1, "count": 1})  # 1 is not true
    assert not match({"vote_type": "up", "accepted": True, "count": True})  # nor true 1
    assert not match({"vote_type": "up", "count": 1})  # missing


def test_every_operator() -> None:
    cases: list[tuple[dict[str, Any], dict[str, Any], bool]] = [
        ({"c": {"in": ["a", "b"]}}, {"c": "a"}, True),
        ({"c": {"in": ["a", "b"]}}, {"c": "z"}, False),
        ({"c": {"in": ["a", "b"]}}, {}, False),
        ({"c": {"not_in": ["a"]}}, {"c": "b"}, True),
        ({"c": {"not_in": ["a"]}}, {}, True),
        ({"c": {"not_in": ["a"]}}, {"c": "a"}, False),
        ({"s": {"gte": 10}}, {"s": 10}, True),
        ({"s": {"gt": 10}}, {"s": 10}, False),
        ({"s": {"lte": 10}}, {"s": 10.0}, True),
        ({"s": {"lt": 10}}, {"s": 9}, True),
        ({"s": {"gte": 1}}, {"s": "5"}, False),  # text is not a number
        ({"s": {"gte": 1}}, {"s": True}, False),  # nor is a boolean
        ({"s": {"gte": 1, "lt": 3}}, {"s": 2}, True),
        ({"s": {"gte": 1, "lt": 3}}, {"s": 3}, False),
        ({"x": {"ne": True}}, {"x": False}, True),
        ({"x": {"ne": True}}, {}, True),
        ({"x": {"ne": True}}, {"x": True}, False),
        ({"x": {"exists": True}}, {"x": 0}, True),
        ({"x": {"exists": True}}, {"x": None}, False),
        ({"x": {"exists": False}}, {}, True),
        ({"x": {"exists": False}}, {"x": "y"}, False),
        ({"labels": {"contains": "bug"}}, {"labels": ["bug", "ui"]}, True),
        ({"labels": {"contains": "bug"}}, {"labels": ["debug"]}, False),
        ({"channel": {"contains": "quick-help"}}, {"channel": "🆘-quick-help"}, True),
        ({"channel": {"contains": "quick-help"}}, {"channel": 7}, False),
        ({"labels": {"contains": "bug"}}, {}, False),
    ]
    for where, properties, expected in cases:
        assert compile_where(where)(properties) is expected, (where, properties)


def test_special_keys_test_the_activity_itself() -> None:
    match = compile_where({"platform": "discord", "target_type": {"in": ["thread", "post"]}})
    assert match({}, "discord", "thread")
    assert not match({}, "github", "thread")
    assert not match({"platform": "discord", "target_type": "thread"}, "github", "thread")
    assert not match({}, "discord", None)
    assert compile_where({"target_type": {"exists": False}})({}, "discord", None)


def test_an_empty_clause_matches_everything() -> None:
    assert compile_where({})({"anything": 1})
    assert compile_where(None)({})


@pytest.mark.parametrize(
    ("where", "why"),
    [
        ({"c": {"inn": ["a"]}}, "unknown operator 'inn'"),
        ({"c": {}}, "at least one operator"),
        ({"c": {"in": "a"}}, "expected a list of values"),
        ({"c": {"gte": "10"}}, "expected a number"),
        ({"c": {"gte": True}}, "expected a number"),
        ({"c": {"exists": "yes"}}, "expected true or false"),
        ({"c": ["a", "b"]}, "or operators such as"),
        ({"c": None}, "expected a value"),
    ],
)
def test_malformed_clauses_are_refused(where: dict[str, Any], why: str) -> None:
    with pytest.raises(ValueError, match=why):
        compile_where(where)


# -- amounts --------------------------------------------------------------------------------


def amount(data: Any) -> int | AmountFrom:
    validated = Rule.model_validate(rule(points=data)).points
    assert isinstance(validated, int | AmountFrom)
    return validated


def test_fixed_and_mapped_amounts() -> None:
    assert resolve_amount(amount(10), {}) == 10
    assert resolve_amount(amount(-2), {"x": 1}) == -2
    severity = amount({"from": "severity", "map": {"low": 50, "critical": 500}, "default": 50})
    fn = compile_amount(severity)
    assert fn({"severity": "critical"}) == 500
    assert fn({"severity": "low"}) == 50
    assert fn({"severity": "unheard-of"}) == 50
    assert fn({}) == 50
    no_default = compile_amount(amount({"from": "severity", "map": {"low": 50}}))
    assert no_default({"severity": "high"}) is None
    assert no_default({}) is None


def test_amounts_from_a_property_value() -> None:
    bounty = compile_amount(amount({"from": "bounty_amount"}))
    offered = compile_amount(amount({"from": "bounty_amount", "negate": True}))
    assert bounty({"bounty_amount": 50}) == 50
    assert offered({"bounty_amount": 50}) == -50
    assert bounty({"bounty_amount": 50.0}) == 50
    assert bounty({"bounty_amount": "50"}) is None  # text is not an amount
    assert bounty({"bounty_amount": True}) is None
    assert bounty({}) is None
    views = compile_amount(amount({"from": "views", "default": 0}))
    assert views({}) == 0


def test_map_keys_keep_their_type() -> None:
    by_flag = compile_amount(amount({"from": "flag", "map": {True: 5}}))
    by_number = compile_amount(amount({"from": "flag", "map": {1: 7}}))
    assert by_flag({"flag": True}) == 5
    assert by_flag({"flag": 1}) is None  # 1 is not true
    assert by_number({"flag": 1}) == 7
    assert by_number({"flag": True}) is None
    assert by_number({"flag": [1]}) is None


# -- the schema ---------------------------------------------------------------------------------


def test_a_minimal_playbook_and_its_defaults() -> None:
    book = playbook()
    assert book.points.starting_balance == 0
    assert book.points.floor is None
    assert book.achievements == []
    assert book.targets.health == []


def test_one_kind_or_a_list_and_kinds_are_registered() -> None:
    book = playbook(points={"rules": [rule(when={"kind": "answer.posted"})]})
    assert book.points.rules[0].when is not None
    assert book.points.rules[0].when.kind == ["answer.posted"]
    found = errors({"points": {"rules": [rule(when={"kind": ["answer.posted", "pr.mergd"]})]}})
    assert found == [
        (
            ("points", "rules", 0, "when", "kind", 1),
            "value_error",
            "Value error, 'pr.mergd' is not a registered activity kind; did you mean 'pr.merged'?",
        )
    ]


def test_where_conditions_are_checked_where_they_are() -> None:
    found = errors(
        {
            "points": {
                "rules": [
                    rule(
                        when={
                            "kind": "vote.cast",
                            "where": {
                                "vote_type": {"inn": ["up"]},
                                "score": {"gte": "1"},
                                "tags": ["a"],
                            },
                        }
                    )
                ]
            }
        }
    )
    locs = {loc: kind for loc, kind, _msg in found}
    base = ("points", "rules", 0, "when", "where")
    assert locs == {
        (*base, "vote_type", "operators", "inn"): "extra_forbidden",
        (*base, "score", "operators", "gte"): "value_error",
        (*base, "tags", "value"): "value_error",
    }


def test_where_clause_round_trips_to_a_predicate() -> None:
    book = playbook(
        points={
            "rules": [
                rule(
                    when={
                        "kind": "vote.cast",
                        "where": {
                            "vote_type": {"in": ["up", "down"]},
                            "community_wiki": {"ne": True},
                        },
                    }
                )
            ]
        }
    )
    when = book.points.rules[0].when
    assert when is not None
    assert when.where_clause() == {
        "vote_type": {"in": ["up", "down"]},
        "community_wiki": {"ne": True},
    }
    match = compile_where(when.where_clause())
    assert match({"vote_type": "up"})
    assert not match({"vote_type": "up", "community_wiki": True})
    assert when.predicate()({"vote_type": "down", "community_wiki": False})
    assert not when.predicate()({"vote_type": "bounty_start"})


def test_rules_need_exactly_one_trigger_and_a_fitting_recipient() -> None:
    both = rule(on_help={})
    assert "exactly one of 'when'" in errors({"points": {"rules": [both]}})[0][2]
    neither = {k: v for k, v in rule().items() if k != "when"}
    assert "exactly one of 'when'" in errors({"points": {"rules": [neither]}})[0][2]
    wrong = rule(to="helper")
    assert "to: expected actor or target_owner" in errors({"points": {"rules": [wrong]}})[0][2]
    book = playbook(
        points={
            "rules": [
                {"key": "h", "name": "H", "on_help": {"newcomer_within": "30d"}, "points": 15}
            ]
        },
        helped=[
            {
                "key": "t",
                "when": {"kind": "thanks.given"},
                "helper": "target_owner",
                "helped": "actor",
            }
        ],
    )
    help_rule = book.points.rules[0]
    assert help_rule.recipient == "helper"
    assert help_rule.on_help is not None
    assert help_rule.on_help.newcomer_within == timedelta(days=30)
    assert Rule.model_validate(rule()).recipient == "actor"


def test_unknown_fields_and_coercion_are_refused() -> None:
    found = errors({"versoin": 2, "points": {"rules": [rule(points="10", cooldwn="1h")]}})
    assert {(loc, kind) for loc, kind, _msg in found} == {
        (("versoin",), "extra_forbidden"),
        (("points", "rules", 0, "points", "fixed"), "int_type"),
        (("points", "rules", 0, "cooldwn"), "extra_forbidden"),
    }


def test_durations_in_the_schema() -> None:
    found = errors({"points": {"rules": [rule(cooldown="3mo")]}})
    assert found[0][0] == ("points", "rules", 0, "cooldown")
    assert "months and years are not allowed" in found[0][2]
    assert "bare number" in errors({"points": {"rules": [rule(cooldown=30)]}})[0][2]


def test_effective_dates() -> None:
    effective = Effective.model_validate({"from": date(2026, 1, 1), "until": date(2026, 2, 1)})
    assert effective.covers(date(2026, 1, 1))
    assert not effective.covers(date(2026, 2, 1))
    assert not effective.covers(date(2025, 12, 31))
    with pytest.raises(ValidationError, match="'until' must be after 'from'"):
        Effective.model_validate({"from": date(2026, 2, 1), "until": date(2026, 1, 1)})


def test_achievement_types_are_chosen_by_type() -> None:
    book = playbook(
        achievements=[
            {
                "key": "a",
                "name": "A",
                "type": "count",
                "match": {"kind": "pr.opened"},
                "at_least": 1,
            },
            {"key": "b", "name": "B", "type": "points_within", "window": "30d", "at_least": 100},
            {
                "key": "c",
                "name": "C",
                "type": "per_item",
                "match": {"kind": "vote.cast", "role": "target_owner"},
                "value": {"from": "vote_type", "map": {"up": 1, "down": -1}},
                "at_least": 10,
                "also_on_item": [
                    {"match": {"kind": "answer.posted"}, "item": "post_id", "first_response": True}
                ],
            },
            {"key": "d", "name": "D", "type": "manual"},
        ]
    )
    assert [type(a).__name__ for a in book.achievements] == [
        "CountAchievement",
        "PointsWithinAchievement",
        "PerItemAchievement",
        "ManualAchievement",
    ]
    found = errors({"achievements": [{"key": "x", "name": "X", "type": "cnt"}]})
    assert found[0][1] == "union_tag_invalid"
    found = errors(
        {
            "achievements": [
                {"key": "x", "name": "X", "type": "manual", "match": {"kind": "pr.opened"}}
            ]
        }
    )
    assert found[0][:2] == (("achievements", 0, "manual", "match"), "extra_forbidden")


def test_tiers() -> None:
    tier = {
        "key": "t",
        "name": "T",
        "requires": [{"type": "tenure", "at_least": "30d", "platform": "discord"}],
        "benefits": ["Badge", {"name": "Support ($500/year)", "budget_usd": 500, "per": "year"}],
        "grace": "30d",
    }
    book = playbook(tiers=[tier, {"key": "core", "name": "Core", "manual": True}])
    assert [b.name for b in book.tiers[0].benefits] == ["Badge", "Support ($500/year)"]
    assert book.tiers[0].benefits[1].budget_usd == 500
    assert book.tiers[0].grace == timedelta(days=30)
    manual_with_requires = {**tier, "manual": True}
    assert "a manual tier has no requirements" in errors({"tiers": [manual_with_requires]})[0][2]
    assert "expected 'requires'" in errors({"tiers": [{"key": "t", "name": "T"}]})[0][2]
    half_budget = {**tier, "benefits": [{"name": "x", "budget_usd": 5}]}
    assert "both 'budget_usd' and 'per'" in errors({"tiers": [half_budget]})[0][2]


def test_leaderboard_windows() -> None:
    board = {
        "key": "b",
        "name": "B",
        "measure": {"type": "points"},
        "windows": ["this_month", "30d"],
    }
    book = playbook(leaderboards=[board])
    assert [rolling_window(w) for w in book.leaderboards[0].windows] == [
        None,
        timedelta(days=30),
    ]
    found = errors({"leaderboards": [{**board, "windows": ["this_month", "1mo", "monthly"]}]})
    assert [loc[-1] for loc, _kind, _msg in found] == [1, 2]
    assert "for calendar months use this_month" in found[0][2]
    assert "expected this_week" in found[1][2]
    by_target = {**board, "group_by": "target"}
    assert "group_by: target needs a count measure" in errors({"leaderboards": [by_target]})[0][2]


def test_program_sections_check_their_numbers() -> None:
    line = {"key": "l", "name": "L", "usd": 10, "items": [{"name": "a", "usd": 4}]}
    assert "add up to 4, not 10" in errors({"budget": {"annual_usd": 10, "lines": [line]}})[0][2]
    assert (
        "add up to 5, not 10"
        in errors({"budget": {"annual_usd": 10, "lines": [{"key": "l", "name": "L", "usd": 5}]}})[
            0
        ][2]
    )
    bounty = {"key": "b", "name": "B", "rewards": [{"name": "x", "min_usd": 10}]}
    assert "min_usd and max_usd, or usd" in errors({"bounties": {"categories": [bounty]}})[0][2]
    reversed_range = {**bounty, "rewards": [{"name": "x", "min_usd": 10, "max_usd": 5}]}
    assert "greater than max_usd" in errors({"bounties": {"categories": [reversed_range]}})[0][2]
    step = {"action": "temporary_ban", "on_violation": 2}
    assert "needs a duration" in errors({"moderation": {"ladder": [step]}})[0][2]
    target = {"key": "k", "name": "K", "metric": "nps", "value": 50}
    assert "both 'comparison' and 'value'" in errors({"targets": {"health": [target]}})[0][2]
    count = {"key": "k", "name": "K", "metric": "activity_count"}
    assert "needs 'match'" in errors({"targets": {"health": [count]}})[0][2]


def test_references_and_duplicates_are_checked_with_their_location() -> None:
    with pytest.raises(PlaybookInvalid) as info:
        playbook(
            points={"rules": [rule(group="votes"), rule()]},
            achievements=[{"key": "h", "name": "H", "type": "helped", "at_least": 1}],
            tiers=[
                {
                    "key": "t",
                    "name": "T",
                    "requires": [{"type": "achievement", "achievement": "nope"}],
                }
            ],
            leaderboards=[
                {
                    "key": "b",
                    "name": "B",
                    "measure": {"type": "points", "rules": ["r", "zz"]},
                    "windows": ["all_time"],
                }
            ],
        )
    assert [(p.loc, p.message) for p in info.value.problems] == [
        (("points", "rules", 1, "key"), "duplicate key 'r'"),
        (("points", "rules", 0, "group"), "unknown cap group 'votes'; defined: none"),
        (("tiers", 0, "requires", 0, "achievement"), "unknown achievement 'nope'"),
        (("leaderboards", 0, "measure", "rules", 1), "unknown points rule 'zz'; defined: r"),
        (("helped",), "help is counted or paid, but no 'helped' rules define it"),
    ]


def _models(annotation: Any, found: list[type[BaseModel]]) -> None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if annotation not in found:
            found.append(annotation)
            for field in annotation.model_fields.values():
                _models(field.annotation, found)
        return
    for arg in typing.get_args(annotation):
        _models(arg, found)


def test_every_model_is_closed_and_every_field_described() -> None:
    models: list[type[BaseModel]] = []
    _models(Playbook, models)
    assert len(models) > 40
    for model in models:
        assert model.model_config.get("extra") == "forbid", model.__name__
        assert model.__doc__, model.__name__
        for name, field in model.model_fields.items():
            assert field.description, f"{model.__name__}.{name} has no description"
