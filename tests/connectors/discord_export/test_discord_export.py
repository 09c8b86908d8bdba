"""The DiscordChatExporter connector: CSV and JSON mapping, bad input, the real Komodo export."""

from __future__ import annotations

import csv
import json
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from hearth.actions.context import Caller
from hearth.actions.export import access_member_export
from hearth.actions.ingest import ingest
from hearth.cli import app
from hearth.connectors.discord_export import json_stream
from hearth.connectors.discord_export.common import (
    BotRules,
    ExportOptions,
    Message,
    channel_from_path,
    load_timezone,
)
from hearth.connectors.discord_export.csv_export import (
    RowIds,
    parse_date,
    parse_reactions,
    read_csv,
)
from hearth.connectors.discord_export.export import parse_export
from hearth.domain.activity import ActivityIn
from hearth.errors import InputError, RecordError

KOMODO = "discord/komodo-support-csv"
OLD_HEADER = "AuthorID;Author;Date;Content;Attachments;Reactions;"
NEW_HEADER = "AuthorID,Author,Date,Content,Attachments,Reactions"
BOT_IDS = {"434724077975109642", "499325474128920597", "500296853552758785"}
PINNED = "Pinned a message."
runner = CliRunner()


# -- helpers -------------------------------------------------------------------------------


def quoted(values: Iterable[str], sep: str) -> str:
    """A row the way DiscordChatExporter writes it: every value quoted, quotes doubled."""
    return sep.join('"' + value.replace('"', '""') + '"' for value in values)


def old_row(
    author_id: str, author: str, date: str, content: str, att: str = "", re: str = ""
) -> str:
    return quoted([author_id, author, date, content, att, re], ";") + ";"


def write_csv(path: Path, rows: list[str], header: str = OLD_HEADER) -> Path:
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def split(
    records: Iterable[ActivityIn | RecordError],
) -> tuple[list[ActivityIn], list[RecordError]]:
    activities: list[ActivityIn] = []
    errors: list[RecordError] = []
    for record in records:
        (errors if isinstance(record, RecordError) else activities).append(record)  # type: ignore[arg-type]
    return activities, errors


def komodo_rows(folder: Path) -> list[list[str]]:
    """Every row of the Komodo export, read with the csv module on its own."""
    rows: list[list[str]] = []
    for path in folder.glob("*.csv"):
        with path.open(newline="", encoding="utf-8") as stream:
            reader = csv.reader(stream, delimiter=";")
            assert next(reader)[:6] == NEW_HEADER.split(",")
            rows.extend(reader)
    return rows


@pytest.fixture(scope="module")
def komodo(shared_data: Path) -> Path:
    return shared_data / KOMODO


@pytest.fixture(scope="module")
def komodo_records(komodo: Path) -> list[ActivityIn | RecordError]:
    return list(parse_export(komodo))


# -- the real Komodo export ----------------------------------------------------------------


def test_komodo_every_row_is_read_and_bots_are_found(
    komodo: Path, komodo_records: list[ActivityIn | RecordError]
) -> None:
    rows = komodo_rows(komodo)
    activities, errors = split(komodo_records)
    assert errors == []
    assert len(rows) == 19_200
    pinned = sum(1 for row in rows if row[3] == PINNED)
    assert pinned == 29
    # Every row is an activity, except the pin notices, which are not activities.
    assert len(activities) == len(rows) - pinned
    assert {a.kind for a in activities} == {"message.posted"}
    assert len({a.source_id for a in activities}) == len(activities)
    assert len({a.actor.external_id for a in activities if a.actor}) == 1_110
    bots = {a.actor.external_id for a in activities if a.actor and a.actor.is_bot}
    assert bots == BOT_IDS
    first = activities[0]
    assert first.target_type == "channel"
    assert first.target_id == "komodo-support-csv"
    assert first.properties == {"channel": "komodo-support-csv", "length": 2}
    assert first.occurred_at == datetime(2018, 6, 5, 7, 13, tzinfo=UTC)


