"""Git: a local repository's history (authors and ``Co-authored-by:`` trailers) as activities.

Modules, from the outside in:

- :mod:`~hearth.connectors.git.repo` finds the repository, names it and runs ``git``;
- :mod:`~hearth.connectors.git.log` streams ``git log`` into :class:`~.log.Commit` records,
  with git applying the repository's ``.mailmap`` to the authors;
- :mod:`~hearth.connectors.git.mailmap` applies the same ``.mailmap`` to co-authors
  (``git check-mailmap``), which ``git log`` leaves as written;
- :mod:`~hearth.connectors.git.people` decides identities: the mailmapped e-mail is the
  identity, bots, GitHub ``noreply`` addresses;
- :mod:`~hearth.connectors.git.history` turns commits into ``commit.authored`` activities.

See :func:`hearth.connectors.git.history.parse_history` and docs/connectors/git.md.
"""

PLATFORM = "git"
