"""DEFAULT TARGETS, until the playbooks carry them.

Every target number of the Phoenix strategy and the Atlas plan is here, and only here. When
the playbook gains its health, growth-stage and support targets, the shipped ``phoenix`` and
``atlas`` playbooks take these numbers over and this module goes away: callers already pass
targets in (:func:`~hearth.domain.metrics.targets.evaluate_targets`).

Amber thresholds are not in either document; the default (20% off the target) applies.
"""

from __future__ import annotations

from hearth.domain.metrics.targets import Target, TargetSet

# -- Phoenix community strategy: "Community Metrics" ---------------------------------------
PHOENIX_HEALTH = (
    Target("time_to_first_response.median_hours", "<", 2),  # Response Time < 2 hours
    Target("resolution_rate", ">", 0.90),  # Resolution Rate > 90%
    Target("members.growth", ">=", 0.20),  # Member Growth 20% MoM
    Target("members.weekly_active.share", ">", 0.30),  # Active Members > 30% weekly active
    Target("contributors.growth", ">=", 0.10),  # Contributor Growth 10% MoM
    Target("content.per_month", ">=", 20),  # Content Creation 20+ pieces/month
    Target("nps.score", ">", 50),  # NPS Score > 50
)

# Growth Metrics: series -> (month 1, month 3, month 6, month 12)
PHOENIX_STAGE_TABLE: dict[str, tuple[int, int, int, int]] = {
    "discord_members": (100, 500, 2_000, 10_000),
    "github_stars": (100, 1_000, 5_000, 20_000),
    "contributors": (10, 50, 150, 500),
    "community_content": (5, 20, 50, 100),
    "production_users": (5, 25, 100, 500),
}
STAGE_MONTHS = (1, 3, 6, 12)

PHOENIX_STAGES = tuple(
    Target(f"stages.{series}", ">=", value, month=month)
    for series, values in PHOENIX_STAGE_TABLE.items()
    for month, value in zip(STAGE_MONTHS, values, strict=True)
)

PHOENIX = TargetSet("phoenix", PHOENIX_HEALTH + PHOENIX_STAGES)

# -- Atlas community engagement plan: "Metrics for Success" --------------------------------
ATLAS = TargetSet(
    "atlas",
    (
        # response time to support tickets: under 24 hours for the initial reply
        Target("time_to_first_response.by_type.ticket.median_hours", "<", 24),
        # 100 active Discord members within the first month
        Target("stages.discord_active_members", ">=", 100, month=1),
    ),
)

TARGET_SETS: dict[str, TargetSet] = {PHOENIX.name: PHOENIX, ATLAS.name: ATLAS}
