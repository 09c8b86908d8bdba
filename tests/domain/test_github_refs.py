from hearth.domain.github_refs import GitHubRef, find_refs


def test_shorthands_and_urls() -> None:
    text = (
        "Fixed in #12 (see also pypa/pip#3 and https://github.com/a/b/pull/7), released in "
        "https://github.com/a/b/releases/tag/v1.2.0; discussion "
        "https://github.com/a/b/discussions/40 and issue https://github.com/a/b/issues/41."
    )
    assert find_refs(text, "pypa/pip") == [
        GitHubRef("pypa", "pip", 12, "ref"),
        GitHubRef("pypa", "pip", 3, "ref"),
        GitHubRef("a", "b", 7, "pull"),
        GitHubRef("a", "b", None, "release", "v1.2.0"),
        GitHubRef("a", "b", 40, "discussion"),
        GitHubRef("a", "b", 41, "issue"),
    ]


def test_bare_numbers_need_a_default_repository() -> None:
    assert find_refs("see #5", None) == []
    assert find_refs("see #5", "o/r") == [GitHubRef("o", "r", 5, "ref")]


def test_ignored_places() -> None:
    text = (
        "`#1` and\n```\nfix #2\nowner/repo#3\n```\n<#412898016371015680> <@&123> "
        "https://example.com/page#4 https://gitlab.com/o/r/issues/5 C#6 abc#7 #0 ##8"
    )
    assert find_refs(text, "o/r") == []


def test_duplicates_are_reported_once() -> None:
    text = "#9, o/r#9, O/R#9 and https://github.com/o/r/issues/9"
    assert find_refs(text, "o/r") == [GitHubRef("o", "r", 9, "ref")]


def test_real_github_links_from_the_komodo_channel() -> None:
    text = (
        "@miles https://github.com/jl777/komodo/issues/1131 and "
        "https://github.com/VerusCoin/Agama/releases/tag/v0.6.0.13-PBaaS-Cross-chain-Technology-"
        "Preview"
    )
    refs = find_refs(text, None)
    assert refs[0] == GitHubRef("jl777", "komodo", 1131, "issue")
    assert refs[1].tag == "v0.6.0.13-PBaaS-Cross-chain-Technology-Preview"
