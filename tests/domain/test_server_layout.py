"""The layout diff, as plain data."""

from hearth.domain.playbook.server import Server
from hearth.domain.server_layout import (
    ChannelSpec,
    Layout,
    OverwriteSpec,
    RoleSpec,
    desired_layout,
    plan_layout,
)

SERVER = Server.model_validate(
    {
        "roles": [{"name": "Champion", "colour": "#f1c40f", "tier": "champion"}],
        "categories": [
            {
                "name": "Special",
                "channels": [
                    {"name": "champions", "access": ["champion", "core_team"], "slowmode": "10s"},
                    {"name": "office-hours", "voice": True, "purpose": "weekly"},
                ],
            }
        ],
    }
)


def test_desired_layout_turns_access_into_overwrites() -> None:
    layout = desired_layout(SERVER, {"core_team": "Core Team"})
    champions = layout.channels[0]
    assert champions.slowmode == 10
    assert set(champions.overwrites) == {
        OverwriteSpec("@everyone", deny=frozenset({"view_channel"})),
        OverwriteSpec("Champion", allow=frozenset({"view_channel"})),
        OverwriteSpec("Core Team", allow=frozenset({"view_channel"})),
    }
    assert layout.channels[1].topic is None  # voice channels have no topic
    assert layout.roles == (RoleSpec("Champion", colour=0xF1C40F),)


def test_plan_creates_updates_and_prunes_only_when_asked() -> None:
    desired = desired_layout(SERVER, {"core_team": "Core Team"})
    actual = Layout(
        roles=(RoleSpec("Champion", colour=0xF1C40F), RoleSpec("Old")),
        categories=(ChannelSpec("Special", "category"),),
        channels=(
            ChannelSpec("office-hours", "voice", category=None),
            ChannelSpec("random", "text", category="Special"),
        ),
    )
    plan = [c.describe() for c in plan_layout(desired, actual)]
    assert plan == [
        "+ channel Special / champions",
        "+ overwrite @everyone on Special / champions",
        "+ overwrite Champion on Special / champions",
        "+ overwrite Core Team on Special / champions",
        "~ channel Special / office-hours (category: none → 'Special')",
    ]
    pruned = [c.describe() for c in plan_layout(desired, actual, prune=True)]
    assert pruned == [*plan, "- role Old", "- channel Special / random"]
    assert plan_layout(desired, desired) == []
