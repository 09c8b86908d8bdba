"""Playbook sections beyond points: targets, bounties, budget, mentorship, governance, moderation.

The rules engine does not read these; the metrics pages, the support queue, the bounty board,
elections, moderation cases and the bot's server set-up do (each in its own issue). They are
typed now so that every number of a strategy document has a checked place in the playbook.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Literal

from pydantic import Field, StringConstraints, model_validator

from hearth.domain.playbook.base import (
    Duration,
    Key,
    NonNegativeInt,
    Number,
    PlaybookModel,
    PositiveInt,
    Text,
    TypeLabel,
    When,
)
from hearth.domain.playbook.server import (  # the server section has its own module
    Channel,
    Server,
    ServerCategory,
)

__all__ = ["Channel", "Server", "ServerCategory"]

METRICS: dict[str, str] = {
    "first_response_time": "time from a question, thread or ticket to the first reply by "
    "someone else",
    "resolution_rate": "share of questions and threads that got an accepted answer, a solution "
    "or a reply",
    "new_members": "members who joined in the period (with `unit: percent`: growth over the "
    "previous period)",
    "members": "members at the end of the period",
    "active_members": "members with at least one activity in the period (with `unit: "
    "percent`: share of all members)",
    "contributors": "members with a contribution activity in the period",
    "new_contributors": "members whose first contribution falls in the period (with `unit: "
    "percent`: growth over the previous period)",
    "content_published": "`content.published` activities in the period",
    "stars": "`repo.starred` activities (cumulative: stars)",
    "activity_count": "activities matching `match` in the period",
    "nps": "net promoter score from a survey, entered by staff",
    "external": "a figure Hearth does not collect (followers, subscribers, viewers, production "
    "users), entered by staff",
}
Metric = Annotated[
    Literal[
        "first_response_time",
        "resolution_rate",
        "new_members",
        "members",
        "active_members",
        "contributors",
        "new_contributors",
        "content_published",
        "stars",
        "activity_count",
        "nps",
        "external",
    ],
    TypeLabel("metric"),
]
_MATCHABLE = ("activity_count", "first_response_time", "resolution_rate")
Comparison = Literal["<", "<=", ">", ">="]
Unit = Literal["hours", "minutes", "percent", "count", "score"]
Period = Literal["day", "week", "month", "quarter", "year"]


class Goal(PlaybookModel):
    """A measured figure and, optionally, the value it should reach."""

    metric: Metric = Field(description="What is measured (see *Metrics*).")
    comparison: Comparison | None = Field(
        default=None,
        description="How the figure compares to `value` when on target (`<`, `<=`, `>`, `>=`); "
        "null with `value` null: tracked without a target.",
    )
    value: Number | None = Field(default=None, description="The target value, in `unit`.")
    amber: Number | None = Field(
        default=None,
        description="The worst value still shown amber (missed, but close); null: 20% off `value`.",
    )
    unit: Unit = Field(default="count", description="The unit of `value`.")
    period: Period | None = Field(
        default=None,
        description="The period the figure is measured over (per day, per week...); for "
        "growth in percent, the period compared with the one before (month: month over month).",
    )
    platform: str | None = Field(
        default=None, description="Only activity on this platform (discord, github...)."
    )
    match: When | None = Field(
        default=None,
        description="For `activity_count` (required): the activities counted. For "
        "`first_response_time` and `resolution_rate`: the activities that open a case "
        "(default: questions and threads).",
    )

    @model_validator(mode="after")
    def _consistent(self) -> Goal:
        if (self.comparison is None) != (self.value is None):
            raise ValueError("expected both 'comparison' and 'value', or neither (tracked only)")
        if self.amber is not None and self.value is None:
            raise ValueError("'amber' needs a target 'value'")
        if self.metric == "activity_count" and self.match is None:
            raise ValueError("the metric activity_count needs 'match': the activities counted")
        if self.match is not None and self.metric not in _MATCHABLE:
            raise ValueError(f"'match' applies to {', '.join(_MATCHABLE)}, not to {self.metric}")
        return self


class _Named(PlaybookModel):
    key: Key = Field(description="Stable identifier.")
    name: Text = Field(description="Name shown on the metrics pages.")


class HealthTarget(Goal, _Named):
    """One row of the community health table."""

    measurement: str | None = Field(
        default=None, description="How it is measured, in the strategy's words."
    )


class PlatformGoal(Goal, _Named):
    """A platform the community uses, what for, and its activity goal (key: the platform)."""

    purpose: str | None = Field(default=None, description="What the community uses it for.")


class GrowthMetric(PlaybookModel):
    """One row of the growth-stage table: a figure to reach by month N after the start."""

    key: Key = Field(description="Stable identifier.")
    name: Text = Field(description="Name shown on the metrics pages.")
    metric: Metric = Field(description="What is measured (see *Metrics*).")
    platform: str | None = Field(default=None, description="Only this platform.")
    match: When | None = Field(default=None, description="For `activity_count`: what counts.")
    cumulative: bool = Field(
        default=True,
        description="true: the total reached by the end of that month; false: the figure "
        "within that month alone.",
    )
    by_month: dict[PositiveInt, NonNegativeInt] = Field(
        min_length=1, description="Month number (1 = the first month) → the target figure."
    )

    @model_validator(mode="after")
    def _consistent(self) -> GrowthMetric:
        if (self.metric == "activity_count") != (self.match is not None):
            raise ValueError("'match' is expected exactly when the metric is activity_count")
        return self


class Growth(PlaybookModel):
    """Growth stages: where the community should be after 1, 3, 6, 12 months."""

    starts: date | None = Field(
        default=None,
        description="The day month 1 starts; null: the day of the first activity in the ledger.",
    )
    metrics: list[GrowthMetric] = Field(default_factory=list, description="The rows.")


class SupportTarget(PlaybookModel):
    """A response-time promise for questions or tickets."""

    key: Key = Field(description="Stable identifier.")
    name: Text = Field(description="Name shown on the support queue.")
    description: str | None = Field(default=None, description="What is promised, in words.")
    opens: When = Field(description="The activities that open a case (a ticket, a question).")
    responses: When | None = Field(
        default=None,
        description="What counts as a response; null: any activity on the same target by "
        "someone other than the member who opened it.",
    )
    first_response_within: Duration = Field(description="The first response is due within.")
    goal_percent: Number | None = Field(
        default=None,
        description="Share of cases (0-100) that should meet the promise; null: every case.",
    )


class Targets(PlaybookModel):
    """Health targets, platform goals, growth stages and support promises."""

    health: list[HealthTarget] = Field(default_factory=list, description="Health metrics.")
    platforms: list[PlatformGoal] = Field(
        default_factory=list, description="Platforms and their activity goals."
    )
    growth: Growth | None = Field(default=None, description="Growth stages.")
    support: list[SupportTarget] = Field(
        default_factory=list, description="Response-time promises."
    )


# -- bounties and budget --------------------------------------------------------------------


class BountyReward(PlaybookModel):
    """A reward range (or a fixed reward) within a bounty category."""

    name: Text = Field(description="What is rewarded (Critical, Video tutorials...).")
    min_usd: NonNegativeInt | None = Field(default=None, description="Lowest reward, in US$.")
    max_usd: NonNegativeInt | None = Field(default=None, description="Highest reward, in US$.")
    usd: NonNegativeInt | None = Field(default=None, description="A fixed reward, in US$.")
    per: str | None = Field(default=None, description="Paid per unit (e.g. `language`).")
    condition: str | None = Field(
        default=None, description="What earns it (e.g. `10% improvement`)."
    )

    @model_validator(mode="after")
    def _range(self) -> BountyReward:
        ranged = self.min_usd is not None and self.max_usd is not None
        if ranged == (self.usd is not None) or (
            not ranged and (self.min_usd is not None or self.max_usd is not None)
        ):
            raise ValueError("expected either min_usd and max_usd, or usd")
        if self.min_usd is not None and self.max_usd is not None and self.min_usd > self.max_usd:
            raise ValueError("min_usd is greater than max_usd")
        return self


class BountyCategory(PlaybookModel):
    """A category of the bounty program."""

    key: Key = Field(description="Stable identifier.")
    name: Text = Field(description="Display name.")
    icon: str | None = Field(default=None, description="An emoji shown with the name.")
    rewards: list[BountyReward] = Field(min_length=1, description="The reward levels.")


class Bounties(PlaybookModel):
    """The bounty program's categories and reward ranges."""

    categories: list[BountyCategory] = Field(default_factory=list, description="Categories.")


