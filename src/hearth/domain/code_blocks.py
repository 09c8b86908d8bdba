"""Spotting code pasted into chat without a proper fence, and guessing its language.

``suggest_fence`` looks at one message and says what is wrong, if anything:

- ``unfenced`` — several consecutive lines that look like code, with no fence at all;
- ``no_language`` — a correct ```` ``` ```` fence whose opening line names no language, around
  code whose language can be guessed;
- ``broken_fence`` — single backticks around several lines, or an opening ```` ``` ```` never
  closed.

It stays quiet on prose, on one-line snippets, on correct fences with a language, and on
fences whose language it cannot guess. The language guess is a handful of plain heuristics,
scored per language; ``render_fenced`` gives the text of the suggested fence.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Literal

Reason = Literal["unfenced", "no_language", "broken_fence"]

#: How many consecutive code-looking lines make a message worth a suggestion.
MIN_CODE_LINES = 3


@dataclass(frozen=True)
class FenceSuggestion:
    """What to suggest: the code fenced in ``language`` (may be ``""``), and why."""

    language: str
    code: str
    reason: Reason


# (language, pattern, weight): each pattern found in the code adds its weight to the language.
_SIGNS: tuple[tuple[str, str, float], ...] = (
    ("python", r"^\s*def \w+\(.*\)\s*(->.*)?:\s*$", 3),
    ("python", r"^\s*(?:from [\w.]+ )?import [\w.]+(?: as \w+)?\s*$", 2),
    ("python", r"^\s*class \w+(?:\(.*\))?:\s*$", 3),
    ("python", r"^\s*(?:if|elif|for|while|with|try|except)\b.*:\s*$", 2),
    ("python", r"\bprint\(|\bself\.|\bNone\b|\bTrue\b|\bFalse\b|__init__", 1),
    ("python", r"^Traceback \(most recent call last\):", 5),
    ("python", r'^\s*File ".*", line \d+', 3),
    ("javascript", r"\b(?:const|let|var) \w+ =|=>|\bfunction\s*\w*\(", 2),
    ("javascript", r"console\.log\(|require\(['\"]|module\.exports|\bawait\b|\.then\(", 2),
    ("javascript", r"^\s*import .* from ['\"]", 2),
    ("typescript", r"^\s*(?:export )?(?:interface|type) \w+.*[={]", 3),
    ("typescript", r"\b\w+\??:\s*(?:string|number|boolean|any)(?:\[\])?\s*[,)=;]", 2),
    ("rust", r"\bfn \w+\(|\blet mut\b|\bimpl\b|::new\(|println!\(|\bpub (?:fn|struct)\b", 3),
    ("rust", r"&str\b|\bOption<|\bResult<|\bunwrap\(\)|^\s*use \w+::", 2),
    ("go", r"^\s*package \w+\s*$|\bfunc \w*\s*\(|:= |\bfmt\.\w+\(|\bgo func\b", 3),
    ("go", r"\berr != nil\b", 3),
    ("java", r"\bpublic (?:static )?(?:class|void|int|String)\b|System\.out\.print", 3),
    ("java", r"^\s*import java\.|@Override|\bnew \w+\(.*\);", 2),
    ("cpp", r"#include\s*<\w+(?:\.h)?>|\bstd::|\bcout\b|\bint main\s*\(", 3),
    ("cpp", r"\w+->\w+|;\s*$", 0.5),
    ("shell", r"^\s*(?:\$ |sudo |apt(?:-get)? |cd |ls |export \w+=|git |pip |npm |curl |wget )", 3),
    ("shell", r"^\s*(?:chmod|mkdir|rm|cp|mv|echo|cat|tar|make|docker|systemctl) ", 2),
    ("shell", r"^\s*\./[\w.-]+|^#!/bin/(?:ba)?sh| && | \| grep ", 2),
    ("shell", r"^[\w.-]+@[\w.-]+:[~/][^$\n]*\$ ", 3),
    ("sql", r"^\s*(?:SELECT|INSERT INTO|UPDATE|DELETE FROM|CREATE TABLE|ALTER TABLE)\b", 4),
    ("sql", r"\b(?:FROM|WHERE|JOIN|GROUP BY|ORDER BY)\b", 1),
    ("html", r"<(?:!DOCTYPE|html|head|body|div|span|script|p|a|ul|li)\b[^>]*>", 3),
    ("html", r"</\w+>", 1),
)
_COMPILED = [(lang, re.compile(p, re.MULTILINE), w) for lang, p, w in _SIGNS]

_CODEISH = re.compile(
    r"""
    [;{}]\s*$                          # ends with ; { or }
    | ^\s*[}\])]                       # starts by closing a block
    | ^\s*(?:def|class|import|from|return|if|for|while|fn|func|let|const|var|pub|public
          |private|package|use|\#include|SELECT|INSERT|UPDATE)\b
    | ^\s*(?:\$\s|sudo\s|\./)          # a shell prompt or command
    | ^\s*\w[\w.]*\s*[:+\-*/]?=\s*\S    # assignment
    | \w\(.*\)\s*[;:{]?\s*$             # ends with a call
    | ^\s*<[a-zA-Z!/][^>]*>            # markup
    | ^\s*"[\w-]+"\s*:                 # JSON key
    | ^\s*[\w.-]+:\s                   # YAML key (weak: prose has colons too)
    | ^\s{4,}\S                        # indented
    | ^\s*\#\s*!                       # shebang
    | ^Traceback|^\s+File\s"
    """,
    re.VERBOSE,
)
_PROSE_WORD = re.compile(
    r"\b(?:the|and|is|are|was|were|have|has|it|this|that|you|they|we|i|my|but|so|of|to|in|on"
    r"|for|when|if|not|be|will|can|with|a|an|or)\b"
)


_CODE_CHARS = frozenset("=;{}[]<>$/\\|&*_+#")
_LOG_PREFIX = re.compile(r"[\w.\[\]-]+:\s")  # "collect2: error: ..." is a log line, not prose


def _looks_like_code(line: str) -> bool:
    stripped = line.strip()
    if not stripped:
        return False
    if not _CODEISH.search(line):
        return False
    # A sentence with a colon ("Note: this is fine") or an indented sentence is prose.
    words = stripped.split()
    if (
        len(words) >= 7
        and not any(c in _CODE_CHARS for c in stripped)
        and not _LOG_PREFIX.match(stripped)
    ):
        return False
    prose = len(_PROSE_WORD.findall(stripped.lower()))
    return not (len(words) >= 6 and prose >= 2 and not stripped.endswith((";", "{", "}", ")")))


def _is_json(code: str) -> bool:
    text = code.strip()
    if not text or text[0] not in "[{":
        return False
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


_YAML_KEY = re.compile(r"^(\s*)(?:- )?[\w.-]+:(?:\s+(\S.*))?$")


def _is_yaml(code: str) -> bool:
    """Mostly ``key: value`` lines, with nesting or a list, and no URLs as values."""
    lines = [line for line in code.splitlines() if line.strip() and line.strip() != "---"]
    keys = [m for m in map(_YAML_KEY.match, lines) if m]
    if len(keys) < 3 or len(keys) < 0.6 * len(lines) or "://" in code or ",\n" in code:
        return False
    nested = any(m.group(1) for m in keys) or any(x.lstrip().startswith("- ") for x in lines)
    return nested or code.lstrip().startswith("---")


def guess_language(code: str) -> str:
    """The most likely language of ``code`` (``""`` when nothing points anywhere)."""
    if _is_json(code):
        return "json"
    if _is_yaml(code):
        return "yaml"
    scores: dict[str, float] = {}
    for lang, pattern, weight in _COMPILED:
        hits = len(pattern.findall(code))
        if hits:
            scores[lang] = scores.get(lang, 0.0) + weight * min(hits, 3)
    if "typescript" in scores and "javascript" in scores:
        scores["typescript"] += scores.pop("javascript")
    if not scores:
        return ""
    best = max(scores, key=lambda lang: scores[lang])
    return best if scores[best] >= 2 else ""


_FENCE = re.compile(r"```([^\n`]*)\n(.*?)```", re.DOTALL)
_UNCLOSED = re.compile(r"```([^\n`]*)\n(.+)\Z", re.DOTALL)
_TICK = re.compile(r"(?<!`)`(?!`)")


def _multiline_tick_span(text: str) -> str | None:
    """The content of the first pair of single backticks that spans lines, as Markdown pairs
    them (first with second, third with fourth...)."""
    ticks = [m.start() for m in _TICK.finditer(text)]
    for start, end in zip(ticks[0::2], ticks[1::2], strict=False):
        content = text[start + 1 : end]
        if "\n" in content.strip("\n"):
            return content.strip("\n")
    return None


def _count(lines: list[str]) -> int:
    return sum(1 for line in lines if line.strip())


def _code_run(lines: list[str]) -> list[str]:
    """The longest run of code-looking lines (blank lines inside a run are kept)."""
    best: list[str] = []
    run: list[str] = []
    for line in [*lines, None]:
        if line is not None and (_looks_like_code(line) or (run and not line.strip())):
            run.append(line)
            continue
        while run and not run[-1].strip():
            run.pop()
        if _count(run) > _count(best):
            best = run
        run = []
    return best


def suggest_fence(text: str) -> FenceSuggestion | None:
    """What to suggest for a chat message, or ``None`` when it needs nothing."""
    closed = list(_FENCE.finditer(text))
    for match in closed:
        language, code = match.group(1).strip(), match.group(2).strip("\n")
        if not language and code.count("\n") + 1 >= 2:
            guessed = guess_language(code)
            if guessed:
                return FenceSuggestion(guessed, code, "no_language")
    outside = _FENCE.sub("", text)
    if outside.count("```") == 1:
        unclosed = _UNCLOSED.search(outside)
        if unclosed and unclosed.group(2).strip():
            code = unclosed.group(2).strip("\n")
            language = unclosed.group(1).strip() or guess_language(code)
            return FenceSuggestion(language, code, "broken_fence")
    if closed or "```" in outside:
        return None
    code = _multiline_tick_span(text)
    if code is not None:
        language = guess_language(code)
        codeish = sum(1 for line in code.splitlines() if _looks_like_code(line))
        if language or codeish >= 2:
            return FenceSuggestion(language, code, "broken_fence")
    code_lines = _code_run(text.splitlines())
    if _count(code_lines) >= MIN_CODE_LINES:
        code = "\n".join(code_lines)
        language = guess_language(code)
        if language:
            return FenceSuggestion(language, code, "unfenced")
    return None


def render_fenced(suggestion: FenceSuggestion) -> str:
    """The suggested code block, ready to paste: ```` ```lang ```` ... ```` ``` ````."""
    code = suggestion.code.replace("```", "`\u200b``")
    return f"```{suggestion.language}\n{code}\n```"
