"""``hearth rebuild``, ``hearth member show|grant|award``, ``hearth leaderboard``,
``hearth playbook diff``: the rules engine at the command line."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from hearth.actions.context import Caller
from hearth.cli.app import State, app, member_app, out, state_of
from hearth.cli.playbook import FileOrName, playbook_app
from hearth.i18n import _

if TYPE_CHECKING:
    from hearth.actions.derive import DeriveReport
    from hearth.domain.playbook import Playbook
    from hearth.domain.rules.diff import PlaybookDiff

Reason = Annotated[str, typer.Option("--reason", help=_("Why (shown to the member, audited)."))]
MemberId = Annotated[int, typer.Argument(help=_("The member's id."))]


def playbook_in_force(state: State) -> Playbook:
    """The playbook named by HEARTH_PLAYBOOK (a shipped name or a file)."""
    from hearth.cli.playbook import _load

    return _load(state.settings.playbook)


def _date(value: datetime | None) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M") if value else "—"


def report_derivation(report: DeriveReport) -> None:
    if report.mode == "unchanged":
        return
    out.print(
        _(
            "Derived points, achievements and tiers: {mode} ({reason}), {n:,} activities in "
            "{seconds:.1f} s."
        ).format(
            mode=_("rebuilt") if report.mode == "rebuild" else _("updated"),
            reason=report.reason,
            n=report.activities,
            seconds=report.seconds,
        )
    )


def derive_after_ingest(state: State) -> None:
    """Bring the derived tables up to date after an import (called by every import)."""
    from hearth.actions.derive import do_catch_up
    from hearth.progress import count_progress

    playbook = playbook_in_force(state)
    with count_progress(_("Deriving points and achievements")) as advance:
        report = do_catch_up(state.engine(), playbook, on_progress=advance, checkpoint=True)
    report_derivation(report)


@app.command("rebuild")
def rebuild(ctx: typer.Context) -> None:
    """Derive every member's points, achievements, tiers and leaderboards again from the ledger
    with the playbook in force (HEARTH_PLAYBOOK)."""
    from hearth.actions.derive import count_to_fold, do_rebuild
    from hearth.progress import count_progress

    state = state_of(ctx)
    playbook = playbook_in_force(state)
    engine = state.engine()
    with count_progress(_("Folding the ledger"), count_to_fold(engine)) as advance:
        report = do_rebuild(engine, playbook, on_progress=advance)
    out.print(
        _(
            "Rebuilt with playbook '{playbook}': {n:,} activities, {members:,} members, "
            "{awards:,} achievements in {seconds:.1f} s."
        ).format(
            playbook=playbook.name,
            n=report.activities,
            members=report.members,
            awards=report.awards,
            seconds=report.seconds,
        )
    )


@member_app.command("show")
def member_show(
    ctx: typer.Context,
    member_id: MemberId,
    as_json: Annotated[bool, typer.Option("--json", help=_("Print JSON."))] = False,
) -> None:
    """A member's points by rule, achievements with dates, tier and what the next tier needs."""
    from hearth.actions.standing import access_member_standing

    state = state_of(ctx)
    playbook = playbook_in_force(state)
    standing = access_member_standing(state.engine(), Caller.operator(), member_id, playbook)
    next_tier = standing.next_tier(playbook)
    if as_json:
        out.print_json(
            json.dumps(
                {
                    "member_id": standing.member_id,
                    "display_name": standing.display_name,
                    "points": standing.points,
                    "breakdown": [
                        {"rule": r.key, "name": r.name, "points": r.points, "times": r.times}
                        for r in standing.breakdown
                    ],
                    "achievements": [
                        {
                            "achievement": a.key,
                            "name": a.name,
                            "item": a.item or None,
                            "awarded_at": a.awarded_at.isoformat(),
                            "manual": a.manual,
                        }
                        for a in standing.awards
                    ],
                    "tier": standing.tier.key if standing.tier else None,
                    "tier_since": standing.tier.since.isoformat()
                    if standing.tier and standing.tier.since
                    else None,
                    "grace_until": standing.tier.grace_until.isoformat()
                    if standing.tier and standing.tier.grace_until
                    else None,
                    "next_tier": next_tier,
                }
            )
        )
        return
    out.print(
        _("{name} (member {id}): {points:,} points").format(
            name=standing.display_name, id=standing.member_id, points=standing.points
        )
    )
    if standing.breakdown:
        table = Table(_("rule"), _("times"), _("points"), title=_("Points by rule"))
        for line in standing.breakdown:
            table.add_row(line.name, f"{line.times:,}", f"{line.points:+,}")
        out.print(table)
    if standing.awards:
        table = Table(_("achievement"), _("item"), _("earned"), title=_("Achievements"))
        for award in standing.awards:
            name = award.name + (f" ({_('by staff')})" if award.manual else "")
            table.add_row(name, award.item or "", _date(award.awarded_at))
        out.print(table)
    if standing.tier is not None:
        tier_line = _("Tier: {tier}, since {since}").format(
            tier=standing.tier.name, since=_date(standing.tier.since)
        )
        if standing.tier.grace_until:
            tier_line += " " + _("(requirements lapsed; kept until {until})").format(
                until=_date(standing.tier.grace_until)
            )
        out.print(tier_line)
        held = playbook.tier(standing.tier.key)
        if held is not None and held.benefits:
            out.print(
                _("Benefits: {benefits}").format(benefits="; ".join(b.name for b in held.benefits))
            )
    elif playbook.tiers:
        out.print(_("Tier: none yet"))
    if next_tier is not None:
        tier = playbook.tier(next_tier["tier"])
        out.print(_("Next tier: {tier}").format(tier=tier.name if tier else next_tier["tier"]))
        for req in next_tier["requirements"]:
            mark = "✓" if req["met"] else "✗"
            missing = max(0, req["needed"] - req["current"])
            text = f"  {mark} {req['label']}: {req['current']:g} / {req['needed']:g}"
            if not req["met"] and missing:
                text += " " + _("({n:g} more)").format(n=missing)
            out.print(text)


