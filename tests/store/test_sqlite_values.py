"""The SQLite write path stores values exactly as SQLAlchemy's column types would."""

import json
from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Column, Integer, MetaData, Table, create_engine, select

from hearth.store.db import sqlite_json, sqlite_time
from hearth.store.derived import decode_properties
from hearth.store.types import JSONType, UTCDateTime

_table = Table(
    "t", MetaData(), Column("id", Integer, primary_key=True),
    Column("at", UTCDateTime), Column("doc", JSONType),
)  # fmt: skip
_engine = create_engine("sqlite://")
_table.metadata.create_all(_engine)

zones = st.sampled_from([None, UTC, timezone(timedelta(hours=-5)), timezone(timedelta(hours=9))])
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)


@given(st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=zones))
def test_sqlite_time_is_the_text_sqlalchemy_stores(at: datetime) -> None:
    with _engine.begin() as conn:
        conn.execute(_table.delete())
        conn.execute(_table.insert().values(id=1, at=at))
        stored = conn.exec_driver_sql("SELECT at FROM t").scalar()
    assert sqlite_time(at) == stored


@given(json_values)
def test_sqlite_json_reads_back_as_the_same_value(value: object) -> None:
    with _engine.begin() as conn:
        conn.execute(_table.delete())
        conn.exec_driver_sql("INSERT INTO t (id, doc) VALUES (1, ?)", (sqlite_json(value),))
        assert conn.scalar(select(_table.c.doc)) == value


def test_sqlite_json_falls_back_for_what_orjson_refuses() -> None:
    assert sqlite_json({1: "a"}) == '{"1": "a"}'  # a non-string key, as json.dumps writes it
    assert sqlite_json({"n": 2**70}) == '{"n": 1180591620717411303424}'


def test_numbers_json_cannot_hold_become_null() -> None:
    assert sqlite_json({"a": float("nan"), "b": float("inf")}) == '{"a":null,"b":null}'


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers(min_value=-(2**80), max_value=2**80)
        | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
        max_leaves=12,
    )
)  # fmt: skip
def test_properties_decode_exactly_as_json_loads(value: object) -> None:
    """The rebuild's orjson decoder gives what json.loads gives, big integers included."""
    text = json.dumps(value)
    decoded = decode_properties(text)
    assert decoded == json.loads(text)
    assert json.dumps(decoded) == text  # the same types too (an int stays an int)


def test_properties_orjson_refuses_decode_through_json() -> None:
    assert decode_properties('{"n": NaN, "big": 1e400}')["big"] == float("inf")
    assert decode_properties('{"id": 123456789012345678901234567890}') == {
        "id": 123456789012345678901234567890
    }
