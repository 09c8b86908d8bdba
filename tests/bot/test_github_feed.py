"""Merged pull requests and releases announced in the playbook's channels, through discord.py.

The activities come from GitHub's own webhook payload examples (``../shared/data``), mapped by
the webhook connector, with their times moved to the test's "now"."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import discord
import discord.ext.test as dpytest
import pytest
from sqlalchemy import Engine, insert, select

from hearth.actions.github_feed import SETTLE, access_github_feed, do_mark_posted
from hearth.actions.ingest import ingest
from hearth.connectors.github.webhook import map_event
from hearth.domain.playbook.server import GitHubAnnouncements
from hearth.playbooks.loader import load_playbook, parse_playbook_text
from hearth.store.tables import activities
from tests.bot.conftest import BotFactory, guild

COGS = ["hearth.bot.cogs.github_feed"]

PLAYBOOK = """
name: feed
title: Feed
version: 1
server:
  categories:
    - name: Dev
      channels: [{name: general}, {name: merged}, {name: releases}, {name: docs-news}]
  github_announcements:
    pr_merged: merged
    release: releases
    repositories:
      - {repository: octo/docs, pr_merged: docs-news, release: null}
"""


def _payload(shared_data: Path, event: str, name: str) -> dict[str, Any]:
    path = shared_data / "github-webhooks" / "api.github.com" / event / name
    return dict(json.loads(path.read_text()))


def merged_pr(
    shared_data: Path, number: int, at: datetime, repo: str = "Codertocat/Hello-World"
) -> Any:
    payload = copy.deepcopy(_payload(shared_data, "pull_request", "closed.payload.json"))
    pr = payload["pull_request"]
    owner, name = repo.split("/")
    payload["repository"]["full_name"] = repo
    payload["repository"]["name"] = name
    payload["repository"]["owner"]["login"] = owner
    pr.update(
        number=number,
        title=f"Change number {number}",
        merged=True,
        merged_at=at.isoformat().replace("+00:00", "Z"),
        closed_at=at.isoformat().replace("+00:00", "Z"),
        html_url=f"https://github.com/{repo}/pull/{number}",
    )
    payload["number"] = number
    (activity,) = [a for a in map_event("pull_request", payload) if a.kind == "pr.merged"]
    return activity


def release(
    shared_data: Path, release_id: int, tag: str, at: datetime, repo: str = "Codertocat/Hello-World"
) -> Any:
    payload = copy.deepcopy(_payload(shared_data, "release", "published.payload.json"))
    payload["repository"]["full_name"] = repo
    payload["release"].update(
        id=release_id,
        tag_name=tag,
        name=f"Version {tag}",
        published_at=at.isoformat().replace("+00:00", "Z"),
        html_url=f"https://github.com/Codertocat/Hello-World/releases/tag/{tag}",
    )
    (activity,) = map_event("release", payload)
    return activity


def sent() -> list[discord.Message]:
    found = []
    while not dpytest.sent_queue.empty():
        found.append(dpytest.get_message())
    return found


@pytest.mark.asyncio
async def test_merged_prs_and_releases_are_announced_once(
    make_bot: BotFactory, engine: Engine, shared_data: Path
) -> None:
    playbook = parse_playbook_text(PLAYBOOK)
    bot = await make_bot(
        playbook, cogs=COGS, channels=["general", "merged", "releases", "docs-news"]
    )
    now = datetime.now(UTC).replace(microsecond=0)
    # Stored before the bot ever ran: history, never announced.
    ingest(engine, [merged_pr(shared_data, 1, now - timedelta(hours=2))])
    cog = bot.get_cog("github_feed")
    assert await cog.announce(guild()) == 0  # the first run starts from now
    assert sent() == []

    ingest(
        engine,
        [
            merged_pr(shared_data, 2, now),
            release(shared_data, 9001, "v1.0.0", now),
            merged_pr(shared_data, 3, now - timedelta(days=3)),  # imported late: old history
            merged_pr(shared_data, 4, now, repo="octo/docs"),  # its own channel
            release(shared_data, 9002, "v9", now, repo="octo/docs"),  # announced nowhere
            release(shared_data, 9003, "v1.0.1", now + timedelta(seconds=1)),
        ],
    )
    assert await cog.announce(guild()) == 4
    posts = sent()
    assert [(m.channel.name, m.embeds[0].title) for m in posts] == [
        ("merged", "Pull request merged: Change number 2"),
        ("releases", "New release: Version v1.0.0"),
        ("docs-news", "Pull request merged: Change number 4"),
        ("releases", "New release: Version v1.0.1"),
    ]
    embed = posts[0].embeds[0]
    fields = {f.name: f.value for f in embed.fields}
    assert embed.url == "https://github.com/Codertocat/Hello-World/pull/2"
    assert fields["Author"] == "Codertocat"
    assert fields["Repository"] == "Codertocat/Hello-World#2"
    assert "https://github.com/Codertocat/Hello-World/pull/2" in fields["Link"]
    assert await cog.announce(guild()) == 0

    # A restart: the cog starts afresh and posts nothing it already posted.
    await bot.reload_extension("hearth.bot.cogs.github_feed")
    cog = bot.get_cog("github_feed")
    assert await cog.announce(guild()) == 0
    assert sent() == []
    # ...but what arrived while it was down is posted once.
    ingest(engine, [merged_pr(shared_data, 5, now)])
    await bot.reload_extension("hearth.bot.cogs.github_feed")
    cog = bot.get_cog("github_feed")
    assert await cog.announce(guild()) == 1
    assert [m.embeds[0].title for m in sent()] == ["Pull request merged: Change number 5"]
    assert await cog.announce(guild()) == 0


def test_the_shipped_playbooks_name_existing_channels() -> None:
    for name in ("phoenix", "atlas"):
        server = load_playbook(name).server
        assert server is not None
        config = server.github_announcements
        assert config.pr_merged in server.channel_names()
        assert config.release in server.channel_names()


def test_announcement_channels_must_exist() -> None:
    from hearth.playbooks.loader import PlaybookError

    text = PLAYBOOK.replace(
        "{repository: octo/docs, pr_merged: docs-news", "{repository: octo/docs, pr_merged: nowhere"
    )
    with pytest.raises(
        PlaybookError,
        match=r"13:44: server\.github_announcements\.repositories\[0\]\.pr_merged: unknown channel",
    ):
        parse_playbook_text(text)
    config = parse_playbook_text(PLAYBOOK).server.github_announcements
    assert config.channel_for("pr.merged", "OCTO/Docs") == "docs-news"  # any case
    assert config.channel_for("release.published", "octo/docs") is None
    assert config.channel_for("release.published", "a/b") == "releases"
    assert config.channel_for("issue.opened", "a/b") is None


# -- the cursor, at the action level ---------------------------------------------------------


def _row(engine: Engine, activity_id: int, number: int, at: datetime) -> None:
    """An activity stored under ``activity_id``: a transaction that took an id early and
    committed late (two webhook workers at once)."""
    with engine.begin() as conn:
        conn.execute(
            insert(activities).values(
                id=activity_id,
                platform="github",
                source_id=f"late:{activity_id}",
                kind="pr.merged",
                occurred_at=at,
                properties={"repository": "o/r", "number": number, "title": "late"},
            )
        )


def test_a_late_commit_below_the_position_is_still_announced(
    engine: Engine, shared_data: Path
) -> None:
    config = GitHubAnnouncements(pr_merged="merged")
    now = datetime.now(UTC)
    first = access_github_feed(engine, config, "s", now=now)
    assert first.first and first.items == []
    do_mark_posted(engine, "s", [], head=first.head, now=now)
    base = (first.head or 0) + 100
    _row(engine, base + 2, 2, now)
    feed = access_github_feed(engine, config, "s", now=now)
    assert [i.number for i in feed.items] == [2]
    do_mark_posted(engine, "s", [base + 2], now=now)
    do_mark_posted(engine, "s", [], head=feed.head, now=now)
    # id base+1 was taken before base+2 but commits only now: still found, and found once.
    _row(engine, base + 1, 1, now)
    later = now + timedelta(minutes=1)
    feed = access_github_feed(engine, config, "s", now=later)
    assert [i.number for i in feed.items] == [1]
    do_mark_posted(engine, "s", [base + 1], now=later)
    do_mark_posted(engine, "s", [], head=feed.head, now=later)
    assert access_github_feed(engine, config, "s", now=later).items == []
    # Long after, the settled window is forgotten and nothing comes back.
    much_later = later + SETTLE * 3
    assert access_github_feed(engine, config, "s", now=much_later).items == []
    with engine.connect() as conn:
        assert conn.scalar(select(activities.c.id).where(activities.c.id == base + 1))
