"""Who a git author is in the ledger: identities, bots and GitHub ``noreply`` addresses.

The identity of a git author is their e-mail address *after* the repository's ``.mailmap``,
lower-cased (git compares e-mails without regard to case): one identity per mailmapped e-mail
is what keeps every commit made under one address with one member. Its display name is the
mailmapped name; every name an identity is seen under is kept by the ledger.

A commit without an e-mail address (``Ben Darnell <>``) is credited to a stand-in identity
``name:<lower-cased name>``, which cannot collide with an e-mail address; staff can link it to
the person's other identities.

Bots are authors whose name or e-mail user part ends in ``[bot]`` (GitHub's app accounts:
``dependabot[bot]``, ``49699333+dependabot[bot]@users.noreply.github.com``).

GitHub's private addresses ``<id>+<login>@users.noreply.github.com`` (and the older
``<login>@users.noreply.github.com``) name the GitHub account; :func:`github_account` returns
its login and numeric id for the activity's properties, where identity suggestions can find them.
"""

from __future__ import annotations

import re
import unicodedata

from hearth.connectors.git import PLATFORM
from hearth.domain.activity import IdentityRef

NAME_PREFIX = "name:"
_NOREPLY = re.compile(
    r"(?:(?P<id>[0-9]+)\+)?(?P<login>[^@+\s]+)@users\.noreply\.github\.com", re.IGNORECASE
)


def identity_id(name: str, email: str) -> str | None:
    """The identity's ``external_id``: the lower-cased e-mail, else ``name:<name>``, else None."""
    if email:
        return email.lower()
    if name:
        return NAME_PREFIX + unicodedata.normalize("NFC", name).lower()
    return None


def is_bot(name: str, email: str) -> bool:
    """Whether the author is an automated account (``...[bot]`` name or e-mail user part)."""
    user = email.rsplit("@", 1)[0]
    return name.lower().endswith("[bot]") or user.lower().endswith("[bot]")


def github_account(*emails: str) -> dict[str, object]:
    """``github_login`` and ``github_user_id`` from the first GitHub noreply address given."""
    for email in emails:
        match = _NOREPLY.fullmatch(email.strip())
        if match is None:
            continue
        account: dict[str, object] = {"github_login": match.group("login")}
        if match.group("id"):
            account["github_user_id"] = int(match.group("id"))
        return account
    return {}


def identity_ref(name: str, email: str, raw_name: str) -> IdentityRef | None:
    """The ledger identity of an author or co-author (``None`` with neither name nor e-mail).

    ``raw_name`` is the name before ``.mailmap``; the identity is known under it too.
    """
    external_id = identity_id(name, email)
    if external_id is None:
        return None
    return IdentityRef(
        platform=PLATFORM,
        external_id=external_id,
        email=email.lower() or None,
        display_name=name or None,
        is_bot=is_bot(name, email),
        other_names=(raw_name,) if raw_name and raw_name != name else (),
    )
