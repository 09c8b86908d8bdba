"""A deterministic synthetic developer community, streamed as ledger activities.

:func:`generate` invents the Phoenix community of the strategy document: members join over 16
months (slowly at first, then faster), each on a primary platform (Discord, GitHub, Discourse or
Stack Exchange) and some on others too, with related handles (and an email on GitHub and git);
every platform account is a separate identity, since linking them is a later, deliberate step.
A member's activity level is Pareto-distributed, so a few members do most of the work, and most
members drift away after a few months. A few bots (MEE6, github-actions, dependabot) act too.

The same arguments always give the same activities (one :class:`random.Random` drives
everything, and nothing depends on today's date). Activities are streamed: memory holds the
members and a few fixed-size rings of recent threads, posts and pull requests, never the
activities. Times only go forward, and every ``(platform, source_id)`` is new. The emails use
``example.*`` domains and GitHub's noreply addresses, so no real mailbox is named.
"""

from __future__ import annotations

import hashlib
import random
import unicodedata
from bisect import bisect_right
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from functools import cache
from itertools import accumulate
from typing import Any

from hearth.domain.activity import ActivityIn, IdentityRef

DEFAULT_START = datetime(2025, 1, 1, tzinfo=UTC)
SPAN = timedelta(days=480)
GROWTH = 1.5  # members joined by time t grow as t ** GROWTH; activity as t ** (GROWTH + 1)
WEEK = 7 * 86400.0

Action = Callable[["_Person", float], ActivityIn | None]
Fallback = Callable[["_Person", float], ActivityIn]
Cum = tuple[float, ...]

# -- vocabulary ----------------------------------------------------------------------------

FIRST_NAMES = (
    "Alice", "Aisha", "Akira", "Alejandro", "Amara", "Ana", "Andrei", "Anil", "Arjun", "Astrid",
    "Ben", "Bruno", "Carlos", "Chen", "Chloé", "Dani", "Darius", "Diego", "Dmitri", "Elena",
    "Emeka", "Emma", "Erik", "Fatima", "Felix", "Freya", "Gabriel", "Grace", "Hana", "Hiro",
    "Ibrahim", "Ines", "Ivan", "Jamal", "Javier", "Jin", "Joao", "Jonas", "Julia", "Kai",
    "Kamala", "Karin", "Kenji", "Kofi", "Lars", "Leila", "Lena", "Liam", "Lin", "Lucas", "Luca",
    "Maya", "Mateo", "Mei", "Mia", "Mohammed", "Nadia", "Naveen", "Nia", "Nikolai", "Noah",
    "Noor", "Olga", "Omar", "Oscar", "Pablo", "Priya", "Quinn", "Rafael", "Ravi", "Rosa", "Sam",
    "Sara", "Sergei", "Shira", "Sofia", "Sven", "Tariq", "Thomas", "Tomás", "Uma", "Valentina",
    "Victor", "Wei", "Yara", "Yuki", "Zanele", "Zoë",
)  # fmt: skip
LAST_NAMES = (
    "Abe", "Adeyemi", "Alvarez", "Andersson", "Bauer", "Becker", "Bianchi", "Brown", "Castillo",
    "Chen", "Costa", "Cruz", "Da Silva", "Dubois", "Eriksen", "Fernandes", "Fischer", "Garcia",
    "Gonzalez", "Gupta", "Haddad", "Hansen", "Hernandez", "Hoffmann", "Ivanova", "Jansen",
    "Jensen", "Johnson", "Kato", "Kim", "Kowalski", "Kumar", "Larsen", "Lee", "Lopez", "Martin",
    "Medina", "Meyer", "Mokoena", "Moreau", "Müller", "Nakamura", "Nguyen", "Novak", "Okafor",
    "Olsen", "Park", "Patel", "Petrov", "Quispe", "Rahman", "Reyes", "Rossi", "Russo", "Santos",
    "Sato", "Schmidt", "Singh", "Smith", "Sokolova", "Suzuki", "Tanaka", "Taylor", "Torres",
    "Usman", "Van Dijk", "Wagner", "Wang", "Weber", "Williams", "Wójcik", "Yamamoto", "Yilmaz",
    "Zhang", "Zimmermann",
)  # fmt: skip
NICKNAMES = ("dev", "code", "hacks", "ops", "builds", "rs", "py", "io", "labs", "tech")
EMAIL_DOMAINS = ("example.com", "mail.example.org", "example.net", "dev.example.com")

