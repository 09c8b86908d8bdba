"""Translation: every user-facing string goes through ``_``.

English is the source catalog. Catalogs live in ``hearth/locale/<lang>/LC_MESSAGES/hearth.mo``;
a missing catalog falls back to the English source text.
"""

from __future__ import annotations

import gettext
from functools import lru_cache
from pathlib import Path

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "hearth"


@lru_cache(maxsize=16)
def translations(language: str | None = None) -> gettext.NullTranslations:
    """The catalog for ``language`` (``None``: the English source)."""
    if not language or language == "en":
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[language], fallback=True)


def _(message: str) -> str:
    """Translate ``message`` into the process language (English by default)."""
    return translations(None).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(None).ngettext(singular, plural, n)
