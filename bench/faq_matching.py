"""FAQ matching quality on real support questions (precision and recall of ``match_faq``).

Run ``python -m bench.faq_matching [--output FILE]`` from the repository root. It reads the
Komodo support channel export in ``../shared/data/discord/komodo-support-csv`` (19,200 real
messages, 2018-2019) and builds, without any hand-written text:

**The FAQ.** Staff in that channel answer with links to the project's help articles
(``support.komodoplatform.com`` solution articles, the older Confluence wiki pages and
``docs.komodoplatform.com`` pages). Every distinct article linked anywhere in the channel becomes
one FAQ entry whose question is the article's title, taken from its URL (``...-how-to-stop-
agama-from-using-a-proxy-server-...`` gives "how to stop agama from using a proxy server ...").
Articles whose titles normalise to the same words (one article moved from the wiki to the
support site) are one entry. No keywords are added, so nothing is tuned to the questions.

**The candidate pairs.** A message that links an article *and* @-mentions someone is an answer
to that person; the question is that person's latest message among the 25 before the answer
that looks like a question (a ``?``, a question word, or a problem word, and 4+ words), or else
their latest message of 5+ words. The rule is deliberately independent of the matcher.

**The labels.** Each candidate pair was then judged by hand, once, before the matcher was
tuned: ``yes`` when the message is a self-contained question or problem report and the article
answers it, ``no`` when the message is a fragment ("will try", "Is there a tutorial") or the
link answered something else. The verdicts are in ``bench/faq_komodo_labels.csv`` (file, row,
article, verdict; the text stays in the shared data). A question with two ``yes`` articles is
answered correctly by either.

**The measure.** For each labelled question ``match_faq`` runs over the whole FAQ; it *fires*
when its best entry reaches the threshold. Precision = questions whose best entry is a right
article / questions where it fired; recall = questions whose best entry is right / all
labelled questions; recall@3 counts a right article anywhere in the (up to 3) suggestions.
Questions in even positions (dev) were used to choose the default threshold; odd positions
(test) were not looked at while tuning; both and their union are reported. Finally the
*fire rate* on every other question-like message of the channel (4+ words, not a candidate) is
reported: those are unlabelled, so it bounds how often the bot would speak up, not how often it
is wrong.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from hearth.domain.faq import DEFAULT_THRESHOLD, FaqEntry, FaqIndex, looks_like_question, terms

REPO = Path(__file__).resolve().parent.parent
CHANNEL = REPO.parent / "shared" / "data" / "discord" / "komodo-support-csv"
LABELS = Path(__file__).resolve().parent / "faq_komodo_labels.csv"
THRESHOLDS = (0.1, 0.2, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6)

ARTICLE = re.compile(
    r"https?://(?:"
    r"support\.komodoplatform\.com/(?:en/)?(?:support/)?solutions?/articles/(\d+)-([\w-]+)"
    r"|komodoplatform\.atlassian\.net/wiki/spaces/KPSD/pages/(\d+)/([\w+%.-]+)"
    r"|docs\.komodoplatform\.com/([\w/.-]+?)\.html)"
)
# The candidate rule's own notion of a question: kept apart from the matcher under test.
ASKS = re.compile(
    r"\?|^(how|what|why|where|when|who|which|is|are|can|could|does|do|did|should|will|would|has"
    r"|have|any(one|body))\b|\b(help|issue|problem|error|stuck|cannot|can't|cant|won't"
    r"|not working|doesn't|unable)\b",
    re.IGNORECASE,
)
MENTION = re.compile(r"@([^\s,:!?]+)")
WINDOW = 25


@dataclass(frozen=True)
class Message:
    file: str
    row: int  # 1-based record number in the file, header excluded
    author: str  # the name before '#discriminator'
    text: str


@dataclass(frozen=True)
class Labelled:
    message: Message
    answers: frozenset[int]  # FAQ entry ids that answer it


def read_channel(folder: Path = CHANNEL) -> list[Message]:
    """Every message of the export, in channel order (files 1.csv, 2.csv, ...)."""
    messages = []
    for path in sorted(folder.glob("*.csv"), key=lambda p: int(p.stem)):
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.reader(handle, delimiter=";")
            next(reader)
            for row, record in enumerate(reader, start=1):
                author = record[1].rsplit("#", 1)[0]
                messages.append(Message(path.name, row, author, record[3]))
    return messages


def article_links(text: str) -> list[tuple[str, str]]:
    """``(article key, title)`` for every help-article link in ``text``."""
    found = []
    for m in ARTICLE.finditer(text):
        if m.group(1):
            key, title = f"support:{m.group(1)}", m.group(2).replace("-", " ")
        elif m.group(3):
            key, title = f"wiki:{m.group(3)}", unquote(m.group(4).replace("+", " "))
            title = title.replace("-", " ")
        else:
            path = m.group(5)
            key = f"docs:{path}"
            parts = [p for p in path.split("/") if p not in ("basic-docs",)]
            title = " ".join(parts[-2:]).replace("-", " ").replace("_", " ")
        found.append((key, " ".join(title.split())))
    return found


def build_faq(messages: Iterable[Message]) -> tuple[list[FaqEntry], dict[str, int]]:
    """One entry per distinct article title; and article key -> entry id."""
    titles: dict[str, str] = {}
    for message in messages:
        for key, title in article_links(message.text):
            titles[key] = title  # the latest slug: articles get renamed
    by_words: dict[str, list[str]] = {}
    for key, title in titles.items():
        by_words.setdefault(" ".join(terms(title)) or title.lower(), []).append(key)
    entries: list[FaqEntry] = []
    ids: dict[str, int] = {}
    for n, words in enumerate(sorted(by_words), start=1):
        keys = sorted(by_words[words])
        entries.append(FaqEntry(id=n, question=titles[keys[0]], answer=keys[0], links=tuple(keys)))
        for key in keys:
            ids[key] = n
    return entries, ids


def candidates(messages: Sequence[Message]) -> list[tuple[Message, str]]:
    """``(question, article key)`` pairs by the mention rule (see the module docstring)."""
    pairs: list[tuple[Message, str]] = []
    seen: set[tuple[str, int, str]] = set()
    for n, answer in enumerate(messages):
        links = article_links(answer.text)
        mentioned = set(MENTION.findall(answer.text))
        if not links or not mentioned:
            continue
        theirs = [
            m
            for m in messages[max(0, n - WINDOW) : n]
            if m.author in mentioned and m.author != answer.author
        ]
        asking = [m for m in theirs if ASKS.search(m.text) and len(m.text.split()) >= 4]
        wordy = [m for m in theirs if len(m.text.split()) >= 5]
        question = (asking or wordy or [None])[-1]
        key = links[0][0]
        if question is None or (question.file, question.row, key) in seen:
            continue
        seen.add((question.file, question.row, key))
        pairs.append((question, key))
    return pairs


def read_labels(path: Path = LABELS) -> dict[tuple[str, int, str], str]:
    with path.open(newline="", encoding="utf-8") as handle:
        return {
            (r["file"], int(r["row"]), r["article"]): r["verdict"] for r in csv.DictReader(handle)
        }


def labelled_set(
    messages: Sequence[Message], ids: dict[str, int], labels: dict[tuple[str, int, str], str]
) -> list[Labelled]:
    """The questions judged ``yes``, each with the FAQ entries that answer it."""
    pairs = candidates(messages)
    missing = [(q.file, q.row, k) for q, k in pairs if (q.file, q.row, k) not in labels]
    if missing:
        raise SystemExit(f"candidates without a verdict in {LABELS.name}: {missing[:5]}")
    answers: dict[Message, set[int]] = {}
    for question, key in pairs:
        if labels[(question.file, question.row, key)] == "yes":
            answers.setdefault(question, set()).add(ids[key])
    return [Labelled(m, frozenset(a)) for m, a in answers.items()]


@dataclass(frozen=True)
class Quality:
    threshold: float
    questions: int
    fired: int
    correct: int
    correct_at_3: int

    @property
    def precision(self) -> float:
        return self.correct / self.fired if self.fired else 1.0

    @property
    def recall(self) -> float:
        return self.correct / self.questions if self.questions else 0.0

    @property
    def recall_at_3(self) -> float:
        return self.correct_at_3 / self.questions if self.questions else 0.0


def measure(index: FaqIndex, labelled: Sequence[Labelled], threshold: float) -> Quality:
    fired = correct = correct3 = 0
    for item in labelled:
        matches = [m for m in index.score_all(item.message.text) if m.score >= threshold][:3]
        if not matches:
            continue
        fired += 1
        correct += matches[0].entry.id in item.answers
        correct3 += any(m.entry.id in item.answers for m in matches)
    return Quality(threshold, len(labelled), fired, correct, correct3)


def other_questions(messages: Sequence[Message], labelled: Sequence[Labelled]) -> list[Message]:
    """Question-like messages that are not candidates (unlabelled; for the fire rate)."""
    taken = {item.message for item in labelled} | {q for q, _ in candidates(messages)}
    return [
        m
        for m in messages
        if m not in taken
        and not ARTICLE.search(m.text)
        and len(m.text.split()) >= 4
        and looks_like_question(m.text)
    ]


@dataclass(frozen=True)
class Report:
    entries: int
    candidates: int
    labelled: list[Labelled]
    curve: list[Quality]
    dev: Quality
    test: Quality
    others: int
    others_fired: int


def run(threshold: float = DEFAULT_THRESHOLD, folder: Path = CHANNEL) -> Report:
    messages = read_channel(folder)
    entries, ids = build_faq(messages)
    labelled = labelled_set(messages, ids, read_labels())
    index = FaqIndex(entries)
    curve = [measure(index, labelled, t) for t in sorted({*THRESHOLDS, threshold})]
    others = other_questions(messages, labelled)
    others_fired = sum(
        1
        for m in others
        if index.score_all(m.text)[:1] and index.score_all(m.text)[0].score >= threshold
    )
    return Report(
        entries=len(entries),
        candidates=len(candidates(messages)),
        labelled=labelled,
        curve=curve,
        dev=measure(index, labelled[0::2], threshold),
        test=measure(index, labelled[1::2], threshold),
        others=len(others),
        others_fired=others_fired,
    )


def render(report: Report, threshold: float) -> str:
    pct = "{:.0%}".format
    lines = [
        f"FAQ: {report.entries} entries (help articles linked in the channel); "
        f"{report.candidates} candidate pairs, {len(report.labelled)} questions judged answerable.",
        "",
        "| threshold | fired | right (top 1) | precision | recall | recall@3 |",
        "|---|---|---|---|---|---|",
    ]
    for q in report.curve:
        mark = " (default)" if q.threshold == threshold else ""
        lines.append(
            f"| {q.threshold:.2f}{mark} | {q.fired}/{q.questions} | {q.correct} | "
            f"{pct(q.precision)} | {pct(q.recall)} | {pct(q.recall_at_3)} |"
        )
    lines += ["", f"At {threshold:.2f}:", ""]
    for name, q in (("dev (even)", report.dev), ("test (odd)", report.test)):
        lines.append(
            f"- {name}: {q.questions} questions, precision {pct(q.precision)}, "
            f"recall {pct(q.recall)}, recall@3 {pct(q.recall_at_3)}"
        )
    rate = report.others_fired / report.others if report.others else 0.0
    lines.append(
        f"- other question-like messages: fires on {report.others_fired} of {report.others} "
        f"({pct(rate)})"
    )
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD)
    parser.add_argument("--output", type=Path, help="also write the Markdown table here")
    args = parser.parse_args(argv)
    if not CHANNEL.is_dir():
        raise SystemExit(f"the Komodo export is missing: expected {CHANNEL}")
    text = render(run(args.threshold), args.threshold)
    sys.stdout.write(text)
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
