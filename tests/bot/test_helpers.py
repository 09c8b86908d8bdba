"""FAQ answers, code-fence tips and GitHub links, through discord.py."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import discord
import discord.ext.test as dpytest
import pytest
from sqlalchemy import Engine

from hearth.actions.context import Caller
from hearth.actions.faq import access_faq_stats, do_add_faq
from hearth.connectors.github.api import HttpxGitHubClient
from hearth.playbooks.loader import load_playbook
from tests.bot.conftest import BotFactory, edit, guild, interact, member, post, snowflake

pytestmark = pytest.mark.asyncio
HELP = ["🆘-quick-help", "💬-general"]


def sent() -> list[discord.Message]:
    found = []
    while not dpytest.sent_queue.empty():
        found.append(dpytest.get_message())
    return found


def channel(name: str) -> discord.TextChannel:
    found = discord.utils.get(guild().text_channels, name=name)
    assert found is not None
    return found


async def test_faq_suggestion_feedback_and_cooldown(make_bot: BotFactory, engine: Engine) -> None:
    bot = await make_bot(cogs=["hearth.bot.cogs.faq"], channels=HELP)
    entry = do_add_faq(
        engine,
        Caller.operator(),
        "How do I reset my wallet password?",
        "Open Settings → Security → Reset password.",
        keywords=["wallet", "password", "reset"],
    )
    alice = member("alice")
    await post(channel("🆘-quick-help"), alice, "How can I reset the password of my wallet?")
    replies = sent()
    assert len(replies) == 1
    assert replies[0].embeds[0].title == entry.question

    helpful, dismiss = (f"hearth:faq:{a}:{entry.id}:{alice.id}" for a in ("helpful", "dismiss"))
    row = [
        {
            "type": 1,
            "components": [
                {"type": 2, "style": 3, "label": "Helpful", "custom_id": helpful},
                {"type": 2, "style": 2, "label": "Dismiss", "custom_id": dismiss},
            ],
        }
    ]
    on = {"message": replies[0], "components": row}
    answer = await interact(
        bot,
        alice,
        channel("🆘-quick-help"),
        {"custom_id": helpful, "component_type": 2},
        **on,
    )
    assert answer[0]["data"]["content"] == "Thanks! Glad it helped."
    assert access_faq_stats(engine)[entry.id].helpful == 1

    bob = member("bob")
    denied = await interact(
        bot,
        bob,
        channel("🆘-quick-help"),
        {"custom_id": dismiss, "component_type": 2},
        **on,
    )
    assert "Only the member who asked" in denied[0]["data"]["content"]
    await interact(
        bot, alice, channel("🆘-quick-help"), {"custom_id": dismiss, "component_type": 2}, **on
    )
    assert access_faq_stats(engine)[entry.id].dismissed == 1
    assert replies[0].id not in {int(m["id"]) for m in _history("🆘-quick-help")}

    # Rate-limited per channel; not in channels that are not help channels.
    await post(channel("🆘-quick-help"), bob, "How do I reset my wallet password please?")
    await post(channel("💬-general"), bob, "How do I reset my wallet password?")
    assert sent() == []


async def test_faq_command(make_bot: BotFactory, engine: Engine) -> None:
    bot = await make_bot(cogs=["hearth.bot.cogs.faq"], channels=HELP)
    do_add_faq(engine, Caller.operator(), "Where are the logs?", "In ~/.phoenix/logs.", ["logs"])
    command = {
        "id": snowflake(),
        "name": "faq",
        "type": 1,
        "options": [{"name": "question", "type": 3, "value": "where do I find the logs"}],
    }
    replies = await interact(bot, member("alice"), channel("💬-general"), command, kind=2)
    assert replies[0]["data"]["embeds"][0]["title"] == "Where are the logs?"


async def test_code_tip_is_deleted_when_the_author_edits(make_bot: BotFactory) -> None:
    await make_bot(cogs=["hearth.bot.cogs.code"], channels=HELP)
    code = (
        "my function fails:\ndef add(a, b):\n    total = a + b\n    return total\nprint(add(1, 2))"
    )
    message = await post(channel("💬-general"), member("alice"), code)
    tip = sent()
    assert len(tip) == 1 and "```python\n" in tip[0].content
    assert tip[0].id in {int(m["id"]) for m in _history("💬-general")}
    await edit(message, "```python\n" + code + "\n```")
    assert tip[0].id not in {int(m["id"]) for m in _history("💬-general")}
    # Rate-limited: the same author right after gets no second tip.
    await post(channel("💬-general"), member("alice"), code)
    assert sent() == []


def _history(name: str) -> list[dict[str, Any]]:
    from discord.ext.test import backend

    return backend._cur_config.messages.get(channel(name).id, [])


class _Recorded(BaseHTTPRequestHandler):
    routes: ClassVar[dict[str, Any]] = {}

    def do_GET(self) -> None:
        body = self.routes.get(self.path.split("?")[0])
        self.send_response(200 if body is not None else 404)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(
            json.dumps(body if body is not None else {"message": "Not Found"}).encode()
        )

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def github_api(shared_data: Path) -> Iterator[str]:
    recorded = shared_data / "github-api" / "perceval-github"
    issue = json.loads((recorded / "github_issue_2_with_pr").read_text())[0]
    _Recorded.routes = {"/repos/zhquan_example/repo/issues/2": issue}
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorded)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


async def test_github_reference_expands(make_bot: BotFactory, github_api: str) -> None:
    phoenix = load_playbook("phoenix")
    server = phoenix.server.model_copy(update={"github_repository": "zhquan_example/repo"})
    playbook = phoenix.model_copy(update={"server": server})
    bot = await make_bot(playbook, cogs=["hearth.bot.cogs.github"], channels=HELP)
    cog = bot.get_cog("github")
    cog.client = HttpxGitHubClient(github_api, max_retries=0)
    try:
        await post(
            channel("💬-general"),
            member("alice"),
            "Is #2 related to #9?",
        )
        replies = sent()
        assert len(replies) == 1
        [embed] = replies[0].embeds  # #9 does not exist: no embed for it
        assert embed.title == "zhquan_example/repo#2: title 2"
        fields = {f.name: f.value for f in embed.fields}
        assert fields["Author"] == "zhquan_example"
        assert fields["State"] in ("closed", "merged")
    finally:
        cog.client.close()