class BudgetItem(PlaybookModel):
    """One item of a budget line."""

    name: Text = Field(description="What the money is for.")
    usd: NonNegativeInt = Field(description="Amount, in US$ per year.")


class BudgetLine(PlaybookModel):
    """A line of the annual budget; its items, when listed, must add up to it."""

    key: Key = Field(description="Stable identifier.")
    name: Text = Field(description="Display name.")
    usd: NonNegativeInt = Field(description="Amount, in US$ per year.")
    items: list[BudgetItem] = Field(default_factory=list, description="Breakdown.")

    @model_validator(mode="after")
    def _adds_up(self) -> BudgetLine:
        total = sum(item.usd for item in self.items)
        if self.items and total != self.usd:
            raise ValueError(f"the items add up to {total}, not {self.usd}")
        return self


class Budget(PlaybookModel):
    """The annual community budget; the lines must add up to the total."""

    annual_usd: PositiveInt = Field(description="Total, in US$ per year.")
    lines: list[BudgetLine] = Field(default_factory=list, description="Budget lines.")

    @model_validator(mode="after")
    def _adds_up(self) -> Budget:
        total = sum(line.usd for line in self.lines)
        if self.lines and total != self.annual_usd:
            raise ValueError(f"the lines add up to {total}, not {self.annual_usd}")
        return self


