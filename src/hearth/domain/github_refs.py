"""Finding references to GitHub issues, pull requests, discussions and releases in chat.

``find_refs`` recognises, in the order they appear:

- ``#123`` (in ``default_repo``; ignored when there is none),
- ``owner/repo#123``,
- ``https://github.com/owner/repo/issues/123`` (also ``pull/123``, ``discussions/123``, and
  ``releases/tag/v1.2``, whose tag is kept in ``tag``).

It ignores what is inside code blocks and inline code, numbers in links to other hosts
(``https://example.com/#123``), Discord channel and role mentions (``<#123>``, ``<@&123>``) and
numbers that are part of a word (``abc#1``, ``C#7``). A reference found twice is returned once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Kind = Literal["issue", "pull", "discussion", "release", "ref"]

# GitHub's rules: owners are letters, digits and single hyphens; repositories also allow . and _
_OWNER = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})"
_REPO = r"[A-Za-z0-9._-]{1,100}"

_CODE = re.compile(r"```.*?(?:```|\Z)|`[^`\n]*`", re.DOTALL)
_DISCORD = re.compile(r"<(?:#|@[!&]?|a?:\w+:)\d+>")
_GITHUB_URL = re.compile(
    rf"https?://(?:www\.)?github\.com/(?P<owner>{_OWNER})/(?P<repo>{_REPO})/"
    r"(?:(?P<kind>issues|pull|discussions)/(?P<number>\d+)|releases/tag/(?P<tag>[^\s/?#>)]+))",
    re.IGNORECASE,
)
_ANY_URL = re.compile(r"<?https?://\S+>?", re.IGNORECASE)
_SHORT = re.compile(
    rf"(?<![\w/#&.-])(?:(?P<owner>{_OWNER})/(?P<repo>{_REPO}))?#(?P<number>\d{{1,7}})(?![\w#])"
)

_URL_KINDS: dict[str, Kind] = {"issues": "issue", "pull": "pull", "discussions": "discussion"}


@dataclass(frozen=True)
class GitHubRef:
    """One reference: ``kind`` is ``issue``, ``pull``, ``discussion``, ``release`` or ``ref``
    (a ``#123`` shorthand, which may be an issue or a pull request until GitHub is asked)."""

    owner: str
    repo: str
    number: int | None
    kind: Kind
    tag: str | None = None

    @property
    def slug(self) -> str:
        return f"{self.owner}/{self.repo}"

    @property
    def key(self) -> tuple[str, str, int | None, str | None]:
        """Identity for de-duplication: case-insensitive repository, number or tag."""
        return (self.owner.lower(), self.repo.lower(), self.number, self.tag)


def _blank(match: re.Match[str]) -> str:
    return " " * len(match.group(0))


def find_refs(text: str, default_repo: str | None = None) -> list[GitHubRef]:
    """Every GitHub reference in ``text``, first occurrence first, each once."""
    text = _DISCORD.sub(_blank, _CODE.sub(_blank, text))
    found: list[tuple[int, GitHubRef]] = []
    for m in _GITHUB_URL.finditer(text):
        owner, repo = m.group("owner"), m.group("repo").removesuffix(".git")
        if m.group("tag"):
            tag = m.group("tag").rstrip(".,;:!?'\"")  # sentence punctuation, not the tag
            found.append((m.start(), GitHubRef(owner, repo, None, "release", tag)))
        else:
            kind = _URL_KINDS[m.group("kind").lower()]
            found.append((m.start(), GitHubRef(owner, repo, int(m.group("number")), kind)))
    # Every URL (GitHub's already read, other hosts ignored) is blanked before the shorthands.
    text = _ANY_URL.sub(_blank, text)
    default = default_repo.split("/", 1) if default_repo and "/" in default_repo else None
    for m in _SHORT.finditer(text):
        number = int(m.group("number"))
        if m.group("owner"):
            ref = GitHubRef(m.group("owner"), m.group("repo"), number, "ref")
        elif default is not None:
            ref = GitHubRef(default[0], default[1], number, "ref")
        else:
            continue
        if number > 0:
            found.append((m.start(), ref))
    found.sort(key=lambda item: item[0])
    seen: set[tuple[str, str, int | None, str | None]] = set()
    refs: list[GitHubRef] = []
    for _pos, ref in found:
        if ref.key not in seen:
            seen.add(ref.key)
            refs.append(ref)
    return refs
