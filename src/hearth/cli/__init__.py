"""The ``hearth`` command line: thin commands over the actions, and one error mapper."""

from __future__ import annotations

import importlib
import os
import pkgutil
import sys

from hearth.i18n import _, environment_language, set_language

# The command line speaks its user's language (LANGUAGE, LC_ALL, LC_MESSAGES, LANG): set before
# the commands are imported, so their help texts are translated too (docs/i18n.md).
set_language(environment_language(os.environ))

from hearth.cli.app import app, err, labelled  # noqa: E402  (after the language is set)
from hearth.errors import HearthError  # noqa: E402

__all__ = ["app", "main"]

INTERRUPTED = 130  # the exit status of a command stopped by Ctrl-C (128 + SIGINT)

# Every module of this package registers its commands on import: adding a command is adding a
# module (the connectors' import commands live in ``import_<platform>.py``).
for _module in sorted(m.name for m in pkgutil.iter_modules(__path__)):
    if _module != "app":
        importlib.import_module(f"{__name__}.{_module}")


def main() -> None:
    """Entry point: the CLI's error mapper. Hearth's errors become a message and exit code 2."""
    from sqlalchemy.exc import OperationalError

    try:
        try:
            app()
        except SystemExit as exc:
            # Typer turns Ctrl-C into a silent exit with status 130: say what it left behind
            if exc.code == INTERRUPTED:
                raise KeyboardInterrupt from exc
            raise
    except HearthError as exc:
        err.print(labelled(_("Error"), str(exc)))
        sys.exit(2)
    except OperationalError as exc:
        err.print(labelled(_("Database error"), str(exc.orig)))
        sys.exit(2)
    except KeyboardInterrupt:
        err.print(
            _(
                "Interrupted. Everything committed so far is kept; run the same command "
                "again to continue (duplicates are skipped)."
            )
        )
        sys.exit(INTERRUPTED)
    except Exception as exc:  # the last line of defence: no traceback at the user
        if os.environ.get("HEARTH_DEBUG"):
            raise
        err.print(
            labelled(
                _("Internal error"),
                f"{type(exc).__name__}: {exc}. "
                + _("Please report it; set HEARTH_DEBUG=1 to see the traceback."),
            )
        )
        sys.exit(3)