CHANNELS = (  # the Phoenix Discord layout, with how often each text channel is written in
    ("general", 30), ("quick-help", 14), ("troubleshooting", 10), ("development", 8),
    ("off-topic", 8), ("showcase", 3), ("celebrations", 2), ("resources", 2),
    ("learning-together", 3), ("architecture", 2), ("performance", 2), ("security", 1),
    ("experimental", 1), ("contributing", 2), ("internals", 1), ("benchmarks", 1), ("ideas", 2),
    ("bug-reports", 2), ("documentation", 1), ("translations", 1), ("americas", 1),
    ("europe", 1), ("asia-pacific", 1), ("global", 1), ("beta-testing", 1),
)  # fmt: skip
CHANNEL_NAMES = tuple(name for name, _w in CHANNELS)
CHANNEL_CUM = tuple(accumulate(w for _n, w in CHANNELS))
HELP_CHANNELS = ("quick-help", "troubleshooting")
ROLES = ("Python", "Rust", "Go", "TypeScript", "DevOps", "Beginner", "Contributor", "Researcher")
EMOJI = ("👍", "❤️", "🎉", "🚀", "😂", "👀", "🙏", "🔥", "✅")
TAGS = (
    "phoenix", "python", "rust", "go", "kubernetes", "docker", "grpc", "performance",
    "networking", "consensus", "serialization", "scheduler", "cli", "plugins", "testing",
    "security", "deployment", "observability", "async", "storage",
)  # fmt: skip
REPOS = (
    ("phoenix-sdk/phoenix", 50), ("phoenix-sdk/phoenix-cli", 12),
    ("phoenix-sdk/phoenix-docs", 12), ("phoenix-sdk/phoenix-examples", 10),
    ("phoenix-sdk/phoenix-contrib", 6), ("phoenix-sdk/awesome-phoenix", 4),
    ("phoenix-sdk/phoenix-plugins", 4), ("phoenix-sdk/phoenix-community", 3),
    ("phoenix-sdk/phoenix-benchmarks", 2), ("phoenix-sdk/phoenix-templates", 2),
)  # fmt: skip
REPO_NAMES = tuple(name for name, _w in REPOS)
REPO_CUM = tuple(accumulate(w for _n, w in REPOS))
SEVERITIES = ("low", "medium", "high", "critical")
TASKS = (
    "configure TLS between nodes", "run a cluster on Kubernetes", "retry failed tasks",
    "stream results from workers", "plug in a custom serializer", "debug a stuck job",
    "limit memory per worker", "scale the scheduler", "use the CLI behind a proxy",
    "write a plugin", "migrate from 1.x to 2.0", "share state between actors",
    "profile a slow pipeline", "deploy on ARM", "pin a task to a node", "test a workflow locally",
)  # fmt: skip
ERRORS = (
    "ConnectionResetError", "Timeout waiting for leader", "SerializationError: cannot pickle",
    "Worker lost heartbeat", "Segfault in native extension", "Pod OOMKilled", "Deadlock",
    "Certificate verify failed", "Scheduler queue keeps growing",
)  # fmt: skip
CONTEXTS = (
    "starting the scheduler", "running tests in CI", "upgrading to 2.3", "using asyncio",
    "on Windows", "with Docker Compose", "under load", "after a node restart",
)  # fmt: skip
CONTENT_TYPES = ("tutorial", "tutorial", "blog_post", "blog_post", "video", "talk")
DEPENDENCIES = ("protobuf", "grpcio", "pydantic", "tokio", "serde", "pytest", "ruff", "mypy")

# -- personas and what each does on each platform --------------------------------------------

CHATTER, ASKER, HELPER, BUILDER, CREATOR = range(5)
PERSONA_CUM = tuple(accumulate((40, 30, 12, 12, 6)))
ACTIVE_PERSONA_CUM = tuple(accumulate((20, 5, 38, 30, 7)))  # for the most active members
PLATFORMS = ("discord", "github", "discourse", "stackexchange")
PRIMARY_CUM = (  # per persona, the chance of each platform (in PLATFORMS order) being primary
    tuple(accumulate((70, 8, 12, 10))),
    tuple(accumulate((50, 8, 12, 30))),
    tuple(accumulate((45, 15, 15, 25))),
    tuple(accumulate((35, 45, 10, 10))),
    tuple(accumulate((45, 15, 30, 10))),
)
ALSO_ON = {"discord": 0.35, "github": 0.25, "discourse": 0.2, "stackexchange": 0.15}

# per platform: (action, weights for CHATTER, ASKER, HELPER, BUILDER, CREATOR)
ACTIONS: dict[str, tuple[tuple[str, tuple[float, ...]], ...]] = {
    "discord": (
        ("message", (60, 25, 35, 25, 25)),
        ("help_reply", (5, 2, 30, 8, 6)),
        ("help_start", (3, 20, 1, 4, 2)),
        ("react", (15, 8, 10, 10, 12)),
        ("showcase", (0.3, 0.2, 0.5, 3, 2)),
        ("attend", (1, 1.5, 1, 1, 1.5)),
    ),
    "github": (
        ("issue", (4, 10, 3, 8, 3)),
        ("issue_comment", (6, 6, 15, 15, 5)),
        ("pr", (1, 1, 4, 20, 3)),
        ("review", (0.5, 0, 5, 10, 1)),
        ("merge", (0, 0, 2, 8, 0.5)),
        ("star", (5, 5, 1, 1, 2)),
    ),
    "git": (("commit", (1, 1, 1, 1, 1)),),
    "discourse": (
        ("topic", (5, 20, 3, 6, 6)),
        ("topic_reply", (15, 5, 30, 12, 10)),
        ("like", (15, 10, 12, 8, 12)),
        ("publish", (0.1, 0.1, 0.5, 1, 8)),
    ),
    "stackexchange": (
        ("ask", (5, 30, 2, 5, 3)),
        ("answer", (3, 2, 30, 10, 8)),
        ("vote", (15, 15, 25, 15, 15)),
        ("comment", (8, 10, 15, 8, 8)),
    ),
}
FALLBACK = {
    "discord": "message",
    "github": "issue",
    "git": "commit",
    "discourse": "topic",
    "stackexchange": "ask",
}

