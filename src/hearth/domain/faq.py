"""Matching a chat message against the FAQ: which entries answer it, and how sure we are.

Pure and explainable, no model: a message and each entry (its question plus its keywords) become
bags of normalised terms, and an entry's score is the TF-IDF cosine between them (discounted
when they share only one or two terms, which is weak evidence), plus a bonus
for each of the entry's keywords found in the message (a keyword phrase such as "stuck swap"
is found when all its words are, in any order: "my swap is stuck"). Scores lie in
``0..1``; an entry is suggested when its score reaches ``threshold``.

Normalisation: code blocks, inline code, URLs and Discord mentions are removed; text is folded
to lower-case ASCII words; English stop words are dropped; a light stemmer strips common
suffixes (``servers``/``server``, ``claiming``/``claim``, ``synced``/``sync``). ``MatchDetail``
says which terms and keywords produced a score, so staff can see why an answer was suggested.

The default threshold was measured on real support questions: see ``docs/faq.md`` and
``bench/faq_matching.py``.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

#: Default score an entry needs to be suggested (chosen with ``bench/faq_matching.py``).
DEFAULT_THRESHOLD = 0.45
#: Added to the score for each keyword found in the message (capped at ``KEYWORD_CAP``).
KEYWORD_BONUS = 0.15
KEYWORD_CAP = 0.3
#: A match on one shared term is weak evidence: the cosine is multiplied by
#: ``1 - SINGLE_TERM_DOUBT ** shared_terms`` (x0.7 for one term, x0.91 for two, x0.97 for three).
SINGLE_TERM_DOUBT = 0.3

_FENCED = re.compile(r"```.*?(?:```|$)", re.DOTALL)
_INLINE = re.compile(r"`[^`\n]*`")
_URL = re.compile(r"<?\b(?:https?://|www\.)\S+>?", re.IGNORECASE)
_MENTION = re.compile(r"<(?:@[!&]?|#|a?:\w+:)\d+>|(?<!\w)@[\w.\-]+(?:#\d{4})?")
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")

STOP_WORDS = frozenset(
    """
    a about above after again against all am an and any anybody anyone anything are as at be
    because been before being below between both but by can could did do does doing done down
    during each else even ever few for from further get gets getting got had has have having he
    her here hers herself him himself his how i if im in into is it its itself ive just know let
    like ll me might more most much must my myself need no nor not now of off on once only or
    other our ours ourselves out over own please pls re same she should so some someone something
    still such than thank thanks that the their theirs them themselves then there these they
    this those through thx to too try trying under until up us use used using ve very via want
    was we were what when where which while who whom why will with would yes yet you your yours
    yourself hi hello hey guys anyone everyone help way also really thing things
    """.split()  # noqa: SIM905 (a word list reads better as text)
)

# Negations and contractions carry meaning in support questions ("can't", "doesn't"): they are
# folded to one term rather than dropped.
_CONTRACTIONS = {
    "can't": "cannot",
    "cant": "cannot",
    "won't": "cannot",
    "wont": "cannot",
    "doesn't": "cannot",
    "doesnt": "cannot",
    "don't": "cannot",
    "dont": "cannot",
    "didn't": "cannot",
    "didnt": "cannot",
    "isn't": "cannot",
    "isnt": "cannot",
    "unable": "cannot",
    "couldn't": "cannot",
    "couldnt": "cannot",
}


@dataclass(frozen=True)
class FaqEntry:
    """One question the community asks again and again, and its answer."""

    id: int
    question: str
    answer: str
    keywords: tuple[str, ...] = ()
    links: tuple[str, ...] = ()


@dataclass(frozen=True)
class MatchDetail:
    """Why an entry matched: shared terms and keywords found."""

    terms: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True)
class FaqMatch:
    """An entry and how well it matches a message (``0..1``), best first in a result list."""

    entry: FaqEntry
    score: float
    detail: MatchDetail = field(default=MatchDetail(), compare=False)


def strip_noise(text: str) -> str:
    """``text`` without code blocks, inline code, URLs and mentions (they are not the question)."""
    for pattern in (_FENCED, _INLINE, _URL, _MENTION):
        text = pattern.sub(" ", text)
    return text


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.replace("’", "'"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def stem(word: str) -> str:
    """A light, predictable English stemmer: plurals, -ing, -ed, -ly; nothing clever."""
    if len(word) <= 3 or word.isdigit():
        return word
    for suffix, replacement, keep in (
        ("ies", "y", 3),
        ("sses", "ss", 3),
        ("ing", "", 3),
        ("ed", "", 3),
        ("ly", "", 4),
        ("es", "", 4),
        ("s", "", 3),
    ):
        if word.endswith(suffix) and len(word) - len(suffix) >= keep:
            if suffix == "s" and word.endswith(("ss", "us", "is")):
                return word
            if suffix == "es" and not word.endswith(("sses", "xes", "ches", "shes", "zes")):
                continue
            root = word[: len(word) - len(suffix)] + replacement
            if suffix in ("ing", "ed") and len(root) > 3 and root[-1] == root[-2]:
                root = root[:-1]  # stopped -> stop, running -> run
            return root
    return word


def terms(text: str) -> list[str]:
    """The normalised terms of ``text`` (noise stripped, stop words dropped, stemmed)."""
    out: list[str] = []
    for word in _WORD.findall(_fold(strip_noise(text))):
        word = _CONTRACTIONS.get(word, word).replace("'", "")
        if word in STOP_WORDS or (len(word) < 2 and not word.isdigit()):
            continue
        out.append(stem(word))
    return out


@dataclass(frozen=True)
class _Doc:
    entry: FaqEntry
    weights: dict[str, float]
    norm: float
    keywords: tuple[tuple[str, frozenset[str]], ...]  # (original keyword, its terms)


def _weights(counts: Counter[str], idf: dict[str, float]) -> dict[str, float]:
    return {t: (1.0 + math.log(n)) * idf.get(t, 0.0) for t, n in counts.items()}


def _norm(weights: dict[str, float]) -> float:
    return math.sqrt(sum(w * w for w in weights.values()))


class FaqIndex:
    """Entries prepared for matching; build once, match many messages against it."""

    def __init__(self, entries: Iterable[FaqEntry]) -> None:
        bags: list[tuple[FaqEntry, Counter[str]]] = []
        for entry in entries:
            bag = Counter(terms(entry.question))
            for keyword in entry.keywords:
                bag.update(terms(keyword))
            bags.append((entry, bag))
        df: Counter[str] = Counter()
        for _entry, bag in bags:
            df.update(bag.keys())
        n = len(bags)
        # Smoothed IDF: a term in every entry still counts a little; an unseen term not at all.
        self.idf = {t: math.log((n + 1) / (d + 0.5)) for t, d in df.items()}
        self.docs: list[_Doc] = []
        for entry, bag in bags:
            weights = _weights(bag, self.idf)
            phrases = tuple((k, frozenset(terms(k))) for k in entry.keywords if terms(k))
            self.docs.append(_Doc(entry, weights, _norm(weights), phrases))

    def score_all(self, text: str) -> list[FaqMatch]:
        """Every entry with a positive score for ``text``, best first."""
        words = terms(text)
        query = _weights(Counter(words), self.idf)
        qnorm = _norm(query)
        present = set(words)
        found: list[FaqMatch] = []
        for doc in self.docs:
            shared = [t for t in query if t in doc.weights]
            cosine = 0.0
            if shared and qnorm and doc.norm:
                cosine = sum(query[t] * doc.weights[t] for t in shared) / (qnorm * doc.norm)
                cosine *= 1.0 - SINGLE_TERM_DOUBT ** len(shared)
            hits = tuple(k for k, needed in doc.keywords if needed <= present)
            score = min(1.0, cosine + min(KEYWORD_CAP, KEYWORD_BONUS * len(hits)))
            if score > 0:
                detail = MatchDetail(terms=tuple(sorted(shared)), keywords=hits)
                found.append(FaqMatch(doc.entry, round(score, 4), detail))
        found.sort(key=lambda m: (-m.score, m.entry.id))
        return found


def match_faq(
    text: str,
    entries: Sequence[FaqEntry] | FaqIndex,
    *,
    limit: int = 3,
    threshold: float = DEFAULT_THRESHOLD,
) -> list[FaqMatch]:
    """The entries that answer ``text`` (score at least ``threshold``), best first, at most
    ``limit``. ``entries`` may be a prepared ``FaqIndex`` when matching many messages."""
    index = entries if isinstance(entries, FaqIndex) else FaqIndex(entries)
    return [m for m in index.score_all(text) if m.score >= threshold][:limit]


_QUESTION_START = re.compile(
    r"^(?:how|what|why|where|when|who|which|is|are|am|can|could|does|do|did|should|shall|will|"
    r"would|has|have|any(?:one|body)|has anyone|is there|need help)\b",
    re.IGNORECASE,
)
_TROUBLE = re.compile(
    r"\b(?:help|error|errors|issue|problem|stuck|not working|doesn'?t work|can'?t|cannot|"
    r"unable to|won'?t|fails?|failed|failing|crash(?:es|ed)?|broken|missing)\b",
    re.IGNORECASE,
)


def looks_like_question(text: str) -> bool:
    """Whether a chat message asks something (a question mark, a question word, or a problem
    report such as "X is not working"), as opposed to chatter, thanks or an announcement."""
    prose = " ".join(strip_noise(text).split())
    words = _WORD.findall(_fold(prose))
    if len(words) < 3:
        return False
    sentences = [s.strip() for s in re.split(r"(?<=[.!?])\s+|\n", strip_noise(text)) if s.strip()]
    if any(s.endswith("?") or _QUESTION_START.match(s) for s in sentences):
        return True
    return bool(_TROUBLE.search(prose)) and len(words) >= 5