# -- people programs --------------------------------------------------------------------------


class Mentorship(PlaybookModel):
    """The mentorship program's format."""

    mentees_per_mentor: PositiveInt = Field(description="Mentees per mentor (1:3 → 3).")
    duration_months: PositiveInt = Field(
        description="Length of a mentorship, in calendar months (a program length, not a rule "
        "duration)."
    )
    hours_per_week: Number = Field(description="Expected commitment, hours per week.")
    outcome: str | None = Field(default=None, description="What a mentee completes.")
    recognition: list[str] = Field(default_factory=list, description="What a mentee receives.")


class Council(PlaybookModel):
    """An elected community council."""

    seats: PositiveInt = Field(description="Number of members.")
    term_months: PositiveInt = Field(description="Term length, in calendar months.")
    elected: bool = Field(default=True, description="Members are elected by the community.")
    role: list[str] = Field(default_factory=list, description="What the council does.")


class Governance(PlaybookModel):
    """How decisions are made and who makes them."""

    decision_process: list[str] = Field(
        default_factory=list, description="The steps of a decision (RFC → release)."
    )
    core_team: list[str] = Field(default_factory=list, description="The core team's duties.")
    council: Council | None = Field(default=None, description="The community council.")
    working_groups: list[str] = Field(default_factory=list, description="Working groups.")


ModerationAction = Literal["warning", "timeout", "temporary_ban", "permanent_ban"]


class LadderStep(PlaybookModel):
    """One step of the code-of-conduct enforcement ladder."""

    action: ModerationAction = Field(description="What moderators do.")
    on_violation: PositiveInt | None = Field(
        default=None, description="Applies at this violation (1 = the first)."
    )
    severe: bool = Field(default=False, description="Also applies at once to a severe violation.")
    duration: Duration | None = Field(
        default=None, description="For `timeout` and `temporary_ban`: how long."
    )
    description: str | None = Field(default=None, description="The rule in words.")

    @model_validator(mode="after")
    def _consistent(self) -> LadderStep:
        timed = self.action in ("timeout", "temporary_ban")
        if timed and self.duration is None:
            raise ValueError(f"a {self.action} needs a duration")
        if not timed and self.duration is not None:
            raise ValueError(f"a {self.action} has no duration")
        if self.on_violation is None and not self.severe:
            raise ValueError("expected on_violation, severe: true, or both")
        return self


AutomodAction = Literal["delete", "warning", "timeout"]


