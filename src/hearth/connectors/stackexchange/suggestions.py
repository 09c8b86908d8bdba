"""Feature requests of a Stack Exchange meta site, as suggestions with their votes.

Meta sites keep feature requests as questions tagged ``feature-request``; moderators mark
their fate with ``status-*`` tags. :func:`parse_feature_requests` reads Posts.xml and Votes.xml
(streamed, like the ledger importer) and yields one
:class:`~hearth.actions.idea_import.ImportedSuggestion` per such question: its title, its
text (the HTML body reduced to text), its author's identity, its status and its up- and
down-votes (``VoteTypeId`` 2 and 3; dumps name no voter for them, so each vote is keyed by its
own id). ``hearth import suggestions-stackexchange`` hands them to
:func:`hearth.actions.idea_import.do_import_suggestions`.

========================================== ============
tag                                        status
========================================== ============
``status-completed``                       done
``status-planned``                         planned
``status-declined``, ``status-bydesign``,  declined (the tag is the reason)
``status-norepro``
``status-review``, ``status-deferred``,    open
none
========================================== ============
"""

from __future__ import annotations

from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

from hearth.actions.idea_import import ImportedSuggestion
from hearth.connectors.stackexchange.naming import Naming, author_key
from hearth.connectors.stackexchange.posts import QUESTION, parse_tags
from hearth.connectors.stackexchange.rows import read_rows
from hearth.errors import RecordError

FEATURE_REQUEST = "feature-request"
UP, DOWN = 2, 3
STATUS_TAGS = {
    "status-completed": "done",
    "status-planned": "planned",
    "status-declined": "declined",
    "status-bydesign": "declined",
    "status-norepro": "declined",
    "status-review": "open",
    "status-deferred": "open",
}


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_text(html: str) -> str:
    """The text of an HTML body (tags dropped, entities decoded, blank lines squeezed)."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    lines = [line.rstrip() for line in "".join(parser.parts).splitlines()]
    return "\n".join(line for line in lines if line).strip()


def status_of(tags: list[str]) -> tuple[str, str | None]:
    for tag in tags:
        if tag in STATUS_TAGS:
            return STATUS_TAGS[tag], tag
    return "open", None


def parse_feature_requests(
    folder: Path, *, site: str | None = None
) -> Iterator[ImportedSuggestion | RecordError]:
    """The feature requests of the dump in ``folder``, with their votes."""
    naming = Naming(site)
    found: dict[int, ImportedSuggestion] = {}
    for row in read_rows(folder / "Posts.xml"):
        if isinstance(row, RecordError):
            yield row
            continue
        try:
            if row.integer("PostTypeId") != QUESTION:
                continue
            tags = parse_tags(row.text("Tags"))
            if FEATURE_REQUEST not in tags:
                continue
            post_id = row.required_integer("Id")
            status, tag = status_of(tags)
            owner = author_key(row.integer("OwnerUserId"), row.text("OwnerDisplayName"))
            found[post_id] = ImportedSuggestion(
                origin="stackexchange",
                source_id=naming.source_id("post", post_id),
                title=(row.text("Title") or f"#{post_id}")[:200],
                body=html_text(row.text("Body") or "")[:4000],
                author=naming.identity(owner),
                created_at=row.date("CreationDate"),
                status=status,
                reason=tag if status == "declined" else None,
                stated_score=row.integer("Score") or 0,
            )
        except RecordError as error:
            yield error
    votes = folder / "Votes.xml"
    if votes.is_file():
        for row in read_rows(votes):
            if isinstance(row, RecordError):
                yield row
                continue
            try:
                kind = row.integer("VoteTypeId")
                if kind not in (UP, DOWN):
                    continue
                request = found.get(row.required_integer("PostId"))
                if request is None:
                    continue
                vote_id = naming.source_id("vote", row.required_integer("Id"))
                value = 1 if kind == UP else -1
                request.votes.append((vote_id, value, row.date("CreationDate")))
            except RecordError as error:
                yield error
    yield from found.values()