def test_komodo_ids_are_stable_and_identical_rows_stay_apart(
    komodo: Path, komodo_records: list[ActivityIn | RecordError]
) -> None:
    again = [r.source_id for r in parse_export(komodo) if isinstance(r, ActivityIn)]
    assert again == [r.source_id for r in komodo_records if isinstance(r, ActivityIn)]
    rows = komodo_rows(komodo)
    identical = Counter((row[0], row[2], row[3]) for row in rows if row[3] != PINNED)
    assert sum(1 for n in identical.values() if n > 1) == 11  # kept apart by occurrence


def test_multiline_content_quotes_emoji_reactions_and_attachments(komodo: Path) -> None:
    messages = [m for m in read_csv(komodo / "1.csv", ExportOptions(), RowIds())]
    assert all(isinstance(m, Message) for m in messages)
    by_start = {m.content[:30]: m for m in messages if isinstance(m, Message)}
    deleted = by_start["@J-Mack the reward comes when "]
    assert deleted.content.endswith(
        "doesn't matter what wallet you were using the time before the claim. \n"
        "You cannot claim reward with a paper wallet (it is paper, right?), so you need to, "
        "at least, once a month, claim with Agama or other wallet."
    )
    assert deleted.author.handle == "Deleted User"
    assert not deleted.author.is_bot
    genie = by_start['it\'s not "broken"; the auto up']
    assert "\nif you pick a block" in genie.content
    assert genie.reactions == {"👍": 1}
    assert by_start["the telegram channel is linked"].content.endswith("discord 👍")
    activities = [a for a in parse_export(komodo / "1.csv") if isinstance(a, ActivityIn)]
    assert len(activities) == len([m for m in messages if m.content != PINNED])
    lengths = {a.source_id: a.properties["length"] for a in activities}
    assert lengths[deleted.source_id] == len(deleted.content)


def test_timezone_shifts_every_date_and_keeps_the_ids(komodo: Path) -> None:
    path = komodo / "1.csv"
    utc = [a for a in parse_export(path) if isinstance(a, ActivityIn)]
    zone = ZoneInfo("America/New_York")
    local = [a for a in parse_export(path, ExportOptions(zone=zone)) if isinstance(a, ActivityIn)]
    assert [a.source_id for a in local] == [a.source_id for a in utc]
    for a, b in zip(utc, local, strict=True):
        wall = a.occurred_at.replace(tzinfo=None)
        assert b.occurred_at == wall.replace(tzinfo=zone).astimezone(UTC)
    assert local[0].occurred_at - utc[0].occurred_at == timedelta(hours=4)  # June: EDT


def test_winter_and_summer_offsets_and_dates_with_their_own_offset(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "dates.csv",
        [
            old_row("1", "ann#0001", "05-Jan-19 11:30 PM", "winter"),
            old_row("1", "ann#0001", "05-Jul-19 12:05 AM", "summer, just after midnight"),
            old_row("1", "ann#0001", "2019-07-05T12:05:00+02:00", "says its offset"),
        ],
    )
    options = ExportOptions(zone=load_timezone("Europe/Paris"))
    got = [a.occurred_at for a in parse_export(path, options) if isinstance(a, ActivityIn)]
    assert got == [
        datetime(2019, 1, 5, 22, 30, tzinfo=UTC),
        datetime(2019, 7, 4, 22, 5, tzinfo=UTC),
        datetime(2019, 7, 5, 10, 5, tzinfo=UTC),
    ]


def test_unknown_timezone_is_a_clear_error() -> None:
    with pytest.raises(InputError, match=r"Unknown time zone 'Mars/Olympus'.*IANA"):
        load_timezone("Mars/Olympus")
    with pytest.raises(InputError, match="Unknown time zone"):
        load_timezone("../etc/passwd")


# -- CSV forms and bad rows ----------------------------------------------------------------


