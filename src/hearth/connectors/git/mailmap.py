"""The repository's ``.mailmap`` applied to co-authors, by git itself.

``git log`` applies the mailmap to the author (``%aN``/``%aE``) but prints trailers as they are
written, so ``Co-authored-by: Pradyun Gedam <pradyunsg@users.noreply.github.com>`` has to be
mapped separately. :class:`Mailmap` asks ``git check-mailmap`` — the same rules, the same
``.mailmap`` file, ``mailmap.file`` and ``mailmap.blob`` settings as ``git log`` — for many
contacts per call, and remembers the answers. Hearth never parses ``.mailmap`` itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from hearth.connectors.git.repo import Repository

CONTACTS_PER_CALL = 200
CACHE_LIMIT = 100_000
_CONTACT = re.compile(r"(?P<name>[^<>]*?)\s*<(?P<email>[^<>]*)>")

Contact = tuple[str, str]


def parse_contact(text: str) -> Contact | None:
    """``("Name", "e@mail")`` from ``Name <e@mail>``; ``None`` without a well-formed address."""
    match = _CONTACT.fullmatch(text.strip())
    if match is None:
        return None
    name, email = match.group("name").strip(), match.group("email").strip()
    if not email or any(c.isspace() for c in email):
        return None
    return name, email


def format_contact(contact: Contact) -> str:
    name, email = contact
    return f"{name} <{email}>" if name else f"<{email}>"


class Mailmap:
    """Maps ``(name, e-mail)`` contacts through the repository's mailmap, with a cache."""

    def __init__(self, repo: Repository) -> None:
        self._repo = repo
        self._cache: dict[Contact, Contact] = {}

    def prefetch(self, contacts: Iterable[Contact]) -> None:
        """Look up every contact not seen before, ``CONTACTS_PER_CALL`` per git call."""
        wanted = list(dict.fromkeys(c for c in contacts if c not in self._cache))
        if len(self._cache) + len(wanted) > CACHE_LIMIT:
            self._cache.clear()
        for start in range(0, len(wanted), CONTACTS_PER_CALL):
            chunk = wanted[start : start + CONTACTS_PER_CALL]
            output = self._repo.run("check-mailmap", "--", *(format_contact(c) for c in chunk))
            lines = output.splitlines()
            for contact, line in zip(chunk, lines, strict=False):
                self._cache[contact] = parse_contact(line) or contact
            for contact in chunk[len(lines) :]:
                self._cache[contact] = contact

    def map(self, contact: Contact) -> Contact:
        """The mailmapped ``(name, e-mail)`` of ``contact`` (itself when nothing maps it)."""
        if contact not in self._cache:
            self.prefetch([contact])
        return self._cache[contact]