class AutomodRule(PlaybookModel):
    """An automatic moderation rule the bot applies to messages as they arrive."""

    key: Key = Field(description="Stable identifier (named in the case it opens).")
    type: Literal["spam", "banned_words", "banned_links"] = Field(
        description="`spam`: more than `max_messages` within `per`; `banned_words`: a message "
        "contains one of `words` (whole words, any case); `banned_links`: a link to one of "
        "`domains` (or their subdomains)."
    )
    max_messages: PositiveInt | None = Field(
        default=None, description="For `spam`: the most messages allowed within `per`."
    )
    per: Duration | None = Field(default=None, description="For `spam`: the time window.")
    words: list[Text] = Field(default_factory=list, description="For `banned_words`.")
    domains: list[Text] = Field(default_factory=list, description="For `banned_links`.")
    actions: list[AutomodAction] = Field(
        default_factory=lambda: list[AutomodAction](["delete"]),
        min_length=1,
        description="What the bot does: `delete` the message, give a `warning` (a case and a "
        "strike), or a `timeout` of `duration`.",
    )
    duration: Duration | None = Field(default=None, description="For a `timeout`: how long.")

    @model_validator(mode="after")
    def _consistent(self) -> AutomodRule:
        if self.type == "spam" and (self.max_messages is None or self.per is None):
            raise ValueError("a spam rule needs max_messages and per")
        if self.type == "banned_words" and not self.words:
            raise ValueError("a banned_words rule needs words")
        if self.type == "banned_links" and not self.domains:
            raise ValueError("a banned_links rule needs domains")
        if ("timeout" in self.actions) != (self.duration is not None):
            raise ValueError("a duration is expected exactly when the actions include timeout")
        return self


class Moderation(PlaybookModel):
    """The code of conduct's principles and its enforcement ladder."""

    principles: list[str] = Field(default_factory=list, description="Core principles.")
    ladder: list[LadderStep] = Field(default_factory=list, description="Enforcement, in order.")
    strike_lasts: Duration | None = Field(
        default=None,
        description="How long a violation counts towards the ladder's next step; null: for ever.",
    )
    automod: list[AutomodRule] = Field(
        default_factory=list, description="Automatic moderation rules for chat messages."
    )


# -- support tickets --------------------------------------------------------------------------

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
ClockTime = Annotated[
    str, StringConstraints(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$"), TypeLabel("time (HH:MM)")
]


class BusinessHours(PlaybookModel):
    """When the support team works; targets with `business_hours: true` run only then."""

    timezone: str = Field(default="UTC", description="An IANA time zone (`Europe/Berlin`).")
    days: list[Weekday] = Field(
        default_factory=lambda: list[Weekday](["mon", "tue", "wed", "thu", "fri"]),
        min_length=1,
        description="Working days.",
    )
    start: ClockTime = Field(default="09:00", description="A working day starts (local time).")
    end: ClockTime = Field(default="17:00", description="A working day ends (local time).")
    holidays: list[date] = Field(default_factory=list, description="Days off (YYYY-MM-DD).")

    @model_validator(mode="after")
    def _consistent(self) -> BusinessHours:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"'{self.timezone}' is not a known time zone") from None
        if self.end <= self.start:
            raise ValueError("the working day must end after it starts")
        return self


class TicketCategory(PlaybookModel):
    """A kind of support ticket, with its response target."""

    key: Key = Field(description="Stable identifier.")
    name: Text = Field(description="Shown when a member opens a ticket.")
    description: str | None = Field(default=None, description="What belongs here.")
    first_response_within: Duration = Field(description="The first answer is due within.")
    business_hours: bool = Field(
        default=False,
        description="Measure the target in the support section's `business_hours`.",
    )