def test_dates_reactions_channels_and_bot_rules() -> None:
    assert parse_date("05-Jun-18 07:13 AM") == datetime(2018, 6, 5, 7, 13)
    assert parse_date("05-Jun-18 12:01 AM") == datetime(2018, 6, 5, 0, 1)
    assert parse_date("05-Jun-18 12:01 PM") == datetime(2018, 6, 5, 12, 1)
    assert parse_date("6/5/2018 7:13:09 PM") == datetime(2018, 6, 5, 19, 13, 9)
    assert parse_date("2018-06-05T07:13:00.5+00:00").tzinfo is not None
    assert parse_date("05.06.2018 19:13", "%d.%m.%Y %H:%M") == datetime(2018, 6, 5, 19, 13)
    for bad in ("yesterday", "05-Jux-18 07:13 AM", "31-Feb-18 07:13 AM", "05-Jun-18 13:13 PM"):
        with pytest.raises(ValueError):
            parse_date(bad)
    assert parse_reactions("") == {}
    assert parse_reactions("👍 (1),Komodo (2),👍 (3)") == {"👍": 4, "Komodo": 2}
    with pytest.raises(ValueError):
        parse_reactions("👍 2")
    channel = channel_from_path(Path("Komodo - Support - help-desk [4296] [part 3].csv"))
    assert (channel.name, channel.id, channel.category) == ("help-desk", "4296", "Support")
    assert channel_from_path(Path("exports/support/12.csv")).name == "support"
    assert channel_from_path(Path("general.csv")).name == "general"
    assert channel_from_path(Path("12.csv"), "help").key == "help"
    rules = BotRules(["Gateway#3763", "555"])
    assert rules.guessed("1", "KMD TipBot", "0077")
    assert rules.guessed("1", "Komodo-Bot", "0171")
    assert rules.guessed("1", "GitHub", "0000")  # a webhook, in old exports
    assert rules.guessed("1", "Gateway", "3763") and rules.guessed("555", "x", None)
    assert not rules.guessed("1", "Mr robot", "0493")
    assert not rules.guessed("1", "BoBot-BUY KMD", "8821")
    assert not rules.guessed("456226577798135808", "Deleted User", "0000")
    assert not BotRules(guess=False).guessed("1", "KMD TipBot", "0077")


def test_broken_csv_rows_are_reported_precisely_and_the_rest_is_kept(tmp_path: Path) -> None:
    good = old_row("11", "ann#0001", "05-Jun-18 07:13 AM", "first")
    rows = [
        good,  # line 2
        old_row("12", "bob#0002", "yesterday", "bad date"),  # line 3
        old_row("13", "cat#0003", "05-Jun-18 07:14 AM", "two\nlines", re="🎉 (2)"),  # 4-5
        quoted(["14", "dan#0004", "05-Jun-18 07:15 AM", "no reactions column", ""], ";")
        + ";",  # line 6
        '"15";"eve#0005";"05-Jun-18 07:16 AM";"a "quoted" word";"";"";',  # line 7
        old_row("16", "fay#0006", "05-Jun-18 07:17 AM", "after the garbled row"),  # line 8
        old_row("17", "gus#0007", "05-Jun-18 07:18 AM", "bad reactions", re="🎉 two"),  # 9
        old_row("x18", "hal#0008", "05-Jun-18 07:19 AM", "bad author id"),  # line 10
        old_row("19", "ida#0009", "05-Jun-18 07:20 AM", "last"),  # line 11
    ]
    path = write_csv(tmp_path / "broken.csv", rows)
    with path.open("ab") as stream:  # line 12: bytes that are not UTF-8
        stream.write(b'"20";"jo#0010";"05-Jun-18 07:21 AM";"caf\xe9";"";"";\n')
        stream.write((old_row("21", "kim#0011", "05-Jun-18 07:22 AM", "very last") + "\n").encode())
    activities, errors = split(parse_export(path))
    assert [a.actor.handle for a in activities if a.actor] == [
        "ann#0001",
        "cat#0003",
        "fay#0006",
        "ida#0009",
        "kim#0011",
    ]
    where = [(e.line, e.field) for e in errors]
    assert where == [
        (3, "Date"),
        (6, "Reactions"),
        (7, None),
        (9, "Reactions"),
        (10, "AuthorID"),
        (12, "Content"),
    ]
    assert all(e.source == str(path) for e in errors)
    assert "expected a date and time such as 05-Jun-18 07:13 AM" in errors[0].problem
    assert "not 'yesterday'" in errors[0].problem
    assert "expected 7 values separated by ';', found 6" in errors[1].problem
    assert "garbled" in errors[2].problem
    assert "expected a Discord user id" in errors[4].problem
    assert "not UTF-8" in errors[5].problem
    assert str(errors[0]).startswith(f"{path}, line 3, field 'Date': ")


