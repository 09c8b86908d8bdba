"""The stackexchange playbook against the sites' own Badges.xml, on both real dumps.

Prints, per badge, how many users' badge counts agree (over the users who hold it or should),
and requires at least 90% overall. docs/playbook-stackexchange.md explains the disagreements.
"""

from __future__ import annotations

import collections
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from hearth.actions.derive import do_rebuild
from hearth.actions.ingest import ingest
from hearth.connectors.stackexchange.dump import parse_dump
from hearth.playbooks import load_playbook
from hearth.store import migrate
from hearth.store.db import create_engine

SITES = ["bicycles-meta-2023", "conlang-meta-2020"]


def badge_counts(path: Path) -> dict[str, collections.Counter[str]]:
    expected: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    for _, element in ET.iterparse(path):
        if element.tag == "row":
            expected[element.get("Name", "")][element.get("UserId", "")] += 1
            element.clear()
    return expected


def derived_counts(engine: Engine, names: dict[str, str]) -> dict[str, collections.Counter[str]]:
    got: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT a.achievement, i.external_id FROM awards a JOIN identities i "
                "ON i.member_id = a.member_id AND i.platform = 'stackexchange'"
            )
        )
        for achievement, external_id in rows:
            got[names[achievement]][external_id] += 1
    return got


@pytest.mark.slow
@pytest.mark.parametrize("site", SITES)
def test_badges_agree_with_the_dump(site: str, shared_data: Path, tmp_path: Path) -> None:
    folder = shared_data / "stackexchange" / site
    engine = create_engine(f"sqlite:///{tmp_path}/se.db")
    migrate.upgrade(engine)
    ingest(engine, parse_dump(folder))
    playbook = load_playbook("stackexchange")
    do_rebuild(engine, playbook)
    names = {a.key: a.name for a in playbook.achievements}
    expected = badge_counts(folder / "Badges.xml")
    got = derived_counts(engine, names)
    engine.dispose()
    agree = total = 0
    print(f"\n{site}: users whose badge count agrees with Badges.xml")
    for name in names.values():
        users = set(expected[name]) | set(got[name])
        ok = sum(1 for user in users if expected[name][user] == got[name][user])
        agree += ok
        total += len(users)
        print(f"  {name:18} {ok:5} / {len(users):5}")
    rate = agree / total
    print(f"  overall {agree} / {total} = {rate:.1%}")
    assert rate >= 0.90
    # Every badge the playbook names exists on the site (a misspelt name would never agree).
    assert {n for n in names.values() if expected[n]} >= {"Student", "Teacher", "Scholar"}
