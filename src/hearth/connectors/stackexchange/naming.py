"""How dump records are named in the ledger: source ids and identities.

Every activity's ``source_id`` is the dump table and the row's id (``post:12``, ``vote:345``,
``accept:<answer id>``...), so re-importing a dump changes nothing. Accounts are identities on
the ``stackexchange`` platform whose ``external_id`` is the site's user id.

Posts, comments and edits whose author's account was deleted carry no user id, only the name
the site still shows (``OwnerDisplayName``/``UserDisplayName``, typically ``user1234`` after the
deleted account's id). Their kinds need an actor, so they are credited to a stand-in identity
``deleted:<that name>``, one per shown name, and to ``deleted`` when even the name is missing.
Stand-ins never collide with real accounts, whose ids are numbers.

User ``-1`` is the site's ``Community`` process and is flagged as a bot.

By default ids are the dump's own; a ``site`` prefix (``bicycles.meta`` gives
``bicycles.meta/post:12``, user ``bicycles.meta/5`` and target post ``bicycles.meta/12``) keeps
two sites apart in one ledger.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

from hearth.domain.activity import IdentityRef
from hearth.errors import InputError
from hearth.i18n import _

PLATFORM = "stackexchange"
COMMUNITY_USER_ID = "-1"
DELETED = "deleted"


def author_key(user_id: int | None, shown_name: str | None) -> str:
    """The account key of an author: the user id, or the stand-in for a deleted account."""
    if user_id is not None:
        return sys.intern(str(user_id))
    return sys.intern(f"{DELETED}:{shown_name}" if shown_name else DELETED)


def is_stand_in(key: str) -> bool:
    """Whether ``key`` names a deleted account's stand-in rather than a real account."""
    return key == DELETED or key.startswith(f"{DELETED}:")


@dataclass(frozen=True, slots=True)
class Naming:
    """Source ids and identity refs for one dump, optionally prefixed by its site."""

    site: str | None = None

    def __post_init__(self) -> None:
        if self.site is not None and (not self.site or "/" in self.site or " " in self.site):
            raise InputError(
                _("A site name is a short name such as 'bicycles.meta' (no '/' or spaces).")
            )

    def _prefixed(self, value: str) -> str:
        return f"{self.site}/{value}" if self.site else value

    def source_id(self, table: str, row_id: int) -> str:
        """The ``source_id`` of row ``row_id`` of ``table`` (``post``, ``vote``...)."""
        return self._prefixed(f"{table}:{row_id}")

    def post(self, post_id: int) -> str:
        """The ``target_id`` of post ``post_id``: prefixed too, or two sites' posts with the
        same id would be one target (one thread to solve, one item to earn a badge on)."""
        return self._prefixed(str(post_id))

    def identity(self, key: str | None, display_name: str | None = None) -> IdentityRef | None:
        """The identity of the account ``key`` (from :func:`author_key`); ``None`` for None."""
        if key is None:
            return None
        if is_stand_in(key):
            display_name = key.partition(":")[2] or None
        return IdentityRef(
            PLATFORM,
            self._prefixed(key),
            display_name=display_name,
            is_bot=key == COMMUNITY_USER_ID,
        )