@member_app.command("grant")
def member_grant(
    ctx: typer.Context,
    member_id: MemberId,
    amount: Annotated[int, typer.Argument(help=_("Points to give (negative to take)."))],
    reason: Reason,
) -> None:
    """Give or take points by hand."""
    from hearth.actions.grants import do_grant_points

    state = state_of(ctx)
    do_grant_points(state.engine(), Caller.operator(), member_id, amount, reason)
    out.print(_("Granted {n:+,} points to member {id}.").format(n=amount, id=member_id))
    derive_after_ingest(state)


@member_app.command("award")
def member_award(
    ctx: typer.Context,
    member_id: MemberId,
    achievement: Annotated[str, typer.Argument(help=_("The achievement's key."))],
    reason: Reason,
    revoke: Annotated[bool, typer.Option("--revoke", help=_("Take it back instead."))] = False,
) -> None:
    """Award an achievement by hand (or take it back)."""
    from hearth.actions.grants import do_award_achievement

    state = state_of(ctx)
    playbook = playbook_in_force(state)
    do_award_achievement(
        state.engine(), Caller.operator(), playbook, member_id, achievement, reason, revoke=revoke
    )
    done = _("Took back") if revoke else _("Awarded")
    out.print(f"{done} {achievement} ({member_id}).")
    derive_after_ingest(state)


@member_app.command("tier")
def member_tier(
    ctx: typer.Context,
    member_id: MemberId,
    tier: Annotated[str, typer.Argument(help=_("A tier granted by hand (manual: true)."))],
    reason: Reason,
    revoke: Annotated[bool, typer.Option("--revoke", help=_("Withdraw it instead."))] = False,
) -> None:
    """Grant an invitation-only tier (or withdraw it)."""
    from hearth.actions.grants import do_grant_tier

    state = state_of(ctx)
    do_grant_tier(
        state.engine(),
        Caller.operator(),
        playbook_in_force(state),
        member_id,
        tier,
        reason,
        revoke=revoke,
    )
    done = _("Withdrew") if revoke else _("Granted")
    out.print(f"{done} {tier} ({member_id}).")
    derive_after_ingest(state)


