from hearth.domain.matching import IdentityRecord, noreply_login, normalise, suggest


def rec(i: int, member: int, platform: str, ext: str, handle=None, email=None, names=()):
    return IdentityRecord(i, member, platform, ext, handle, email, tuple(names))


def test_noreply_addresses() -> None:
    assert noreply_login("12345+Alice-Dev@users.noreply.github.com") == ("12345", "alice-dev")
    assert noreply_login("alice@users.noreply.github.com") == (None, "alice")
    assert noreply_login("alice@example.org") is None


def test_normalise_folds_case_accents_and_punctuation() -> None:
    assert normalise("Zoë_Smith-") == normalise("zoe smith") == "zoesmith"


def test_evidence_and_ranking() -> None:
    records = [
        rec(1, 1, "discord", "100", "alice"),
        rec(2, 2, "github", "5512", "Alice", names=["Alice Liddell"]),
        rec(
            3,
            3,
            "git",
            "5512+alice@users.noreply.github.com",
            email="5512+alice@users.noreply.github.com",
            names=["Alice Liddell"],
        ),
        rec(4, 4, "git", "bob@example.org", email="bob@example.org"),
        rec(5, 5, "discourse", "9", "bobby", email="Bob@Example.org"),
        rec(6, 6, "discord", "7", "bob"),
        rec(7, 6, "github", "8", "bob"),  # same member already: never suggested
    ]
    found = suggest(records, min_score=0.0)
    pairs = {(s.member_a, s.member_b): s for s in found}
    assert pairs[(2, 3)].score == 1.0
    assert {k for k, _ in pairs[(2, 3)].evidence} == {"github_noreply", "same_name"}
    assert pairs[(4, 5)].evidence == [("same_email", "bob@example.org")]
    assert pairs[(1, 2)].evidence == [("same_handle", "alice")]
    assert all(s.member_a != s.member_b for s in found)
    assert found[0].score >= found[-1].score
    # Handles on the same platform are different accounts, not evidence.
    assert (6, 6) not in pairs
    assert [(s.member_a, s.member_b) for s in suggest(records)] == [(2, 3), (4, 5), (1, 2)]


def test_shared_addresses_are_not_evidence() -> None:
    records = [rec(i, i, "git", f"x{i}", email="noreply@example.org") for i in range(60)]
    assert suggest(records, min_score=0.0) == []
