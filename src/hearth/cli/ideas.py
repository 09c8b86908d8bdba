"""``hearth suggestion|poll|contest ...`` and ``hearth import suggestions-stackexchange``: the
same actions as the bot's ``/suggest``, ``/poll`` and the web's pages (docs/suggestions.md)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from hearth.actions.context import Caller
from hearth.cli.app import app, import_app, out, state_of
from hearth.errors import HearthError, InputError
from hearth.i18n import _

suggestion_app = typer.Typer(
    help=_("Feature suggestions: list, post, set a status, merge."), no_args_is_help=True
)
poll_app = typer.Typer(help=_("Polls: open, list, close."), no_args_is_help=True)
contest_app = typer.Typer(help=_("Suggestion contests: start, close, list."), no_args_is_help=True)
app.add_typer(suggestion_app, name="suggestion")
app.add_typer(poll_app, name="poll")
app.add_typer(contest_app, name="contest")
OPERATOR = Caller.operator()


def _playbook(ctx: typer.Context):  # type: ignore[no-untyped-def]
    from hearth.playbooks.loader import load_playbook

    return load_playbook(state_of(ctx).settings.playbook)


@suggestion_app.command("list")
def suggestion_list(
    ctx: typer.Context,
    status: Annotated[str | None, typer.Option("--status", help=_("Only this status."))] = None,
    as_json: Annotated[bool, typer.Option("--json", help=_("JSON Lines."))] = False,
) -> None:
    """Suggestions with their votes, most votes first."""
    from hearth.actions.ideas import access_suggestions, status_label

    found = access_suggestions(state_of(ctx).engine(), OPERATOR, status=status, limit=10_000)
    for s in found:
        if as_json:
            row = {
                "id": s.id,
                "title": s.title,
                "status": s.status,
                "up": s.up,
                "down": s.down,
                "score": s.score,
                "author": s.author_member_id,
                "origin": s.origin,
                "source_id": s.source_id,
            }
            typer.echo(json.dumps(row, ensure_ascii=False))
        else:
            out.print(f"#{s.id}\t{s.score:+d}\t{status_label(s.status)}\t{s.title}", markup=False)


@suggestion_app.command("post")
def suggestion_post(
    ctx: typer.Context,
    title: Annotated[str, typer.Argument(help=_("The suggestion's title."))],
    body: Annotated[str, typer.Option("--body", help=_("More about it."))] = "",
) -> None:
    """Post a suggestion as staff (a roadmap item, not marked community-driven)."""
    from hearth.actions.ideas import check_post_suggestion

    idea = check_post_suggestion(state_of(ctx).engine(), OPERATOR, title, body, origin="cli")
    out.print(_("Suggestion {id} posted.").format(id=idea.id))


@suggestion_app.command("status")
def suggestion_status(
    ctx: typer.Context,
    suggestion: Annotated[int, typer.Argument(help=_("The suggestion's number."))],
    status: Annotated[str, typer.Argument(help=_("open, planned, in_progress, done, declined."))],
    reason: Annotated[str | None, typer.Option("--reason", help=_("Why (for declined)."))] = None,
) -> None:
    """Set a suggestion's status; the bot announces it and tells the author."""
    from hearth.actions.ideas import check_set_status, status_label

    idea = check_set_status(state_of(ctx).engine(), OPERATOR, suggestion, status, reason)
    out.print(
        _("Suggestion {id} is now {status}.").format(id=idea.id, status=status_label(idea.status))
    )


@suggestion_app.command("merge")
def suggestion_merge(
    ctx: typer.Context,
    duplicate: Annotated[int, typer.Argument(help=_("The duplicate's number."))],
    into: Annotated[int, typer.Argument(help=_("The suggestion to keep."))],
) -> None:
    """Merge a duplicate into another suggestion; its votes carry over."""
    from hearth.actions.ideas import do_merge_suggestions

    kept = do_merge_suggestions(state_of(ctx).engine(), OPERATOR, duplicate, into)
    out.print(
        _("Merged {dup} into {id}: score {score}.").format(
            dup=duplicate, id=kept.id, score=kept.score
        )
    )


@poll_app.command("create")
def poll_create(
    ctx: typer.Context,
    question: Annotated[str, typer.Argument(help=_("The question."))],
    options: Annotated[str, typer.Argument(help=_("The options, separated by ';'."))],
    duration: Annotated[str, typer.Option("--for", help=_("How long: 30m, 2h, 3d."))] = "1d",
    anonymous: Annotated[bool, typer.Option("--anonymous", help=_("Anonymous votes."))] = False,
) -> None:
    """Open a poll (members vote on the web; post it in chat with the bot's /poll)."""
    from hearth.actions.polls import check_create_poll
    from hearth.domain.playbook.durations import parse_duration

    try:
        runs = parse_duration(duration)
    except ValueError:
        raise InputError(
            _("'{value}' is not a duration; try 30m, 2h or 3d.").format(value=duration)
        ) from None
    poll = check_create_poll(
        state_of(ctx).engine(), OPERATOR, question, options, runs, anonymous=anonymous
    )
    out.print(
        _("Poll {id} is open until {end}.").format(id=poll.id, end=poll.closes_at.isoformat())
    )