# activity by hour of the week (UTC, Monday 00:00 first): busiest in the European afternoon
# and American morning, quieter at weekends
HOURLY = (1, 1, 1, 1.5, 2, 3, 4, 5, 6, 7, 7, 7, 7, 8, 9, 9, 9, 8, 7, 6, 5, 3, 2, 1.5)
WEEKLY = tuple(h * (0.55 if day >= 5 else 1.0) for day in range(7) for h in HOURLY)
WEEKLY_CUM = tuple(c / sum(WEEKLY) for c in accumulate(WEEKLY))
WEEKLY_SHARE = tuple(w / sum(WEEKLY) for w in WEEKLY)

DISCORD_IDS = 1_200_000_000_000_000_000
MEE6 = IdentityRef("discord", "159985870458322944", "mee6", display_name="MEE6", is_bot=True)
GITHUB_ACTIONS = IdentityRef(
    "github", "41898282", "github-actions[bot]", display_name="GitHub Actions", is_bot=True
)
DEPENDABOT = IdentityRef("github", "49699333", "dependabot[bot]", is_bot=True)


def generate(
    members: int, events: int, seed: int, start: datetime | None = None
) -> Iterator[ActivityIn]:
    """Exactly ``events`` activities of a synthetic community of ``members`` people.

    ``start`` (default 2025-01-01 UTC) is when the first member joins; everything happens
    within 480 days of it. Each member's first activity is their ``member.joined`` on their
    primary platform (a later first step on another platform begins with a join there too).
    """
    if members < 1:
        raise ValueError("members must be at least 1")
    if events < 0:
        raise ValueError("events must not be negative")
    return _Community(members, events, seed, start or DEFAULT_START).stream()


class _Person:
    """One generated human: their accounts, appetite for activity and open threads."""

    __slots__ = (
        "active_until",
        "handle",
        "index",
        "joined",
        "last_event",
        "persona",
        "platform_cum",
        "platforms",
        "refs",
        "starred",
    )

    def __init__(self, index: int, persona: int, handle: str) -> None:
        self.index = index
        self.persona = persona
        self.handle = handle
        self.refs: dict[str, IdentityRef] = {}
        self.platforms: tuple[str, ...] = ()
        self.platform_cum: tuple[float, ...] = ()
        self.joined: set[str] = set()
        self.active_until = 0.0
        self.last_event = ""
        self.starred = 0


class _Thread:
    """A help thread, forum topic or question: who asked it and who helped first."""

    __slots__ = ("helper", "id", "owner", "title")

    def __init__(self, id: str, owner: _Person, title: str) -> None:
        self.id = id
        self.owner = owner
        self.title = title
        self.helper: _Person | None = None


class _Ring:
    """The last ``size`` items added, sampled with a preference for recent ones."""

    __slots__ = ("items", "next", "size")

    def __init__(self, size: int) -> None:
        self.items: list[Any] = []
        self.size = size
        self.next = 0

    def add(self, item: Any) -> None:
        if len(self.items) < self.size:
            self.items.append(item)
        else:
            self.items[self.next] = item
        self.next = (self.next + 1) % self.size

    def recent(self, rng: random.Random) -> Any:
        n = len(self.items)
        if not n:
            return None
        back = min(int(rng.expovariate(0.04)), n - 1)
        return self.items[(self.next - 1 - back) % n]


