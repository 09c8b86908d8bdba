"""Playbook files: the shipped playbooks and the loader that reads any playbook file.

``load_playbook("phoenix")`` loads a shipped playbook (``phoenix``, ``atlas``,
``stackexchange``: the YAML files of this folder); any other argument is a path. Errors are
:class:`PlaybookError`, whose ``problems`` each name ``file:line:column``, the field and what
was expected. The schema itself is pure and lives in :mod:`hearth.domain.playbook`.
"""

from __future__ import annotations

from hearth.playbooks.loader import (
    PLAYBOOK_DIR,
    PlaybookError,
    load_playbook,
    parse_playbook_text,
    playbook_path,
    shipped_playbooks,
)

__all__ = [
    "PLAYBOOK_DIR",
    "PlaybookError",
    "load_playbook",
    "parse_playbook_text",
    "playbook_path",
    "shipped_playbooks",
]
