"""Who is calling an action, and the permission checks every action uses."""

from __future__ import annotations

from dataclasses import dataclass

from hearth.errors import PermissionDenied
from hearth.i18n import _


@dataclass(frozen=True, slots=True)
class Caller:
    """The person or process on whose behalf an action runs."""

    name: str
    member_id: int | None = None
    is_staff: bool = False
    # The web account's role (``hearth.domain.roles.Role``) when the caller signed in; None for
    # operators, jobs and connectors.
    role: str | None = None

    @classmethod
    def operator(cls, name: str = "cli") -> Caller:
        """Someone at the server's command line: full staff rights."""
        return cls(name=f"operator:{name}", is_staff=True)


def is_admin(caller: Caller) -> bool:
    """Operators at the command line and accounts with the admin role."""
    return caller.name.startswith("operator:") or caller.role == "admin"


def require_admin(caller: Caller) -> None:
    if not is_admin(caller):
        raise PermissionDenied(_("Only administrators may do this."))


def require_staff(caller: Caller) -> None:
    if not caller.is_staff:
        raise PermissionDenied(_("Only staff may do this."))