class _Community:
    """The state of the community as it grows; :meth:`stream` yields its activities."""

    def __init__(self, members: int, events: int, seed: int, start: datetime) -> None:
        self.rng = random.Random(seed)
        self.random = self.rng.random
        self.seed = seed
        self.start = start if start.tzinfo else start.replace(tzinfo=UTC)
        self.start = self.start.astimezone(UTC)
        self.span = SPAN.total_seconds()
        self.events = events
        self.humans = min(members, events)
        monday = (self.start - timedelta(days=self.start.weekday())).replace(
            hour=0, minute=0, second=0, microsecond=0
        )
        self.week_offset = (self.start - monday).total_seconds()
        self.people: list[_Person] = []
        self.cum_weight: list[float] = []
        self.handles: set[str] = set()
        self.pending: deque[Callable[[float], ActivityIn]] = deque()
        self.n = 0  # index of the activity being made: part of every invented source id
        self.action_table: dict[str, tuple[tuple[Action, ...], tuple[Cum, ...], Fallback]] = {
            platform: (
                tuple(getattr(self, f"_{platform}_{name}") for name, _w in actions),
                tuple(tuple(accumulate(w[p] for _n, w in actions)) for p in range(5)),
                getattr(self, f"_{platform}_{FALLBACK[platform]}"),
            )
            for platform, actions in ACTIONS.items()
        }
        self.help_threads = _Ring(400)
        self.messages = _Ring(600)
        self.topics = _Ring(400)
        self.forum_posts = _Ring(600)
        self.questions = _Ring(600)
        self.se_posts = _Ring(800)
        self.issues = _Ring(500)
        self.open_prs: deque[tuple[str, IdentityRef, str]] = deque(maxlen=400)
        self.numbers = dict.fromkeys(REPO_NAMES, 0)
        self.topic_id = self.post_id = self.vote_id = self.comment_id = 0

    # -- the schedule ----------------------------------------------------------------------

    def stream(self) -> Iterator[ActivityIn]:
        humans, slots, span = self.humans, self.events - self.humans, self.span
        join_power, slot_power = 1 / GROWTH, 1 / (GROWTH + 1)
        joined = slot = 0
        for n in range(self.events):
            self.n = n
            join_at = span * (joined / humans) ** join_power if joined < humans else span * 2
            slot_at = span * ((slot + 0.5) / slots) ** slot_power if slot < slots else span * 2
            if join_at <= slot_at:
                yield self._join_new(joined, join_at)
                joined += 1
                continue
            slot += 1
            if self.pending:
                yield self.pending.popleft()(slot_at)
                continue
            yield self._act(slot_at)

    def _at(self, offset: float) -> datetime:
        """The moment ``offset`` seconds into the span, warped to the weekly rhythm."""
        absolute = self.week_offset + offset
        week, within = divmod(absolute, WEEK)
        fraction = within / WEEK
        hour = min(bisect_right(WEEKLY_CUM, fraction), 167)
        below = WEEKLY_CUM[hour - 1] if hour else 0.0
        seconds = week * WEEK + (hour + (fraction - below) / WEEKLY_SHARE[hour]) * 3600
        seconds = min(max(seconds - self.week_offset, 0.0), self.span)
        return self.start + timedelta(seconds=seconds)

    def _pick(self, cum: Sequence[float]) -> int:
        """An index of ``cum`` (cumulative weights), chosen in proportion to its weight."""
        last = len(cum) - 1
        return bisect_right(cum, self.random() * cum[last], 0, last)

    def _act(self, offset: float) -> ActivityIn:
        people, cum, random = self.people, self.cum_weight, self.random
        last = len(cum) - 1
        total = cum[last]
        for _try in range(4):  # members who drifted away are mostly skipped
            person = people[bisect_right(cum, random() * total, 0, last)]
            if person.active_until >= offset:
                break
        platform = person.platforms[0]
        if len(person.platforms) > 1:
            platform = person.platforms[self._pick(person.platform_cum)]
            if platform not in person.joined and platform != "git":
                return self._join(person, platform, offset)
        actions, cums, fallback = self.action_table[platform]
        activity = actions[self._pick(cums[person.persona])](person, offset)
        return fallback(person, offset) if activity is None else activity

    # -- members ---------------------------------------------------------------------------

    def _join_new(self, index: int, offset: float) -> ActivityIn:
        rng = self.rng
        core_team = index < 5
        weight = rng.uniform(60, 150) if core_team else min(rng.paretovariate(1.15), 400.0)
        persona_cum = ACTIVE_PERSONA_CUM if weight > 8 else PERSONA_CUM
        persona = (HELPER, BUILDER)[index % 2] if core_team else self._pick(persona_cum)
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        person = _Person(index, persona, self._unique_handle(first, last))
        primary = "discord" if core_team else PLATFORMS[self._pick(PRIMARY_CUM[persona])]
        boost = 2.0 if weight > 8 else 1.0
        platforms = [primary] + [
            p for p in PLATFORMS if p != primary and rng.random() < ALSO_ON[p] * boost
        ]
        if core_team:
            platforms = ["discord", "github", "stackexchange", "discourse"]
        if "github" in platforms and (persona in (BUILDER, HELPER) or rng.random() < 0.3):
            platforms.append("git")
        person.platforms = tuple(platforms)
        shares = [1.0] + [0.6 if p == "git" else 0.35 for p in platforms[1:]]
        person.platform_cum = tuple(accumulate(shares))
        person.refs = self._refs(person, first, last, platforms)
        lifetime = rng.expovariate(1 / (110 * 86400)) * (1 + weight**0.5 / 3)
        person.active_until = self.span if core_team else offset + lifetime
        self.people.append(person)
        self.cum_weight.append((self.cum_weight[-1] if self.cum_weight else 0.0) + weight)
        return self._join(person, primary, offset)

    def _unique_handle(self, first: str, last: str) -> str:
        rng = self.rng
        f, l_ = _ascii(first), _ascii(last)
        style = rng.randrange(7)
        handle = (
            f + l_,
            f[0] + l_,
            f"{f}_{l_}",
            f"{f}.{l_}",
            f"{f}{rng.randrange(10, 100)}",
            f"{f}{rng.choice(NICKNAMES)}",
            l_ + f[0],
        )[style]
        base, suffix = handle, 1
        while handle in self.handles:
            suffix += 1
            handle = f"{base}{suffix}"
        self.handles.add(handle)
        return handle

    def _refs(
        self, person: _Person, first: str, last: str, platforms: list[str]
    ) -> dict[str, IdentityRef]:
        rng, i, handle = self.rng, person.index, person.handle
        full = f"{first} {last}"
        login = handle.replace(".", "-").replace("_", "-")
        email = f"{_ascii(first)}.{_ascii(last)}{i}@{rng.choice(EMAIL_DOMAINS)}"
        refs: dict[str, IdentityRef] = {}
        for platform in platforms:
            if platform == "discord":
                user_id = str(DISCORD_IDS // 2 + i * 1_000_003 + rng.randrange(1_000_000))
                name = first if rng.random() < 0.5 else full
                refs[platform] = IdentityRef(platform, user_id, handle, display_name=name)
            elif platform == "github":
                public = email if rng.random() < 0.5 else None
                shown = full if rng.random() < 0.6 else None
                github_id = str(1_000_000 + i * 37 + rng.randrange(37))
                refs[platform] = IdentityRef(platform, github_id, login, public, shown)
            elif platform == "git":
                github_id = refs["github"].external_id
                noreply = f"{github_id}+{login}@users.noreply.github.com"
                address = email if rng.random() < 0.7 else noreply
                refs[platform] = IdentityRef(platform, address, None, address, full)
            elif platform == "discourse":
                username = handle.replace(".", "_")
                refs[platform] = IdentityRef(platform, str(i + 2), username, display_name=full)
            else:
                se_id = str(100 + i * 13 + rng.randrange(13))
                name = full if rng.random() < 0.7 else f"{first}{rng.randrange(100, 999)}"
                refs[platform] = IdentityRef(platform, se_id, display_name=name)
        return refs

    def _join(self, person: _Person, platform: str, offset: float) -> ActivityIn:
        rng = self.rng
        person.joined.add(platform)
        ref = person.refs[platform]
        properties: dict[str, Any] = {}
        if platform == "stackexchange":
            properties = {
                "about_me_set": rng.random() < 0.3,
                "location_set": rng.random() < 0.4,
                "website_set": rng.random() < 0.15,
                "profile_views": int(rng.expovariate(0.1)),
            }
        if platform == "discord":
            self.pending.append(lambda at: self._discord_welcome(person, at))
            if rng.random() < 0.65:
                self.pending.append(lambda at: self._discord_role(person, at))
            if rng.random() < 0.4:
                self.pending.append(lambda at: self._discord_intro(person, at))
        return ActivityIn(
            platform, f"join:{ref.external_id}", "member.joined", self._at(offset), ref,
            properties=properties,
        )  # fmt: skip

    # -- discord ---------------------------------------------------------------------------

    def _message_id(self) -> str:
        return str(DISCORD_IDS + self.n)

    def _discord_welcome(self, person: _Person, offset: float) -> ActivityIn:
        properties = {"channel": "welcome", "length": 64, "mentions": [person.handle]}
        return ActivityIn(
            "discord", self._message_id(), "message.posted", self._at(offset), MEE6,
            "channel", "welcome", properties=properties,
        )  # fmt: skip

    def _discord_role(self, person: _Person, offset: float) -> ActivityIn:
        role = self.rng.choice(ROLES)
        return ActivityIn(
            "discord", f"role:{self.n}", "member.role_picked", self._at(offset),
            person.refs["discord"], properties={"role": role},
        )  # fmt: skip

    def _discord_intro(self, person: _Person, offset: float) -> ActivityIn:
        length = 80 + int(self.rng.expovariate(1 / 200))
        return ActivityIn(
            "discord", self._message_id(), "member.introduced", self._at(offset),
            person.refs["discord"], "channel", "introductions",
            properties={"channel": "introductions", "length": length},
        )  # fmt: skip

    def _discord_message(self, person: _Person, offset: float) -> ActivityIn:
        rng = self.rng
        channel = CHANNEL_NAMES[self._pick(CHANNEL_CUM)]
        message_id = self._message_id()
        properties: dict[str, Any] = {"channel": channel, "length": _length(rng)}
        if rng.random() < 0.3 and (earlier := self.messages.recent(rng)) is not None:
            properties["reply_to"] = earlier[0]
        self.messages.add((message_id, person))
        return ActivityIn(
            "discord", message_id, "message.posted", self._at(offset), person.refs["discord"],
            "channel", channel, properties=properties,
        )  # fmt: skip

    def _discord_help_start(self, person: _Person, offset: float) -> ActivityIn:
        rng = self.rng
        thread = _Thread(self._message_id(), person, _title(rng))
        channel = rng.choice(HELP_CHANNELS)
        self.help_threads.add(thread)
        properties = {"channel": channel, "title": thread.title, "tags": _tags(rng)}
        return ActivityIn(
            "discord", thread.id, "thread.started", self._at(offset), person.refs["discord"],
            "thread", thread.id, properties=properties,
        )  # fmt: skip

    def _discord_help_reply(self, person: _Person, offset: float) -> ActivityIn | None:
        thread = self._others(self.help_threads, person)
        if thread is None:
            return None
        if thread.helper is None:  # the first helper: the asker may mark it solved and thank
            thread.helper = person
            if self.random() < 0.5:
                self.pending.append(lambda at: self._discord_solved(thread, person, at))
            if self.random() < 0.3:
                self.pending.append(lambda at: self._discord_thanks(thread, person, at))
        properties = {"length": _length(self.rng)}
        return ActivityIn(
            "discord", self._message_id(), "thread.replied", self._at(offset),
            person.refs["discord"], "thread", thread.id, thread.owner.refs["discord"],
            properties,
        )  # fmt: skip

    def _discord_react(self, person: _Person, offset: float) -> ActivityIn | None:
        message = self._others(self.messages, person, lambda m: m[1])
        if message is None:
            return None
        message_id, author = message
        return ActivityIn(
            "discord", f"reaction:{self.n}", "reaction.added", self._at(offset),
            person.refs["discord"], "post", message_id, author.refs["discord"],
            {"emoji": self.rng.choice(EMOJI)},
        )  # fmt: skip

    def _discord_solved(self, thread: _Thread, helper: _Person, offset: float) -> ActivityIn:
        return ActivityIn(
            "discord", f"solved:{thread.id}", "thread.solved", self._at(offset),
            thread.owner.refs["discord"], "thread", thread.id, helper.refs["discord"],
        )  # fmt: skip

    def _discord_thanks(self, thread: _Thread, person: _Person, offset: float) -> ActivityIn:
        helper = person.refs["discord"]
        return ActivityIn(
            "discord", f"thanks:{self.n}", "thanks.given", self._at(offset),
            thread.owner.refs["discord"], "member", helper.external_id, helper,
            {"thread": thread.id},
        )  # fmt: skip

    def _discord_showcase(self, person: _Person, offset: float) -> ActivityIn:
        name = f"{self.rng.choice(TAGS)}-{self.rng.choice(('kit', 'lab', 'flow', 'mesh', 'ctl'))}"
        properties = {
            "channel": "showcase",
            "title": name,
            "url": f"https://github.com/{person.handle.replace('.', '-')}/{name}",
        }
        return ActivityIn(
            "discord", self._message_id(), "project.shared", self._at(offset),
            person.refs["discord"], "project", f"project:{self.n}", properties=properties,
        )  # fmt: skip

    def _discord_attend(self, person: _Person, offset: float) -> ActivityIn | None:
        at = self._at(offset)
        event = _event_before(at.date())
        if event == person.last_event:
            return None
        person.last_event = event
        return ActivityIn(
            "discord", f"attend:{self.n}", "event.attended", at, person.refs["discord"],
            "event", event, properties={"channel": "office-hours"},
        )  # fmt: skip

    # -- github and git --------------------------------------------------------------------

    def _repo(self) -> tuple[str, int]:
        repo = REPO_NAMES[self._pick(REPO_CUM)]
        self.numbers[repo] += 1
        return repo, self.numbers[repo]

    def _github_issue(self, person: _Person, offset: float) -> ActivityIn:
        rng = self.rng
        repo, number = self._repo()
        target = f"{repo}#{number}"
        label = rng.choice(("bug", "bug", "bug", "enhancement", "documentation", "question"))
        labels = [label]
        properties: dict[str, Any] = {"repository": repo, "title": _title(rng), "labels": labels}
        if label == "bug" and rng.random() < 0.7:
            severity = SEVERITIES[self._pick((40, 75, 93, 100))]
            labels.append(f"severity:{severity}")
            properties["severity"] = severity
        self.issues.add((target, person, "issue"))
        return ActivityIn(
            "github", f"issue:{target}", "issue.opened", self._at(offset), person.refs["github"],
            "issue", target, properties=properties,
        )  # fmt: skip

    def _github_issue_comment(self, person: _Person, offset: float) -> ActivityIn | None:
        issue = self._others(self.issues, person, lambda i: i[1])
        if issue is None:
            return None
        target, author, target_type = issue
        return ActivityIn(
            "github", f"comment:{self.n}", "issue.commented", self._at(offset),
            person.refs["github"], target_type, target, author.refs["github"],
            {"repository": target.split("#")[0], "length": _length(self.rng)},
        )  # fmt: skip

    def _github_pr(self, person: _Person, offset: float) -> ActivityIn:
        rng = self.rng
        author = person.refs["github"]
        repo, number = self._repo()
        target = f"{repo}#{number}"
        if rng.random() < 0.04:
            author = DEPENDABOT
            title = f"Bump {rng.choice(DEPENDENCIES)} to {rng.randrange(1, 9)}.{rng.randrange(20)}"
        else:
            title = f"{rng.choice(('Fix', 'Add', 'Improve', 'Document'))} {rng.choice(TASKS)}"
            self.issues.add((target, person, "pull_request"))
        self.open_prs.append((target, author, title))
        self.pending.append(lambda at: self._github_ci(target, author, at))
        return ActivityIn(
            "github", f"pr:{target}:opened", "pr.opened", self._at(offset), author,
            "pull_request", target, properties={"repository": repo, "title": title},
        )  # fmt: skip

    def _github_ci(self, target: str, author: IdentityRef, offset: float) -> ActivityIn:
        status = "failed" if self.rng.random() < 0.25 else "passed"
        return ActivityIn(
            "github", f"comment:{self.n}", "issue.commented", self._at(offset), GITHUB_ACTIONS,
            "pull_request", target, author,
            {"repository": target.split("#")[0], "check": status},
        )  # fmt: skip

    def _github_review(self, person: _Person, offset: float) -> ActivityIn | None:
        if not self.open_prs:
            return None
        back = min(int(self.rng.expovariate(0.2)), len(self.open_prs) - 1)
        target, author, _title = self.open_prs[-1 - back]
        if author == person.refs["github"]:
            return None
        state = self.rng.choice(("approved", "approved", "changes_requested", "commented"))
        return ActivityIn(
            "github", f"review:{self.n}", "pr.reviewed", self._at(offset), person.refs["github"],
            "pull_request", target, author, {"state": state},
        )  # fmt: skip

    def _github_merge(self, person: _Person, offset: float) -> ActivityIn | None:
        if not self.open_prs or self.open_prs[0][1] == person.refs["github"]:
            return None
        target, author, _title = self.open_prs.popleft()
        merged_by = person.refs["github"].handle
        return ActivityIn(
            "github", f"pr:{target}:merged", "pr.merged", self._at(offset), author,
            "pull_request", target,
            properties={"repository": target.split("#")[0], "merged_by": merged_by},
        )  # fmt: skip

    def _github_star(self, person: _Person, offset: float) -> ActivityIn | None:
        repo = self._pick(REPO_CUM)
        if person.starred & (1 << repo):
            return None
        person.starred |= 1 << repo
        ref = person.refs["github"]
        return ActivityIn(
            "github", f"star:{REPO_NAMES[repo]}:{ref.external_id}", "repo.starred",
            self._at(offset), ref, "repository", REPO_NAMES[repo],
        )  # fmt: skip

    def _git_commit(self, person: _Person, offset: float) -> ActivityIn:
        sha = hashlib.sha1(f"{self.seed}:{self.n}".encode(), usedforsecurity=False).hexdigest()
        repo = REPO_NAMES[self._pick(REPO_CUM)]
        co_author = self.rng.random() < 0.05
        return ActivityIn(
            "git", sha, "commit.authored", self._at(offset), person.refs["git"], "commit", sha,
            properties={"repository": repo, "co_author": co_author},
        )  # fmt: skip

    # -- discourse -------------------------------------------------------------------------

    def _discourse_topic(self, person: _Person, offset: float) -> ActivityIn:
        rng = self.rng
        self.topic_id += 1
        topic = _Thread(str(self.topic_id), person, _title(rng))
        self.topics.add(topic)
        self.forum_posts.add((f"post:{self.n}", person))
        properties = {
            "title": topic.title,
            "tags": _tags(rng),
            "views": int(rng.expovariate(1 / 150)),
            "category": rng.choice(("Help", "Help", "Ideas", "Show and tell", "Announcements")),
        }
        return ActivityIn(
            "discourse", f"post:{self.n}", "thread.started", self._at(offset),
            person.refs["discourse"], "thread", topic.id, properties=properties,
        )  # fmt: skip

    def _discourse_topic_reply(self, person: _Person, offset: float) -> ActivityIn | None:
        topic = self._others(self.topics, person)
        if topic is None:
            return None
        if topic.helper is None and self.random() < 0.5:  # a helpful first reply
            topic.helper = person
            self.pending.append(lambda at: self._discourse_solved(topic, person, at))
        self.forum_posts.add((f"post:{self.n}", person))
        return ActivityIn(
            "discourse", f"post:{self.n}", "thread.replied", self._at(offset),
            person.refs["discourse"], "thread", topic.id, topic.owner.refs["discourse"],
            {"length": _length(self.rng)},
        )  # fmt: skip

    def _discourse_like(self, person: _Person, offset: float) -> ActivityIn | None:
        post = self._others(self.forum_posts, person, lambda p: p[1])
        if post is None:
            return None
        return ActivityIn(
            "discourse", f"like:{self.n}", "reaction.added", self._at(offset),
            person.refs["discourse"], "post", post[0], post[1].refs["discourse"],
            {"emoji": "heart"},
        )  # fmt: skip

    def _discourse_solved(self, topic: _Thread, helper: _Person, offset: float) -> ActivityIn:
        return ActivityIn(
            "discourse", f"solved:{topic.id}", "thread.solved", self._at(offset),
            topic.owner.refs["discourse"], "thread", topic.id, helper.refs["discourse"],
        )  # fmt: skip

    def _discourse_publish(self, person: _Person, offset: float) -> ActivityIn:
        rng = self.rng
        content_type = rng.choice(CONTENT_TYPES)
        slug = rng.choice(TASKS).replace(" ", "-").replace(".", "")
        url = (
            f"https://www.youtube.com/watch?v=demo{self.n}"
            if content_type in ("video", "talk")
            else f"https://dev.to/{person.handle.replace('.', '')}/how-to-{slug}"
        )
        return ActivityIn(
            "discourse", f"post:{self.n}", "content.published", self._at(offset),
            person.refs["discourse"], "content", url,
            properties={"content_type": content_type, "url": url, "title": f"How to {slug}"},
        )  # fmt: skip

    # -- stack exchange --------------------------------------------------------------------

    def _stackexchange_ask(self, person: _Person, offset: float) -> ActivityIn:
        rng = self.rng
        self.post_id += 1
        question = _Thread(str(self.post_id), person, _title(rng))
        self.questions.add(question)
        self.se_posts.add((question.id, person, "question"))
        properties = {
            "title": question.title,
            "tags": _tags(rng),
            "score": int(rng.gauss(1, 3)),
            "views": int(rng.expovariate(1 / 300)),
            "answer_count": min(int(rng.expovariate(0.8)), 6),
            "community_wiki": False,
        }
        return ActivityIn(
            "stackexchange", f"post:{question.id}", "question.asked", self._at(offset),
            person.refs["stackexchange"], "post", question.id, properties=properties,
        )  # fmt: skip

    def _stackexchange_answer(self, person: _Person, offset: float) -> ActivityIn | None:
        question = self._others(self.questions, person)
        if question is None:
            return None
        self.post_id += 1
        answer_id = str(self.post_id)
        if question.helper is None and self.random() < 0.6:  # the answer the asker accepts
            question.helper = person
            self.pending.append(
                lambda at: self._stackexchange_accepted(question, answer_id, person, at)
            )
        self.se_posts.add((answer_id, person, "answer"))
        properties = {
            "question_id": question.id,
            "score": int(self.rng.gauss(2, 3)),
            "community_wiki": False,
        }
        return ActivityIn(
            "stackexchange", f"post:{answer_id}", "answer.posted", self._at(offset),
            person.refs["stackexchange"], "post", question.id,
            question.owner.refs["stackexchange"], properties,
        )  # fmt: skip

    def _stackexchange_accepted(
        self, question: _Thread, answer: str, helper: _Person, offset: float
    ) -> ActivityIn:
        return ActivityIn(
            "stackexchange", f"accept:{answer}", "answer.accepted", self._at(offset),
            question.owner.refs["stackexchange"], "post", answer, helper.refs["stackexchange"],
            {"question_id": question.id},
        )  # fmt: skip

    def _stackexchange_vote(self, person: _Person, offset: float) -> ActivityIn | None:
        post = self._others(self.se_posts, person, lambda p: p[1])
        if post is None:
            return None
        post_id, author, post_type = post
        up = self.rng.random() < 0.85
        self.vote_id += 1
        properties = {
            "vote_type": "up" if up else "down",
            "vote_type_id": 2 if up else 3,
            "post_type": post_type,
            "community_wiki": False,
        }
        return ActivityIn(  # Stack Exchange does not say who voted
            "stackexchange", f"vote:{self.vote_id}", "vote.cast", self._at(offset), None,
            "post", post_id, author.refs["stackexchange"], properties,
        )  # fmt: skip

    def _stackexchange_comment(self, person: _Person, offset: float) -> ActivityIn | None:
        post = self._others(self.se_posts, person, lambda p: p[1])
        if post is None:
            return None
        self.comment_id += 1
        return ActivityIn(
            "stackexchange", f"comment:{self.comment_id}", "comment.posted", self._at(offset),
            person.refs["stackexchange"], "post", post[0], post[1].refs["stackexchange"],
            {"score": max(0, int(self.rng.expovariate(0.7)))},
        )  # fmt: skip

    # -- helpers ---------------------------------------------------------------------------

    def _others(
        self, ring: _Ring, person: _Person, owner: Callable[[Any], _Person] | None = None
    ) -> Any:
        """A recent item of ``ring`` that belongs to someone other than ``person``."""
        for _try in range(3):
            item = ring.recent(self.rng)
            if item is None:
                return None
            if (owner(item) if owner else item.owner) is not person:
                return item
        return None


@cache
def _ascii(name: str) -> str:
    """``name`` in lower-case ASCII letters, for handles and emails."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return "".join(c for c in plain.lower() if c.isalnum())


def _length(rng: random.Random) -> int:
    return 5 + int(rng.lognormvariate(4, 1))


def _tags(rng: random.Random) -> list[str]:
    return rng.sample(TAGS, rng.randrange(1, 4))


def _title(rng: random.Random) -> str:
    if rng.random() < 0.55:
        return f"How do I {rng.choice(TASKS)}?"
    return f"{rng.choice(ERRORS)} when {rng.choice(CONTEXTS)}"


def _event_before(day: date) -> str:
    """The community event (Tuesdays and Thursdays, after the content calendar) before ``day``."""
    back = {0: 4, 1: 0, 2: 1, 3: 0, 4: 1, 5: 2, 6: 3}[day.weekday()]
    when = day - timedelta(days=back)
    nth = (when.day - 1) // 7 + 1
    last = (when + timedelta(days=7)).month != when.month
    if when.weekday() == 1:
        name = {1: "office-hours", 3: "deep-dive-webinar"}.get(nth, "workshop")
    else:
        name = "town-hall" if last else {2: "showcase-stream"}.get(nth, "pair-programming")
    return f"{name}-{when.isoformat()}"