@poll_app.command("list")
def poll_list(ctx: typer.Context) -> None:
    """Polls, open ones first, with the results of closed ones."""
    from hearth.actions.polls import access_polls

    for poll in access_polls(state_of(ctx).engine(), OPERATOR, limit=200):
        state = _("open") if poll.is_open else _("closed")
        out.print(f"{poll.id}\t{state}\t{poll.voters}\t{poll.question}", markup=False)
        for row in poll.results:
            out.print(f"\t{'*' if row.winner else ' '} {row.votes}\t{row.label}", markup=False)


@poll_app.command("close")
def poll_close(
    ctx: typer.Context, poll: Annotated[int, typer.Argument(help=_("The poll's number."))]
) -> None:
    """Close a poll now."""
    from hearth.actions.polls import do_close_poll

    do_close_poll(state_of(ctx).engine(), OPERATOR, poll)
    out.print(_("Poll {id} is closed.").format(id=poll))


@poll_app.command("close-due")
def poll_close_due(ctx: typer.Context) -> None:
    """Close the polls and contests whose time has come (for cron; the bot and the web do it
    every 30 seconds)."""
    from hearth.jobs.workflows import run_due

    closed = run_due(state_of(ctx).engine(), _playbook(ctx))
    out.print(
        _("Closed {p} polls and {c} contests.").format(p=len(closed.polls), c=len(closed.contests))
    )


@contest_app.command("start")
def contest_start(
    ctx: typer.Context,
    title: Annotated[str, typer.Argument(help=_("The contest's name."))],
    until: Annotated[
        str | None, typer.Option("--until", help=_("End (ISO 8601); default: the playbook's."))
    ] = None,
) -> None:
    """Start a suggestion contest now."""
    from hearth.actions.contests import do_start_contest

    end = datetime.fromisoformat(until) if until else None
    contest = do_start_contest(state_of(ctx).engine(), OPERATOR, _playbook(ctx), title, ends_at=end)
    out.print(
        _("Contest {id} runs until {end}.").format(id=contest.id, end=contest.ends_at.isoformat())
    )


@contest_app.command("close")
def contest_close(
    ctx: typer.Context,
    contest: Annotated[int, typer.Argument(help=_("The contest's number."))],
    early: Annotated[bool, typer.Option("--early", help=_("Close before its end."))] = False,
) -> None:
    """Close a contest and give its prizes to the top-voted ideas' authors."""
    from hearth.actions.contests import do_close_contest

    closed = do_close_contest(
        state_of(ctx).engine(), OPERATOR, _playbook(ctx), contest, early=early
    )
    for w in closed.winners:
        prize = w["achievement"] or w["points"]
        out.print(f"{w['place']}\t#{w['suggestion']}\t{w['score']:+d}\t{prize}", markup=False)


@contest_app.command("list")
def contest_list(ctx: typer.Context) -> None:
    """Contests, latest first."""
    from hearth.actions.contests import access_contests

    for c in access_contests(state_of(ctx).engine(), OPERATOR):
        state = _("closed") if c.closed_at else _("running")
        out.print(f"{c.id}\t{state}\t{c.starts_at:%Y-%m-%d}…{c.ends_at:%Y-%m-%d}\t{c.title}")


@import_app.command("suggestions-stackexchange")
def import_suggestions_stackexchange(
    ctx: typer.Context,
    folder: Annotated[Path, typer.Argument(help=_("A Stack Exchange meta site's data dump."))],
    site: Annotated[
        str | None, typer.Option("--site", help=_("The site prefix used for its import."))
    ] = None,
) -> None:
    """Import a meta site's feature requests as suggestions, with their votes and statuses."""
    from hearth.actions.idea_import import ImportedSuggestion, do_import_suggestions
    from hearth.connectors.stackexchange.suggestions import parse_feature_requests

    if not folder.is_dir():
        raise HearthError(_("No such folder: {path}").format(path=folder))
    records = []
    for record in parse_feature_requests(folder, site=site):
        if isinstance(record, ImportedSuggestion):
            records.append(record)
        else:
            out.print(str(record), markup=False)
    report = do_import_suggestions(state_of(ctx).engine(), OPERATOR, records)
    out.print(
        _("{n} suggestions ({new} new), {v} votes.").format(
            n=report.suggestions, new=report.new, v=report.votes
        )
    )
    for source_id in report.mismatched:
        out.print(_("{id}: the votes do not add up to its score").format(id=source_id))