@member_app.command("confirm")
def member_confirm(
    ctx: typer.Context,
    member_id: MemberId,
    requirement: Annotated[str, typer.Argument(help=_("A requirement staff confirm."))],
    reason: Reason,
    withdraw: Annotated[
        bool, typer.Option("--withdraw", help=_("Withdraw the confirmation."))
    ] = False,
) -> None:
    """Confirm a tier requirement Hearth cannot see (maintaining a package, say)."""
    from hearth.actions.grants import do_confirm_requirement

    state = state_of(ctx)
    do_confirm_requirement(
        state.engine(),
        Caller.operator(),
        playbook_in_force(state),
        member_id,
        requirement,
        reason,
        confirmed=not withdraw,
    )
    out.print(_("Recorded."))
    derive_after_ingest(state)


@app.command("leaderboard")
def leaderboard(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(help=_("The leaderboard's key."))],
    window: Annotated[
        str | None, typer.Option("--window", help=_("this_month, all_time, 30d...."))
    ] = None,
    size: Annotated[int | None, typer.Option("--size", min=1, help=_("Places shown."))] = None,
) -> None:
    """A leaderboard of the playbook in force (staff and bots left out)."""
    from hearth.actions.lookup import access_member_names
    from hearth.actions.standing import access_leaderboard

    state = state_of(ctx)
    playbook = playbook_in_force(state)
    engine = state.engine()
    places = access_leaderboard(engine, Caller.operator(), playbook, key, window, size=size)
    names = access_member_names(engine, [p.member_id for p in places if p.member_id is not None])
    board = playbook.leaderboard(key)
    table = Table("#", _("who"), _("value"), title=board.name if board else key)
    for place in places:
        who = names.get(place.member_id, "?") if place.member_id else place.subject[2:]
        table.add_row(str(place.rank), who, f"{place.value:,}")
    out.print(table)


@playbook_app.command("diff")
def playbook_diff(
    ctx: typer.Context,
    old: FileOrName,
    new: FileOrName,
    limit: Annotated[int, typer.Option("--limit", min=1, help=_("Lines per section."))] = 20,
) -> None:
    """Preview a playbook change on the ledger, writing nothing: who would gain or lose tiers and
    achievements, and how the leaderboards would move."""
    from hearth.actions.preview import access_playbook_diff
    from hearth.cli.playbook import _load

    state = state_of(ctx)
    diff = access_playbook_diff(state.engine(), Caller.operator(), _load(old), _load(new))
    out.print(render_diff(diff, limit))


def render_diff(diff: PlaybookDiff, limit: int = 20) -> str:
    """A playbook diff as text for a terminal."""
    if diff.empty:
        return _("No member's tier, achievements, points or leaderboard place would change.")
    lines: list[str] = []
    if diff.tiers:
        lines.append(_("Tiers ({n} members):").format(n=len(diff.tiers)))
        for change in diff.tiers[:limit]:
            lines.append(
                f"  {diff.who(change.member_id)}: {change.before or '—'} → {change.after or '—'}"
            )
    for title, table, sign in (
        (_("Achievements gained:"), diff.gained, "+"),
        (_("Achievements lost:"), diff.lost, "−"),
    ):
        if table:
            lines.append(title)
            for key, who in sorted(table.items()):
                names = ", ".join(diff.who(m) for m in who[:limit])
                more = f" … (+{len(who) - limit})" if len(who) > limit else ""
                lines.append(f"  {sign} {key}: {len(who)} — {names}{more}")
    if diff.points:
        lines.append(_("Points ({n} members; largest changes):").format(n=len(diff.points)))
        for change in diff.points[:limit]:
            before, after = int(change.before or 0), int(change.after or 0)
            lines.append(
                f"  {diff.who(change.member_id)}: {before:,} → {after:,} ({after - before:+,})"
            )
    for move in diff.boards:
        lines.append(
            _("Leaderboard {board} ({window}):").format(board=move.board, window=move.window)
        )
        for place in range(max(len(move.before), len(move.after))):
            b = move.before[place] if place < len(move.before) else None
            a = move.after[place] if place < len(move.after) else None
            if a != b:
                lines.append(f"  #{place + 1}: {diff.label(b)} → {diff.label(a)}")
    return "\n".join(lines)
