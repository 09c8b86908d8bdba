"""Translation: every user-facing string goes through ``_``.

English is the source catalog. Catalogs live in ``hearth/locale/<lang>/LC_MESSAGES/hearth.mo``
(``make i18n`` extracts, updates and compiles them; docs/i18n.md); a missing catalog or an
untranslated string falls back to the English source text.

The language is per person, not per process: an interface finds the caller's language with
:func:`negotiate` (a browser's ``Accept-Language``, a Discord locale, ``LANGUAGE``/``LANG``) and
sets it for the work it does on their behalf with :func:`set_language` or
:func:`using_language`. It is kept in a :class:`contextvars.ContextVar`, so it follows the
request or the interaction into every ``_()`` below it (actions, errors, templates) and into the
tasks and ``asyncio.to_thread`` calls it starts, and never leaks into another person's request.
Nothing set: English.
"""

from __future__ import annotations

import gettext
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar, Token
from functools import lru_cache
from pathlib import Path

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "hearth"
SOURCE_LANGUAGE = "en"

_language: ContextVar[str | None] = ContextVar("hearth_language", default=None)


@lru_cache(maxsize=1)
def available_languages() -> tuple[str, ...]:
    """The languages with a compiled catalog, as gettext names (``de``, ``pt_BR``, ``zh_CN``)."""
    return tuple(
        sorted(mo.parent.parent.name for mo in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.mo"))
    )


@lru_cache(maxsize=32)
def _catalog(language: str | None) -> gettext.NullTranslations:
    if not language or language.split("_")[0].lower() == SOURCE_LANGUAGE:
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[language], fallback=True)


class _ContextTranslations(gettext.NullTranslations):
    """Translations that follow the language set for the current context (see the module)."""

    def gettext(self, message: str) -> str:
        return _catalog(_language.get()).gettext(message)

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        return _catalog(_language.get()).ngettext(msgid1, msgid2, n)

    def pgettext(self, context: str, message: str) -> str:
        return _catalog(_language.get()).pgettext(context, message)

    def npgettext(self, context: str, msgid1: str, msgid2: str, n: int) -> str:
        return _catalog(_language.get()).npgettext(context, msgid1, msgid2, n)


_CONTEXT = _ContextTranslations()


def translations(language: str | None = None) -> gettext.NullTranslations:
    """The catalog for ``language``; ``None``: the caller's (the context's) language.

    ``translations("en")`` is the English source. Jinja2's ``install_gettext_translations``
    given ``translations(None)`` therefore renders each page in the viewer's language.
    """
    return _CONTEXT if language is None else _catalog(language)


def _(message: str) -> str:
    """Translate ``message`` into the caller's language (English when none is set)."""
    return _catalog(_language.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The plural form of ``singular``/``plural`` for ``n`` in the caller's language."""
    return _catalog(_language.get()).ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark ``message`` for the catalog without translating it now (translate it later)."""
    return message


def current_language() -> str | None:
    """The language set for this context (``None``: English)."""
    return _language.get()


def set_language(language: str | None) -> Token[str | None]:
    """Use ``language`` for every ``_()`` in this context (this task, this request) from now on.

    Returns the token that :meth:`ContextVar.reset` takes to undo it.
    """
    return _language.set(language)


@contextmanager
def using_language(language: str | None) -> Iterator[None]:
    """Use ``language`` inside the ``with`` block, then restore the previous one."""
    token = _language.set(language)
    try:
        yield
    finally:
        _language.reset(token)


_TRADITIONAL_CHINESE = {"hant", "tw", "hk", "mo"}
_TAG = re.compile(r"^[a-z]{1,8}(-[a-z0-9]{1,8})*$")


def _tags(preferred: str) -> list[str]:
    """Language tags in order of preference, lower case with ``-`` (q=0 and ``*`` dropped)."""
    weighted: list[tuple[float, int, str]] = []
    for index, part in enumerate(re.split(r"[,:]", preferred)):
        tag, _sep, params = part.strip().partition(";")
        tag = tag.split(".")[0].split("@")[0].strip().replace("_", "-").lower()
        quality = 1.0
        for param in params.split(";"):
            name, _eq, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality > 0 and _TAG.match(tag) and tag not in {"c", "posix"}:
            weighted.append((-quality, index, tag))
    return [tag for _q, _i, tag in sorted(weighted)]


def _match(tag: str, languages: tuple[str, ...]) -> str | None:
    by_tag = {language.replace("_", "-").lower(): language for language in languages}
    if tag in by_tag:
        return by_tag[tag]
    primary, *rest = tag.split("-")
    if primary == "zh" and _TRADITIONAL_CHINESE & set(rest) and "hans" not in rest:
        return None  # a Simplified catalog is no answer for a Traditional reader
    same = sorted(
        (language for key, language in by_tag.items() if key.split("-")[0] == primary),
        key=lambda language: ("_" in language, language),  # ``pt`` before ``pt_BR``
    )
    return same[0] if same else None


# Where a command line finds its user's language, in gettext's order.
LOCALE_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")


def environment_language(environ: Mapping[str, str]) -> str | None:
    """The catalog for the first of :data:`LOCALE_VARIABLES` set in ``environ`` (``None``:
    English)."""
    for name in LOCALE_VARIABLES:
        value = environ.get(name)
        if value:
            return negotiate(value)
    return None


def negotiate(preferred: object) -> str | None:
    """The catalog to use for what a person's client says they read, or ``None`` for English.

    ``preferred`` is a browser's ``Accept-Language`` header (``pt-BR,pt;q=0.9,en;q=0.8``), a
    Discord locale (``"zh-CN"``, ``"es-ES"`` or a ``discord.Locale``), or a POSIX locale
    (``de_DE.UTF-8``, ``LANGUAGE=pt_BR:pt``). The first acceptable language with a catalog wins,
    matched exactly or by its language (``pt-PT`` reads ``pt_BR``, ``es-419`` reads ``es``);
    English before it, or nothing usable, gives ``None``.
    """
    value = getattr(preferred, "value", preferred)
    if not isinstance(value, str) or not value.strip():
        return None
    languages = available_languages()
    for tag in _tags(value):
        if tag.split("-")[0] == SOURCE_LANGUAGE:
            return None
        found = _match(tag, languages)
        if found:
            return found
    return None