def test_a_file_that_is_not_an_export_is_one_error(tmp_path: Path) -> None:
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "a-notes.csv").write_text("name,email\nann,ann@example.org\n", encoding="utf-8")
    (folder / "b-empty.json").write_text("", encoding="utf-8")
    (folder / "c-list.json").write_text("[1, 2]", encoding="utf-8")
    (folder / "d-other.json").write_text('{"name": "x", "items": [1]}', encoding="utf-8")
    (folder / "readme.txt").write_text("ignored", encoding="utf-8")
    write_csv(folder / "e-real.csv", [old_row("1", "ann#0001", "05-Jun-18 07:13 AM", "hi")])
    activities, errors = split(parse_export(folder))
    assert len(activities) == 1
    assert [Path(e.source or "").name for e in errors] == [
        "a-notes.csv",
        "b-empty.json",
        "c-list.json",
        "d-other.json",
    ]
    assert "not a DiscordChatExporter CSV export" in errors[0].problem
    assert errors[0].line == 1
    assert all("not a DiscordChatExporter JSON export" in e.problem for e in errors[1:])
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(InputError, match=r"no \.csv or \.json"):
        parse_export(empty)
    with pytest.raises(InputError, match="No such file"):
        parse_export(tmp_path / "missing")


def test_current_csv_format_with_named_file(tmp_path: Path) -> None:
    name = "Komodo - Support - help-desk [429676282196787200].csv"
    row = quoted(
        [
            "333508133060083712",
            "nabob",
            "6/5/2018 7:13 PM",
            "see the logs",
            "https://cdn.example/a,1.png,https://cdn.example/b.txt",
            "👍 (2)",
        ],
        ",",
    )
    path = write_csv(tmp_path / name, [row], header=NEW_HEADER)
    (activity,) = parse_export(path)
    assert isinstance(activity, ActivityIn)
    assert activity.target_id == "429676282196787200"
    assert activity.occurred_at == datetime(2018, 6, 5, 19, 13, tzinfo=UTC)
    assert activity.actor is not None and activity.actor.handle == "nabob"
    assert activity.properties == {
        "channel": "help-desk",
        "category": "Support",
        "length": 12,
        "attachment_count": 2,
        "attachments": ["https://cdn.example/a,1.png", "https://cdn.example/b.txt"],
        "reactions": {"👍": 2},
    }


def test_identical_rows_in_one_minute_are_two_messages_across_files(tmp_path: Path) -> None:
    same = old_row("1", "ann#0001", "05-Jun-18 07:13 AM", "ok")
    write_csv(tmp_path / "1.csv", [same, same])
    write_csv(tmp_path / "2.csv", [same])
    ids = [a.source_id for a in parse_export(tmp_path) if isinstance(a, ActivityIn)]
    assert len(set(ids)) == 3
    assert ids == [a.source_id for a in parse_export(tmp_path) if isinstance(a, ActivityIn)]


def test_system_notices_in_csv(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "general.csv",
        [
            old_row("1", "ann#0001", "05-Jun-18 07:13 AM", "Joined the server."),
            old_row("1", "ann#0001", "05-Jun-18 07:14 AM", "Started a thread."),
            old_row("2", "mod#0002", "05-Jun-18 07:15 AM", "Pinned a message."),
        ],
    )
    activities, errors = split(parse_export(path))
    assert errors == []
    assert [a.kind for a in activities] == ["member.joined", "thread.started"]
    assert activities[1].target_type == "thread"


# -- JSON ----------------------------------------------------------------------------------

GUILD_ID = "1000000000000000001"
CHANNEL_ID = "1100000000000000002"
THREAD_ID = "1200000000000000003"