class Support(PlaybookModel):
    """Support tickets: categories and their response targets, reminders, inactivity."""

    categories: list[TicketCategory] = Field(
        min_length=1, description="Ticket categories, in the order members see them."
    )
    business_hours: BusinessHours | None = Field(
        default=None, description="Working hours for targets measured in business hours."
    )
    channel: Text | None = Field(
        default=None,
        description="The chat channel tickets are opened under (each ticket is a private "
        "thread of it); null: the channel `/ticket` is used in.",
    )
    staff_role: Text | None = Field(
        default=None,
        description="The chat role that answers tickets: mentioned on new tickets, reminders "
        "and alerts (private threads are visible to the member and to roles that may manage "
        "threads).",
    )
    remind_before: Duration = Field(
        default=timedelta(minutes=30),
        description="Staff are reminded this long before a first-response target is missed.",
    )
    inactive_after: Duration = Field(
        default=timedelta(days=3),
        description="A ticket with no message for this long is warned that it will close.",
    )
    close_after: Duration = Field(
        default=timedelta(days=1),
        description="A warned ticket still quiet this long after the warning is closed.",
    )
    help_forums: list[Text] = Field(
        default_factory=list,
        description="Forum channels whose posts are treated as tickets: the asker or staff "
        "mark a post solved with `/solved`, which credits the helper (`thread.solved`).",
    )
    help_category: Key | None = Field(
        default=None,
        description="The ticket category of a help-forum post whose tags name no category; "
        "null: the first category.",
    )

    @model_validator(mode="after")
    def _help_category(self) -> Support:
        if self.help_category is not None and self.category(self.help_category) is None:
            raise ValueError(f"help_category '{self.help_category}' is not a ticket category")
        return self

    def category(self, key: str) -> TicketCategory | None:
        return next((c for c in self.categories if c.key == key), None)

    def forum_category(self, tags: tuple[str, ...] = ()) -> TicketCategory:
        """The category of a help-forum post: the first of its tags that names a category
        (by key or name), else ``help_category``, else the first category."""
        wanted = {tag.strip().casefold() for tag in tags}
        for category in self.categories:
            if category.key.casefold() in wanted or category.name.casefold() in wanted:
                return category
        if self.help_category is not None:
            found = self.category(self.help_category)
            if found is not None:
                return found
        return self.categories[0]


# -- calendar, launch (the server section is in server.py) ----------------------------------


class CalendarItem(PlaybookModel):
    """Recurring content or a recurring event."""

    key: Key = Field(description="Stable identifier.")
    name: Text = Field(description="Display name.")
    type: Literal["content", "event"] = Field(description="Content to publish or an event.")
    times: PositiveInt = Field(default=1, description="How many per `per`.")
    per: Literal["day", "week", "month", "quarter", "year", "release"] = Field(
        description="The period."
    )
    schedule: str | None = Field(
        default=None, description="When in the period, in words (`Monday`, `First Tuesday`)."
    )
    duration: Duration | None = Field(default=None, description="How long an event lasts.")
    owner: str | None = Field(default=None, description="Who is responsible.")
    platforms: list[str] = Field(default_factory=list, description="Where it happens.")


class LaunchStep(PlaybookModel):
    """A step of a launch plan, by day."""

    from_day: PositiveInt = Field(description="First day (1 = launch day).")
    to_day: PositiveInt = Field(description="Last day.")
    tasks: list[Text] = Field(min_length=1, description="What is done.")

    @model_validator(mode="after")
    def _ordered(self) -> LaunchStep:
        if self.to_day < self.from_day:
            raise ValueError("to_day is before from_day")
        return self


# -- feature suggestions and contests (docs/suggestions.md) ---------------------------------


class ContestPrize(PlaybookModel):
    """What the suggestion at one place of a contest wins: points or an achievement."""

    place: PositiveInt = Field(description="The place (1 = the top-voted suggestion).")
    points: PositiveInt | None = Field(
        default=None, description="Points given to the suggestion's author."
    )
    achievement: Key | None = Field(
        default=None, description="An achievement awarded to the author (one of `achievements`)."
    )

    @model_validator(mode="after")
    def _one_prize(self) -> ContestPrize:
        if (self.points is None) == (self.achievement is None):
            raise ValueError("expected either 'points' or 'achievement'")
        return self


class Contests(PlaybookModel):
    """Time-boxed suggestion contests: the top-voted ideas posted within one win its prizes."""

    duration: Duration = Field(
        default=timedelta(days=30), description="How long a contest runs unless staff say."
    )
    min_score: int = Field(
        default=1, description="The least score (up-votes minus down-votes) that can win."
    )
    prizes: list[ContestPrize] = Field(
        default_factory=list, description="The prizes, by place; places not listed win nothing."
    )

    @model_validator(mode="after")
    def _places(self) -> Contests:
        places = [prize.place for prize in self.prizes]
        if len(set(places)) != len(places):
            raise ValueError("each place has at most one prize")
        return self


class Suggestions(PlaybookModel):
    """Feature suggestions, their votes and the public roadmap."""

    channel: Text | None = Field(
        default=None,
        description="The chat channel `/suggest` posts suggestions in (the ideas channel); "
        "null: the channel the command is used in.",
    )
    announcement_channel: Text | None = Field(
        default=None,
        description="Where status changes are announced; null: the suggestions `channel`.",
    )
    contests: Contests | None = Field(default=None, description="Suggestion contests.")
