"""validate_activity's fast path agrees with its full checks on every activity."""

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from hearth.domain.activity import (
    MAX_PLATFORM,
    MAX_SOURCE_ID,
    ActivityIn,
    IdentityRef,
    _plainly_valid,
    _problems,
    validate_activity,
)

refs = st.none() | st.builds(
    IdentityRef, st.sampled_from(["discord", "github"]), st.text(max_size=3)
)
activities = st.builds(
    ActivityIn,
    platform=st.text(max_size=2) | st.just("x" * MAX_PLATFORM) | st.just("x" * (MAX_PLATFORM + 1)),
    source_id=st.text(max_size=2)
    | st.just("s" * MAX_SOURCE_ID)
    | st.just("s" * (MAX_SOURCE_ID + 1)),
    kind=st.sampled_from(["message.posted", "repo.starred", "member.joined", "no.such.kind"]),
    occurred_at=st.just(datetime(2024, 1, 1, tzinfo=UTC)) | st.just("2024-01-01"),  # type: ignore[arg-type]
    actor=refs,
    target_owner=refs,
)


@given(activities)
def test_the_fast_path_passes_exactly_the_activities_with_no_problems(activity: ActivityIn) -> None:
    assert _plainly_valid(activity) == (not _problems(activity))
    assert validate_activity(activity) == _problems(activity)
