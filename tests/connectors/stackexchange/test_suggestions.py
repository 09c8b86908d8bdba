"""bicycles.meta's feature requests imported as suggestions: scores from Votes.xml, statuses."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

from sqlalchemy import Engine

from hearth.actions.context import Caller
from hearth.actions.idea_import import do_import_suggestions
from hearth.actions.ideas import access_roadmap, access_suggestions
from hearth.connectors.stackexchange.suggestions import parse_feature_requests
from hearth.domain.activity import IdentityRef

OPERATOR = Caller.operator()


def _oracle(folder: Path) -> dict[str, tuple[int, int, int, list[str]]]:
    """Per feature-request post: (Score, up-votes, down-votes, tags), read independently."""
    votes: Counter[tuple[str, str]] = Counter()
    for row in ET.parse(folder / "Votes.xml").getroot():
        votes[(row.get("PostId", ""), row.get("VoteTypeId", ""))] += 1
    found = {}
    for row in ET.parse(folder / "Posts.xml").getroot():
        tags = (row.get("Tags") or "").strip("<>|").replace("><", "|").split("|")
        if row.get("PostTypeId") == "1" and "feature-request" in tags:
            pid = row.get("Id", "")
            found[f"post:{pid}"] = (
                int(row.get("Score", "0")),
                votes[(pid, "2")],
                votes[(pid, "3")],
                tags,
            )
    return found


def test_bicycles_meta_feature_requests(engine: Engine, shared_data: Path) -> None:
    folder = shared_data / "stackexchange" / "bicycles-meta-2023"
    records = list(parse_feature_requests(folder))
    assert all(not isinstance(r, Exception) for r in records)
    report = do_import_suggestions(engine, OPERATOR, records)  # type: ignore[arg-type]
    oracle = _oracle(folder)
    assert report.suggestions == report.new == len(oracle) == 39
    assert report.votes == 128 and report.mismatched == []
    listed = {s.source_id: s for s in access_suggestions(engine, OPERATOR, limit=1000)}
    assert set(listed) == set(oracle)
    for source_id, (score, up, down, tags) in oracle.items():
        s = listed[source_id]
        assert (s.up, s.down) == (up, down), source_id
        assert s.score == up - down == score, source_id  # Posts.xml Score = up - down
        assert (s.status == "done") == ("status-completed" in tags), source_id
    assert sum(s.up for s in listed.values()) == 121
    assert sum(s.down for s in listed.values()) == 7
    done = access_roadmap(engine, OPERATOR)["done"]
    assert sorted(int(s.source_id.split(":")[1]) for s in done) == [592, 648, 654, 661, 741, 916]
    declined = [s for s in listed.values() if s.status == "declined"]
    assert [(s.source_id, s.status_reason) for s in declined] == [("post:386", "status-bydesign")]
    # the author of post 216 (user 134) is a member; a deleted account's post has a stand-in
    assert listed["post:216"].author_member_id is not None
    assert listed["post:933"].author_member_id is not None
    # importing again changes nothing
    again = do_import_suggestions(engine, OPERATOR, list(parse_feature_requests(folder)))  # type: ignore[arg-type]
    assert again.new == 0
    assert {s.source_id: s.score for s in access_suggestions(engine, OPERATOR, limit=1000)} == {
        k: v[0] for k, v in oracle.items()
    }
    assert isinstance(records[0].author, IdentityRef)  # type: ignore[union-attr]