def user(
    user_id: str, name: str, disc: str = "0000", nick: str | None = None, bot: bool = False
) -> dict[str, Any]:
    return {
        "id": user_id,
        "name": name,
        "discriminator": disc,
        "nickname": nick or name,
        "color": None,
        "isBot": bot,
        "roles": [],
        "avatarUrl": f"https://cdn.discordapp.com/embed/avatars/{int(user_id) % 5}.png",
    }


ALICE = user("201", "alice", nick="Alice A.")
BOB = user("202", "bob", "4821")
CAROL = user("203", "carol")
DAVE = user("204", "dave")
HELPER = user("205", "HelperBot", "1234", bot=True)


def emoji(name: str, emoji_id: str = "") -> dict[str, Any]:
    return {"id": emoji_id, "name": name, "code": name, "isAnimated": False, "imageUrl": ""}


def message(message_id: str, author: dict[str, Any], **fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": message_id,
        "type": "Default",
        "timestamp": "2024-03-01T10:00:00.123+01:00",
        "timestampEdited": None,
        "callEndedTimestamp": None,
        "isPinned": False,
        "content": "",
        "author": author,
        "attachments": [],
        "embeds": [],
        "stickers": [],
        "reactions": [],
        "mentions": [],
        "inlineEmojis": [],
    }
    base.update(fields)
    return base


def json_export(messages: list[dict[str, Any]]) -> dict[str, Any]:
    """An export in DiscordChatExporter's JSON shape (JsonMessageWriter)."""
    return {
        "guild": {"id": GUILD_ID, "name": "Komodo", "iconUrl": "https://cdn.example/icon.png"},
        "channel": {
            "id": CHANNEL_ID,
            "type": "GuildTextChat",
            "categoryId": "1000000000000000009",
            "category": "Support",
            "name": "help-desk",
            "topic": "Ask here",
        },
        "dateRange": {"after": None, "before": None},
        "exportedAt": "2024-03-02T00:00:00+00:00",
        "messages": messages,
        "messageCount": len(messages),
    }


def fixture_messages() -> list[dict[str, Any]]:
    ref = {"type": "Default", "channelId": CHANNEL_ID, "guildId": GUILD_ID}
    return [
        message(
            "301",
            ALICE,
            content="How do I sync?\nIt stops at block 12.",
            timestampEdited="2024-03-01T10:05:00+01:00",
            attachments=[
                {
                    "id": "401",
                    "url": "https://cdn.discordapp.com/attachments/1/401/log.txt",
                    "fileName": "log.txt",
                    "fileSizeBytes": 120,
                }
            ],
            reactions=[{"emoji": emoji("👍"), "count": 2, "users": [BOB, CAROL]}],
        ),
        message(
            "302",
            BOB,
            type="Reply",
            timestamp="2024-03-01T09:10:00+00:00",
            content="@alice restart with -reindex",
            mentions=[ALICE],
            reference={**ref, "messageId": "301"},
            reactions=[{"emoji": emoji("komodo", "999"), "count": 1, "users": [ALICE]}],
        ),
        message("303", HELPER, timestamp="2024-03-01T09:11:00+00:00", isPinned=True),
        message(
            "304",
            CAROL,
            type="ThreadCreated",
            timestamp="2024-03-01T09:12:00+00:00",
            content="Started a thread.",
            reference={**ref, "channelId": THREAD_ID, "messageId": None},
        ),
        message(
            "305",
            DAVE,
            type="GuildMemberJoin",
            timestamp="2024-03-01T09:13:00+00:00",
            content="Joined the server.",
        ),
        message(
            "306",
            BOB,
            type="ChannelPinnedMessage",
            timestamp="2024-03-01T09:14:00+00:00",
            content="Pinned a message.",
            reference={**ref, "messageId": "303"},
        ),
        message(
            "307",
            HELPER,
            type="ChatInputCommand",
            timestamp="2024-03-01T09:15:00+00:00",
            content="Synced.",
        ),
        message(
            "308",
            CAROL,
            timestamp="2024-03-01T09:16:00",
            content="thanks 🎉",
            reactions=[{"emoji": {"id": None, "name": "🎉"}, "count": 3}],
        ),
    ]


