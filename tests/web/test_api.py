"""The JSON API: token authentication, role checks, pagination, and a schemathesis run."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import schemathesis
from hypothesis import HealthCheck, given, settings
from sqlalchemy import Engine

from hearth.actions.context import Caller
from hearth.actions.ingest import ingest
from hearth.actions.sessions import check_create_api_token
from hearth.domain.activity import ActivityIn, IdentityRef
from tests.web.accounts import make_account
from tests.web.conftest import serve

T0 = datetime(2024, 1, 1, tzinfo=UTC)


def seed(engine: Engine) -> None:
    people = [IdentityRef("discord", str(i), handle=f"user{i}") for i in range(5)]
    ingest(
        engine,
        [
            ActivityIn("discord", f"m{i}", "message.posted", T0, people[i % 5], properties={"n": i})
            for i in range(25)
        ],
    )


def token_for(engine: Engine, role: str = "staff") -> str:
    account = make_account(engine, f"api-{role}", role)
    if role not in ("staff", "admin"):
        return "hth_not-a-token"
    return check_create_api_token(engine, Caller.operator(), account, "tests")


def test_tokens_authenticate_and_pages_follow_each_other(engine: Engine, live_server: str) -> None:
    seed(engine)
    token = token_for(engine)
    with httpx.Client(base_url=live_server, headers={"Authorization": f"Bearer {token}"}) as client:
        assert client.get("/api/v1/me").json() == {
            "username": "api-staff",
            "role": "staff",
            "member_id": None,
        }
        seen: list[int] = []
        after = 0
        while True:
            page = client.get("/api/v1/activities", params={"after": after, "limit": 10}).json()
            seen += [a["id"] for a in page["activities"]]
            if page["next_after"] is None:
                break
            after = page["next_after"]
        assert len(seen) == 25 and seen == sorted(seen)
        members = client.get("/api/v1/members", params={"limit": 3}).json()
        assert (
            len(members["members"]) == 3 and members["next_after"] == members["members"][-1]["id"]
        )
        assert members["members"][0]["identities"][0]["platform"] == "discord"
        metrics = client.get("/api/v1/metrics", params={"period": "all"}).json()
        assert metrics["activity"]["total"] == 25
        assert client.get("/api/v1/activities", params={"limit": 0}).status_code == 422
    bad = httpx.get(live_server + "/api/v1/members", headers={"Authorization": "Bearer hth_nope"})
    assert bad.status_code == 401 and bad.json()["error"]["code"] == "auth"
    assert bad.headers["www-authenticate"] == "Bearer"
    # The old address still answers.
    assert len(httpx.get(live_server + "/api/members").json()["members"]) == 5
    schema = httpx.get(live_server + "/api/v1/openapi.json").json()
    assert {"/api/v1/members", "/api/v1/activities", "/api/v1/metrics"} <= set(schema["paths"])
    assert not any(path.startswith(("/staff", "/login")) for path in schema["paths"])


def test_schemathesis_finds_no_server_errors(db_url: str, engine: Engine) -> None:
    """Every operation of /api/v1/openapi.json, with generated valid and invalid input."""
    seed(engine)
    headers = {"Authorization": f"Bearer {token_for(engine)}"}
    with serve(db_url) as url:
        schema = schemathesis.openapi.from_url(f"{url}/api/v1/openapi.json")
        operations = [result.ok() for result in schema.get_all_operations()]
        assert len(operations) == 4
        for operation in operations:

            @given(case=operation.as_strategy())
            @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
            def check(case: Any) -> None:
                response = case.call(base_url=url, headers=headers)
                assert response.status_code < 500, (case.path, case.query, response.text)
                case.validate_response(response)

            check()
