"""The code-of-conduct ladder and automatic moderation, as pure functions.

:func:`propose_step` reads the playbook's ladder: the step for the member's next violation is
the one whose ``on_violation`` equals their active strikes plus one (past the last numbered
step, the last one applies again); a severe violation goes to the first step marked
``severe``. A strike is *active* while it is younger than ``strike_lasts`` and not voided by an
accepted appeal (:func:`active_strikes`).

:func:`automod_hits` checks one chat message against the automod rules: banned words and
links by content, spam by the author's recent message times (which the caller keeps).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from hearth.domain.playbook.programs import AutomodRule, LadderStep, Moderation

ACTIONS = ("warning", "timeout", "temporary_ban", "permanent_ban")
CASE_KINDS = (*ACTIONS, "report", "unban")


@dataclass(frozen=True, slots=True)
class Strike:
    """A past violation: when, and whether an appeal voided it."""

    at: datetime
    voided: bool = False


def active_strikes(strikes: Iterable[Strike], now: datetime, lasts: timedelta | None) -> int:
    """How many of ``strikes`` still count at ``now``."""
    return sum(
        1 for s in strikes if not s.voided and s.at <= now and (lasts is None or now - s.at < lasts)
    )


@dataclass(frozen=True, slots=True)
class Proposal:
    """The ladder's next step for a member: which violation this is and what to do."""

    violation: int
    step: LadderStep | None

    @property
    def action(self) -> str | None:
        return self.step.action if self.step else None

    @property
    def duration(self) -> timedelta | None:
        return self.step.duration if self.step else None


def propose_step(ladder: Sequence[LadderStep], active: int, *, severe: bool = False) -> Proposal:
    """The step for a new violation by a member with ``active`` strikes (None: no ladder)."""
    violation = active + 1
    if severe:
        for step in ladder:
            if step.severe:
                return Proposal(violation, step)
    numbered = sorted((s for s in ladder if s.on_violation is not None), key=_number)
    if not numbered:
        return Proposal(violation, None)
    chosen = numbered[0]
    for step in numbered:
        if _number(step) <= violation:
            chosen = step
    return Proposal(violation, chosen)


def _number(step: LadderStep) -> int:
    return step.on_violation or 0


def propose(
    moderation: Moderation | None, strikes: Iterable[Strike], now: datetime, *, severe: bool = False
) -> Proposal:
    """:func:`propose_step` for the playbook's moderation section and a member's strikes."""
    if moderation is None:
        return Proposal(1, None)
    active = active_strikes(strikes, now, moderation.strike_lasts)
    return propose_step(moderation.ladder, active, severe=severe)


_LINK = re.compile(r"https?://([^\s<>]+)", re.IGNORECASE)


def _links(content: str) -> list[str]:
    return [m.group(1).lower().rstrip(").,>") for m in _LINK.finditer(content)]


def _link_matches(link: str, banned: str) -> bool:
    banned = banned.lower().strip("/")
    host = link.split("/", 1)[0].split(":", 1)[0]
    if "/" in banned:
        return link.startswith(banned) or link.startswith("www." + banned)
    return host == banned or host.endswith("." + banned)


def automod_hits(
    rules: Iterable[AutomodRule],
    content: str,
    recent: Sequence[datetime] = (),
    now: datetime | None = None,
) -> list[AutomodRule]:
    """The rules a message breaks. ``recent``: the author's message times, this one included
    (for spam rules)."""
    hits: list[AutomodRule] = []
    for rule in rules:
        if rule.type == "banned_words":
            words = "|".join(re.escape(w) for w in rule.words)
            if re.search(rf"(?<!\w)(?:{words})(?!\w)", content, re.IGNORECASE):
                hits.append(rule)
        elif rule.type == "banned_links":
            links = _links(content)
            if any(_link_matches(link, d) for link in links for d in rule.domains):
                hits.append(rule)
        elif rule.per is not None and rule.max_messages is not None and now is not None:
            window = [t for t in recent if now - t <= rule.per]
            if len(window) > rule.max_messages:
                hits.append(rule)
    return hits
