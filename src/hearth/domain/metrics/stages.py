"""The growth-stage table: the community's figures month by month after launch.

Month 1 is the launch month (the playbook will say when that was; until then, the month of the
first activity in the ledger), month 12 the eleventh month after it. A month's figure is known
once the month has ended (before the end of the period); later months are pending. The table
is about the whole community: it ignores the period's start and the platform filter.

======================== ================================================================
series                   figure at the end of month N
======================== ================================================================
discord_members          members (bots and, by default, staff left out) who had joined on
                         Discord by then
discord_active_members   Discord members active during month N
github_stars             ``repo.starred`` activities by then (by anyone but bots)
contributors             contributors (first contribution) by then
community_content        ``content.published`` activities during month N
production_users         not measured: no activity records production use (always None)
======================== ================================================================
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from hearth.domain.metrics.common import (
    KindMonth,
    People,
    add_months,
    month_of,
    month_start,
    next_month,
)
from hearth.domain.metrics.members import MemberHistory

STAGE_COUNT = 12
STAR_KIND = "repo.starred"
CONTENT_KIND = "content.published"


def growth_stages(
    launch: str,
    until: datetime,
    discord: MemberHistory,
    first_contribution: Mapping[int, datetime],
    rows: Iterable[KindMonth],
    people: People,
) -> dict[str, Any]:
    """The growth-stage series for months 1..12 after ``launch`` (a ``"YYYY-MM"``)."""
    months = [add_months(launch, n) for n in range(STAGE_COUNT)]
    complete = sum(1 for m in months if month_start(next_month(m)) <= until)
    stars = dict.fromkeys(months, 0)
    content = dict.fromkeys(months, 0)
    stars_before = 0
    for row in rows:
        if not people.acts(row.member_id):
            continue
        if row.kind == STAR_KIND:
            if row.month < launch:
                stars_before += row.count
            elif row.month in stars:
                stars[row.month] += row.count
        elif row.kind == CONTENT_KIND and row.month in content:
            content[row.month] += row.count
    joined = [month_of(at) for at in discord.first_seen.values()]
    contributed = [month_of(at) for m, at in first_contribution.items() if people.counted(m)]
    series: dict[str, list[int | None] | None] = {
        "discord_members": [],
        "discord_active_members": [],
        "github_stars": [],
        "contributors": [],
        "community_content": [],
        "production_users": None,
    }
    running_stars = stars_before
    for index, month in enumerate(months):
        running_stars += stars[month]
        known = index < complete
        values: dict[str, int] = {
            "discord_members": sum(1 for m in joined if m <= month),
            "discord_active_members": sum(
                1 for active in discord.active_months.values() if month in active
            ),
            "github_stars": running_stars,
            "contributors": sum(1 for m in contributed if m <= month),
            "community_content": content[month],
        }
        for name, value in values.items():
            column = series[name]
            assert column is not None
            column.append(value if known else None)
    return {"launch": launch, "months": months, "complete": complete, "series": series}
