"""Code-formatting help: real messages from the Komodo support export, and hand-written ones."""

import csv
from pathlib import Path

import pytest

from hearth.domain.code_blocks import FenceSuggestion, guess_language, render_fenced, suggest_fence


def komodo(shared_data: Path, file: str, row: int) -> str:
    path = shared_data / "discord" / "komodo-support-csv" / file
    with path.open(newline="", encoding="utf-8") as handle:
        records = list(csv.reader(handle, delimiter=";"))
    return records[row][3]  # row 1 is the first message after the header


@pytest.mark.parametrize(
    ("file", "row", "reason", "language"),
    [
        ("162.csv", 93, "unfenced", "json"),  # `getinfo` output pasted bare
        ("61.csv", 67, "unfenced", "shell"),  # swap-file commands after a line of prose
        ("70.csv", 96, "no_language", "shell"),  # ``` around apt-get / make commands
        ("83.csv", 56, "no_language", "json"),  # ``` around getwalletinfo output
        ("83.csv", 52, "broken_fence", "json"),  # single backticks around multi-line JSON
        ("181.csv", 71, "broken_fence", ""),  # single backticks around a make log
    ],
)
def test_real_messages_get_the_right_suggestion(
    shared_data: Path, file: str, row: int, reason: str, language: str
) -> None:
    suggestion = suggest_fence(komodo(shared_data, file, row))
    assert suggestion is not None
    assert (suggestion.reason, suggestion.language) == (reason, language)


@pytest.mark.parametrize(
    ("file", "row"),
    [
        ("1.csv", 7),  # a question in prose
        ("82.csv", 92),  # prose with several `inline` spans on different lines
        ("5.csv", 84),  # a release announcement with links and a bullet list
        ("16.csv", 14),  # "Linux: https://..." download links
        ("190.csv", 81),  # a question quoting "version: 2001526" lines
        ("77.csv", 41),  # prose wrapped in single backticks
    ],
)
def test_real_prose_is_left_alone(shared_data: Path, file: str, row: int) -> None:
    assert suggest_fence(komodo(shared_data, file, row)) is None


def test_rarely_fires_on_the_whole_channel(shared_data: Path) -> None:
    folder = shared_data / "discord" / "komodo-support-csv"
    fired = total = 0
    for path in folder.glob("*.csv"):
        with path.open(newline="", encoding="utf-8") as handle:
            for record in list(csv.reader(handle, delimiter=";"))[1:]:
                total += 1
                fired += suggest_fence(record[3]) is not None
    assert total == 19_200
    assert fired < 60  # measured 38, each one code, a log or command output


def test_correct_fences_are_left_alone() -> None:
    assert suggest_fence("try this:\n```python\nimport os\nprint(os.getcwd())\n```") is None
    assert suggest_fence("```\nsome output we cannot classify\nmore of it\n```") is None
    assert suggest_fence("run `make test` then `make lint`") is None
    assert suggest_fence("one line: x = 1") is None


@pytest.mark.parametrize(
    ("code", "language"),
    [
        ("def main():\n    for x in range(3):\n        print(x)\n", "python"),
        ("const x = require('fs');\nfunction f(a) {\n  console.log(a);\n}\n", "javascript"),
        ("interface A { b: string; }\nconst f = (a: number) => a;\n", "typescript"),
        ('fn main() {\n    let mut v = Vec::new();\n    println!("{:?}", v);\n}\n', "rust"),
        ('package main\nfunc main() {\n    if err != nil {\n        fmt.Println("x")\n', "go"),
        ("public class A {\n  public static void main(String[] a) {\n  }\n}\n", "java"),
        ("#include <stdio.h>\nint main(void) {\n  return 0;\n}\n", "cpp"),
        ("sudo apt-get update\ncd komodo\n./zcutil/build.sh -j4\n", "shell"),
        ('{"a": 1, "b": [true, null]}', "json"),
        ("server:\n  host: localhost\n  ports:\n    - 80\n", "yaml"),
        ("SELECT id, name\nFROM members\nWHERE id = 1;\n", "sql"),
        ("<div class='a'>\n  <p>hi</p>\n</div>\n", "html"),
        ('Traceback (most recent call last):\n  File "a.py", line 1, in <module>\n', "python"),
    ],
)
def test_guess_language(code: str, language: str) -> None:
    assert guess_language(code) == language


def test_unfenced_python_is_fenced_with_its_language() -> None:
    text = "why does this fail?\ndef add(a, b):\n    return a + b\nprint(add(1, 2))\nthanks"
    suggestion = suggest_fence(text)
    assert suggestion == FenceSuggestion(
        "python", "def add(a, b):\n    return a + b\nprint(add(1, 2))", "unfenced"
    )
    assert render_fenced(suggestion) == (
        "```python\ndef add(a, b):\n    return a + b\nprint(add(1, 2))\n```"
    )


def test_unclosed_fence_is_broken() -> None:
    suggestion = suggest_fence("here:\n```js\nconst a = 1;\nconsole.log(a);")
    assert suggestion is not None
    assert (suggestion.reason, suggestion.language) == ("broken_fence", "js")
    assert suggestion.code == "const a = 1;\nconsole.log(a);"


def test_render_never_closes_the_fence_early() -> None:
    rendered = render_fenced(FenceSuggestion("shell", "echo ```", "unfenced"))
    assert rendered.count("```") == 2
