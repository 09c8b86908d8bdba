"""Every health metric of a period, from the plain records the store streams.

The two big inputs are condensed first, each by a pure function that reads its stream once:
threads by :func:`~.threads.summarize_threads`, member activity by
:func:`~.members.member_histories` (for the scopes :func:`member_scopes` names). The caller
may run the two side by side. :func:`health_report` then computes every figure and returns
the JSON-ready report (``docs/metrics.md`` defines each one).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from hearth.domain.metrics.activity import (
    HourCount,
    TopicCount,
    activity_metrics,
    content_metrics,
    engagement,
    popular_topics,
)
from hearth.domain.metrics.common import KindMonth, People, Period, month_of
from hearth.domain.metrics.contributors import contributor_metrics
from hearth.domain.metrics.funnel import onboarding_funnel, phoenix_funnel
from hearth.domain.metrics.members import MemberHistory, member_metrics
from hearth.domain.metrics.nps import NpsAnswer, nps
from hearth.domain.metrics.satisfaction import TicketRating, satisfaction
from hearth.domain.metrics.stages import growth_stages
from hearth.domain.metrics.targets import TargetSet, evaluate_targets
from hearth.domain.metrics.threads import ThreadOutcome, thread_metrics

DISCORD = "discord"


def member_scopes(platform: str | None) -> list[str | None]:
    """The member histories :func:`health_report` needs: the platform's (None: all) and
    Discord's (for the growth stages)."""
    return [platform] if platform == DISCORD else [platform, DISCORD]


@dataclass
class MetricInputs:
    """The condensed records of one period and scope (iterables are read once)."""

    period: Period
    people: People
    contribution_kinds: frozenset[str]
    histories: Mapping[str | None, MemberHistory]
    platform: str | None = None
    launch: datetime | None = None  # when the community started (growth stages)
    outcomes: Sequence[ThreadOutcome] = ()
    kind_months: Sequence[KindMonth] = ()
    hours: Iterable[HourCount] = ()
    channels: Iterable[TopicCount] = ()
    nps_answers: Iterable[NpsAnswer] = ()
    ratings: Iterable[TicketRating] = ()  # support tickets' ratings (satisfaction)
    # member -> when they first began holding a tier (None: the rules engine has not run)
    tier_reached: Mapping[int, datetime] | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def health_report(inputs: MetricInputs, targets: TargetSet | None = None) -> dict[str, Any]:
    """All metrics of ``inputs`` as a JSON-ready mapping, with ``targets`` evaluated."""
    period, people, platform = inputs.period, inputs.people, inputs.platform
    outcomes, histories, kind_rows = inputs.outcomes, inputs.histories, inputs.kind_months
    threads = thread_metrics(outcomes)
    history = histories[platform]
    members = member_metrics(history, period)
    contributors = contributor_metrics(
        kind_rows, people, period, inputs.contribution_kinds, platform
    )
    steps = phoenix_funnel(inputs.contribution_kinds)
    launch = month_of(inputs.launch) if inputs.launch is not None else None
    overall = threads.overall.response_dict()
    report: dict[str, Any] = {
        "period": {
            "since": period.since.isoformat(),
            "until": period.until.isoformat(),
            "platform": platform,
            "include_bots": people.include_bots,
            "staff_in_counts": people.staff_in_counts,
            **inputs.extra,
        },
        "time_to_first_response": threads.time_to_first_response(),
        "response_rate": overall["response_rate"],
        "resolution_rate": overall["resolution_rate"],
        "time_to_close": threads.time_to_close(),
        "members": members.to_dict(),
        "contributors": contributors.to_dict(),
        "bus_factor": contributors.bus_factor if contributors.contributions else None,
        "activity": activity_metrics(inputs.hours),
        "popular_topics": popular_topics((o.opening for o in outcomes), inputs.channels),
        "engagement": engagement(outcomes),
        "content": content_metrics(kind_rows, people, period, platform),
        "funnel": onboarding_funnel(
            steps, history.first_seen, kind_rows, period, platform, inputs.tier_reached
        ),
        "nps": nps(inputs.nps_answers, period),
        "satisfaction": satisfaction(inputs.ratings, period, people),
        "growth_stages": (
            growth_stages(
                launch,
                period.until,
                histories[DISCORD],
                contributors.first_contribution,
                kind_rows,
                people,
            )
            if launch is not None
            else None
        ),
    }
    if targets is not None:
        report["targets"] = {
            "set": targets.name,
            "results": [r.to_dict() for r in evaluate_targets(targets.targets, report)],
        }
    return report
