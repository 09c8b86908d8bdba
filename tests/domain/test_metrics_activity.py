"""Activity per platform per day and hour of week, popular topics, engagement, content."""

from datetime import UTC, datetime

from hearth.domain.metrics.activity import (
    HourCount,
    TopicCount,
    activity_metrics,
    content_metrics,
    engagement,
    popular_topics,
)
from hearth.domain.metrics.common import KindMonth, People, Period
from hearth.domain.metrics.threads import ThreadOpened, ThreadOutcome

MONDAY_9 = datetime(2024, 1, 1, 9, tzinfo=UTC)


def test_activity_by_platform_day_and_hour_of_week() -> None:
    rows = [
        HourCount("discord", MONDAY_9, 5),
        HourCount("github", MONDAY_9, 2),
        HourCount("discord", datetime(2024, 1, 7, 23, tzinfo=UTC), 1),  # Sunday 23:00
    ]
    figures = activity_metrics(rows)
    assert figures["total"] == 8
    assert figures["by_platform"] == {"discord": 6, "github": 2}
    assert figures["per_day"] == {
        "2024-01-01": {"discord": 5, "github": 2},
        "2024-01-07": {"discord": 1},
    }
    assert figures["hour_of_week"][0][9] == 7
    assert figures["hour_of_week"][6][23] == 1
    assert figures["busiest_hour"] == {"weekday": 0, "hour": 9}


def test_no_activity() -> None:
    figures = activity_metrics([])
    assert figures["total"] == 0 and figures["busiest_hour"] is None
    assert sum(map(sum, figures["hour_of_week"])) == 0


def opening(n: int, **kw: object) -> ThreadOpened:
    return ThreadOpened(("discourse", "thread", str(n)), "thread.started", MONDAY_9, 1, **kw)  # type: ignore[arg-type]


def test_popular_topics_count_each_thread_once_and_break_ties_by_name() -> None:
    openings = [
        opening(1, tags=("python", "python", "rust")),
        opening(2, tags=("rust",), labels=("bug",), category="Help"),
        opening(3, tags=("go",), category="Help"),
    ]
    channels = [TopicCount("channels", "general", 40), TopicCount("channels", "help", 7)]
    topics = popular_topics(openings, channels, limit=2)
    assert topics["tags"] == [{"name": "rust", "count": 2}, {"name": "go", "count": 1}]
    assert topics["labels"] == [{"name": "bug", "count": 1}]
    assert topics["categories"] == [{"name": "Help", "count": 2}]
    assert topics["channels"][0] == {"name": "general", "count": 40}


def test_engagement_per_item_and_the_most_engaging() -> None:
    outcomes = [
        ThreadOutcome(opening(1, title="quiet", views=10), replies=0, reactions=0),
        ThreadOutcome(opening(2, title="busy", views=90), replies=4, reactions=2),
        ThreadOutcome(opening(3, title="no views"), replies=2, reactions=0),
    ]
    figures = engagement(outcomes, limit=2)
    assert figures["items"] == 3
    assert figures["replies_per_item"] == 2.0
    assert figures["reactions_per_item"] == round(2 / 3, 4)
    assert figures["views_per_item"] == 50.0  # over the items the platform counts views of
    assert [item["title"] for item in figures["top"]] == ["busy", "no views"]


def test_engagement_of_nothing() -> None:
    figures = engagement([])
    assert figures["items"] == 0 and figures["replies_per_item"] is None


def test_content_per_month_counts_published_pieces_in_the_period() -> None:
    period = Period(datetime(2024, 1, 1, tzinfo=UTC), datetime(2024, 3, 15, tzinfo=UTC))
    first = datetime(2024, 1, 5, tzinfo=UTC)
    rows = [
        KindMonth(1, "discourse", "content.published", "2024-01", first, 3, 3),
        KindMonth(2, "discourse", "content.published", "2024-02", first, 5, 5),
        KindMonth(2, "discourse", "content.published", "2024-03", first, 2, 2),
        KindMonth(9, "discourse", "content.published", "2024-02", first, 50, 50),  # a bot
        KindMonth(3, "github", "pr.merged", "2024-02", first, 7, 7),
    ]
    figures = content_metrics(rows, People(bots=frozenset({9})), period)
    assert figures["by_month"] == {"2024-01": 3, "2024-02": 5, "2024-03": 2}
    assert figures["published"] == 10
    assert figures["per_month"] == 4.0  # January and February are complete
