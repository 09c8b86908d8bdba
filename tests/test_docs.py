from pathlib import Path

from hearth.docs_gen import generated_docs

DOCS = Path(__file__).resolve().parent.parent / "docs"


def test_generated_references_are_up_to_date() -> None:
    for name, text in generated_docs().items():
        assert (DOCS / name).read_text(encoding="utf-8") == text, (
            f"docs/{name} is out of date; run 'make docs'"
        )


def test_every_kind_is_documented() -> None:
    from hearth.domain.kinds import all_kinds

    text = (DOCS / "activities.md").read_text(encoding="utf-8")
    assert all(f"`{kind.name}`" in text for kind in all_kinds())