def write_json(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture
def json_file(tmp_path: Path) -> Path:
    return write_json(
        tmp_path / "Komodo - Support - help-desk [1100000000000000002].json",
        json_export(fixture_messages()),
    )


def by_source(records: Iterable[ActivityIn | RecordError]) -> dict[str, ActivityIn]:
    activities, errors = split(records)
    assert errors == []
    return {a.source_id: a for a in activities}


def test_json_messages_map_to_kinds_with_their_properties(json_file: Path) -> None:
    got = by_source(parse_export(json_file, ExportOptions(zone=ZoneInfo("Europe/Paris"))))
    kinds = Counter(a.kind for a in got.values())
    assert kinds == {
        "message.posted": 5,
        "reaction.added": 3,
        "thread.started": 1,
        "member.joined": 1,
    }
    assert "306" not in got  # the pin notice is not an activity
    first = got["301"]
    assert first.occurred_at == datetime(2024, 3, 1, 9, 0, 0, 123000, tzinfo=UTC)
    assert first.actor is not None
    assert (first.actor.handle, first.actor.display_name) == ("alice", "Alice A.")
    assert (first.target_type, first.target_id) == ("channel", CHANNEL_ID)
    assert first.properties == {
        "channel": "help-desk",
        "category": "Support",
        "length": 36,
        "attachment_count": 1,
        "attachments": ["https://cdn.discordapp.com/attachments/1/401/log.txt"],
        "reactions": {"👍": 2},
        "mentions": 0,
        "pinned": False,
        "edited": True,
    }
    reply = got["302"]
    assert reply.actor is not None and reply.actor.handle == "bob#4821"
    assert reply.properties["reply_to"] == "301"
    assert reply.properties["mentions"] == 1
    bot = got["303"]
    assert bot.actor is not None and bot.actor.is_bot
    assert bot.properties["pinned"] is True and bot.properties["length"] == 0
    thread = got["304"]
    assert (thread.kind, thread.target_type, thread.target_id) == (
        "thread.started",
        "thread",
        THREAD_ID,
    )
    assert got["305"].kind == "member.joined"
    assert got["307"].properties["message_type"] == "ChatInputCommand"
    # A date without an offset is taken in the --timezone zone.
    assert got["308"].occurred_at == datetime(2024, 3, 1, 8, 16, tzinfo=UTC)
    assert got["308"].properties["reactions"] == {"🎉": 3}
    reactions = {k: a for k, a in got.items() if a.kind == "reaction.added"}
    assert sorted(reactions) == [
        "301:reaction:👍:202",
        "301:reaction:👍:203",
        "302:reaction:999:201",
    ]
    liked = reactions["302:reaction:999:201"]
    assert liked.actor is not None and liked.actor.external_id == "201"
    assert liked.target_owner is not None and liked.target_owner.external_id == "202"
    assert (liked.target_type, liked.target_id) == ("message", "302")
    assert liked.properties == {"emoji": "komodo", "channel": "help-desk"}


def test_json_is_read_in_small_pieces_alike(json_file: Path, monkeypatch: Any) -> None:
    whole = by_source(parse_export(json_file))
    monkeypatch.setattr(json_stream, "CHUNK_CHARS", 7)
    assert by_source(parse_export(json_file)) == whole


def test_bad_json_messages_are_reported_and_the_rest_kept(tmp_path: Path) -> None:
    messages = fixture_messages()
    messages.insert(1, message("390", BOB, timestamp="yesterday"))
    broken_author = message("391", BOB)
    del broken_author["author"]
    messages.insert(3, broken_author)
    path = write_json(tmp_path / "export.json", json_export(messages))
    lines = path.read_text(encoding="utf-8").splitlines()
    activities, errors = split(parse_export(path))
    assert len([a for a in activities if a.kind == "message.posted"]) == 5
    assert [(e.element, e.field) for e in errors] == [
        ("message 390", "timestamp"),
        ("message 391", "author"),
    ]
    for error, message_id in zip(errors, ("390", "391"), strict=True):
        assert error.line is not None
        assert lines[error.line - 1].strip() == "{"
        assert lines[error.line].strip() == f'"id": "{message_id}",'
    assert "not 'yesterday'" in errors[0].problem


def test_truncated_json_keeps_the_messages_before_the_break(json_file: Path) -> None:
    text = json_file.read_text(encoding="utf-8")
    cut = text.index('"id": "303"')
    json_file.write_text(text[:cut], encoding="utf-8")
    activities, errors = split(parse_export(json_file))
    assert {a.source_id for a in activities if a.kind == "message.posted"} == {"301", "302"}
    (error,) = errors
    assert "rest of this file was skipped" in error.problem
    assert error.line == text[:cut].count("\n") + 1


# -- the ledger, on both backends ----------------------------------------------------------


def export_rows(engine: Engine) -> list[dict[str, Any]]:
    return list(access_member_export(engine, Caller.operator()))


def test_komodo_import_counts_reimport_and_bots(
    engine: Engine, komodo: Path, komodo_records: list[ActivityIn | RecordError]
) -> None:
    rows = [row for row in komodo_rows(komodo) if row[3] != PINNED]
    report = ingest(engine, komodo_records)
    assert (report.imported, report.duplicates, report.rejected) == (len(rows), 0, 0)

    exported = export_rows(engine)
    total = sum(sum(r["activity_counts"].values()) for r in exported)
    assert total == len(rows)
    per_author = {
        r["identities"][0]["external_id"]: r["activity_counts"].get("message.posted", 0)
        for r in exported
    }
    assert per_author == dict(Counter(row[0] for row in rows))
    bots = {r["identities"][0]["external_id"] for r in exported if r["is_bot"]}
    assert bots == BOT_IDS

    again = ingest(engine, komodo_records)
    assert (again.imported, again.duplicates, again.rejected) == (0, len(rows), 0)


def test_json_import_credits_reactions_to_the_author(engine: Engine, json_file: Path) -> None:
    report = ingest(engine, parse_export(json_file))
    assert (report.imported, report.rejected) == (10, 0)
    by_handle = {r["identities"][0]["handle"]: r for r in export_rows(engine)}
    assert by_handle["alice"]["received_counts"] == {"reaction.added": 2}
    assert by_handle["bob#4821"]["received_counts"] == {"reaction.added": 1}
    assert by_handle["HelperBot#1234"]["is_bot"] is True
    assert by_handle["carol"]["activity_counts"] == {
        "message.posted": 1,
        "reaction.added": 1,
        "thread.started": 1,
    }
    again = ingest(engine, parse_export(json_file))
    assert (again.imported, again.duplicates) == (0, 10)


def test_cli_imports_reports_rejects_and_flags_bots(db_url: str, tmp_path: Path) -> None:
    clean = write_csv(
        tmp_path / "support.csv",
        [
            old_row("1", "ann#0001", "05-Jun-18 07:13 AM", "hello"),
            old_row("2", "relay#7777", "05-Jun-18 07:14 AM", "bridged"),
        ],
    )
    args = ["--db", db_url, "import", "discord-export"]
    result = runner.invoke(app, [*args, str(clean), "--timezone", "Europe/Paris", "--bot", "relay"])
    assert result.exit_code == 0, result.output
    assert "Imported 2, duplicates 0, rejected 0." in result.output

    exported = runner.invoke(app, ["--db", db_url, "export", "members", "--format", "jsonl"])
    flags = {
        json.loads(line)["display_name"]: json.loads(line)["is_bot"]
        for line in exported.stdout.splitlines()
    }
    assert flags == {"ann#0001": False, "relay#7777": True}

    broken = write_csv(
        tmp_path / "broken.csv",
        [
            old_row("1", "ann#0001", "05-Jun-18 07:13 AM", "hello"),
            old_row("3", "cy#0003", "05-Jun-18 25:99 AM", "bad date"),
        ],
    )
    result = runner.invoke(app, [*args, str(broken)])
    assert result.exit_code == 1
    assert "Imported 1, duplicates 0, rejected 1." in result.output
    assert f"{broken}, line 3, field 'Date'" in result.output

    result = runner.invoke(app, [*args, str(clean), "--timezone", "Nowhere/Town"])
    assert isinstance(result.exception, InputError)
    assert "Unknown time zone 'Nowhere/Town'" in str(result.exception)
