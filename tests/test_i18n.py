"""Translation catalogs and the per-person language (hearth.i18n; docs/i18n.md)."""

from __future__ import annotations

import asyncio
import gettext
import io
import re
import string
from collections.abc import Iterator
from pathlib import Path

import jinja2
import pytest
from babel import Locale
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo, write_mo
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po

from hearth import i18n
from hearth.i18n import (
    _,
    available_languages,
    negotiate,
    ngettext,
    set_language,
    translations,
    using_language,
)

ROOT = Path(__file__).resolve().parents[1]
LOCALE = ROOT / "src" / "hearth" / "locale"

# The Phoenix strategy's priority languages ("International Expansion" → "Localization
# Strategy"): Chinese (Mandarin), Spanish, Japanese, Portuguese, German, French, Korean, Russian.
PRIORITY = ("zh_CN", "es", "ja", "pt_BR", "de", "fr", "ko", "ru")
CATALOGS = sorted(LOCALE.glob("*/LC_MESSAGES/hearth.po"))


def _catalog(po: Path) -> Catalog:
    with po.open("rb") as f:
        return read_po(f, locale=po.parent.parent.name)


def _translated(catalog: Catalog) -> Iterator[Message]:
    for message in catalog:
        if message.id and message.string and "fuzzy" not in message.flags:
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            if all(strings):
                yield message


def _is_source(message: Message) -> bool:
    """Whether every form of the "translation" is one of the English source forms."""
    ids = message.id if isinstance(message.id, tuple | list) else (message.id,)
    strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
    return all(string in ids for string in strings)


def _key(value: object) -> object:
    return tuple(value) if isinstance(value, list | tuple) else value


def _brace_fields(text: str) -> list[tuple[str, str, str]]:
    """``{name:spec!conv}`` fields, sorted (order may change between languages)."""
    return sorted(
        (name, spec or "", conv or "")
        for _lit, name, spec, conv in string.Formatter().parse(text)
        if name is not None
    )


def _percent_fields(text: str) -> list[str]:
    return sorted(re.findall(r"%\(\w+\)[sdif]", text))


def test_the_eight_priority_languages_have_catalogs() -> None:
    assert (LOCALE / "hearth.pot").is_file()
    assert set(PRIORITY) <= {po.parent.parent.name for po in CATALOGS}
    assert set(PRIORITY) <= set(available_languages())


@pytest.mark.parametrize("po", CATALOGS, ids=lambda p: p.parent.parent.name)
def test_catalog_is_valid_and_compiles(po: Path) -> None:
    catalog = _catalog(po)
    language = po.parent.parent.name
    assert catalog.num_plurals == get_plural(language).num_plurals
    problems = [(m.id, str(e)) for m in catalog for e in m.check(catalog)]
    assert problems == []
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    compiled = gettext.GNUTranslations(buffer)
    assert Locale.parse(compiled.info()["language"]) == Locale.parse(language)


@pytest.mark.parametrize("po", CATALOGS, ids=lambda p: p.parent.parent.name)
def test_mo_is_up_to_date_with_po(po: Path) -> None:
    """The shipped .mo holds exactly the .po's translations (run ``make i18n`` if not)."""
    mo = po.with_suffix(".mo")
    assert mo.is_file(), f"{mo} is missing: run 'make i18n'"
    with mo.open("rb") as f:
        compiled = read_mo(f)
    # Babel writes an untranslated plural entry with the English forms as its "translation";
    # entries equal to their source change nothing, so both sides leave them out.
    expected = {_key(m.id): _key(m.string) for m in _translated(_catalog(po)) if not _is_source(m)}
    actual = {_key(m.id): _key(m.string) for m in compiled if m.id and not _is_source(m)}
    assert actual == expected, f"{mo} is stale: run 'make i18n'"


@pytest.mark.parametrize("po", CATALOGS, ids=lambda p: p.parent.parent.name)
def test_translations_keep_placeholders_and_plural_forms(po: Path) -> None:
    catalog = _catalog(po)
    for message in _translated(catalog):
        if isinstance(message.id, tuple):
            source = message.id[1]
            forms = message.string
            assert isinstance(forms, tuple)
            assert len(forms) == catalog.num_plurals, message.id
        else:
            source, forms = message.id, (message.string,)
        for form in forms:
            assert _brace_fields(form) == _brace_fields(source), (message.id, form)
            assert _percent_fields(form) == _percent_fields(source), (message.id, form)
            if any(path.endswith(".html") for path, _line in message.locations):
                # Jinja2's newstyle gettext always applies ``%`` formatting.
                values = {name[2:-2]: "x" for name in _percent_fields(source)}
                assert isinstance(form % values, str)  # raises on a stray '%'


def _extracted_ids() -> set[str]:
    with (ROOT / "babel.cfg").open() as f:
        method_map, options_map = parse_mapping_cfg(f)
    keywords = {"_": None, "N_": None, "gettext": None, "ngettext": (1, 2)}
    return {
        message if isinstance(message, str) else message[0]
        for _file, _line, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=keywords
        )
    }


def test_translated_msgids_still_exist_in_the_code() -> None:
    """A translation whose English source was changed or removed must be marked obsolete.

    New strings never fail this test (they are simply untranslated until ``make i18n``); a
    reworded or deleted string that carries translations does: ``make i18n`` moves it to the
    obsolete (``#~``) section, with a fuzzy guess for the new wording when one is close.
    """
    current = _extracted_ids()
    stale = {
        po.parent.parent.name: sorted(
            key
            for message in _translated(_catalog(po))
            if (key := message.id if isinstance(message.id, str) else message.id[0]) not in current
        )
        for po in CATALOGS
    }
    assert {k: v for k, v in stale.items() if v} == {}, "run 'make i18n'"


@pytest.mark.parametrize(
    ("preferred", "expected"),
    [
        ("pt-BR,pt;q=0.9,en;q=0.8", "pt_BR"),
        ("pt-PT", "pt_BR"),
        ("zh-CN", "zh_CN"),
        ("zh-Hans-SG", "zh_CN"),
        ("zh-TW", None),  # no Traditional Chinese catalog: English, not Simplified
        ("es-ES", "es"),
        ("es-419", "es"),
        ("ja", "ja"),
        ("ko", "ko"),
        ("ru-RU", "ru"),
        ("fr-CA;q=0.5, de;q=0.7", "de"),
        ("en-US,en;q=0.9,de;q=0.8", None),
        ("it-IT, ja;q=0.2", "ja"),
        ("de;q=0, fr", "fr"),
        ("de_DE.UTF-8", "de"),
        ("pt_BR:pt", "pt_BR"),
        ("C.UTF-8", None),
        ("*", None),
        ("", None),
        (None, None),
    ],
)
def test_negotiate(preferred: str | None, expected: str | None) -> None:
    assert negotiate(preferred) == expected


def test_negotiate_takes_a_discord_locale_enum() -> None:
    discord = pytest.importorskip("discord")
    assert negotiate(discord.Locale.brazil_portuguese) == "pt_BR"
    assert negotiate(discord.Locale.chinese) == "zh_CN"
    assert negotiate(discord.Locale.taiwan_chinese) is None
    assert negotiate(discord.Locale.spain_spanish) == "es"
    assert negotiate(discord.Locale.american_english) is None


def test_underscore_follows_the_context_language() -> None:
    assert _("Sign in") == "Sign in"
    with using_language("de"):
        assert _("Sign in") == "Anmelden"
        assert translations(None).gettext("Points") == "Punkte"
        with using_language("ja"):
            assert _("Points") == "ポイント"
        assert _("Points") == "Punkte"
    assert _("Sign in") == "Sign in"
    assert translations("en").gettext("Points") == "Points"
    with using_language("fr"):
        assert _("Wrong username or password.") == "Nom d'utilisateur ou mot de passe incorrect."
        assert _("No string like this one exists.") == "No string like this one exists."


def test_plural_forms_follow_the_language() -> None:
    one, many = "{n:,} private message skipped.", "{n:,} private messages skipped."
    with using_language("ru"):
        assert ngettext(one, many, 1).format(n=1) == "Пропущено 1 личное сообщение."
        assert ngettext(one, many, 3).format(n=3) == "Пропущено 3 личных сообщения."
        assert ngettext(one, many, 5).format(n=5) == "Пропущено 5 личных сообщений."
    assert ngettext(one, many, 2).format(n=2) == "2 private messages skipped."


def test_language_is_per_task_and_follows_to_threads() -> None:
    async def interaction(language: str) -> tuple[str, str]:
        set_language(negotiate(language))  # what the bot does once per interaction
        await asyncio.sleep(0)
        in_thread = await asyncio.to_thread(_, "Sign out")
        return _("Sign out"), in_thread

    async def main() -> list[tuple[str, str]]:
        return await asyncio.gather(interaction("pt-BR"), interaction("ko"), interaction("en-US"))

    assert asyncio.run(main()) == [
        ("Sair", "Sair"),
        ("로그아웃", "로그아웃"),
        ("Sign out", "Sign out"),
    ]
    assert i18n.current_language() is None


def test_jinja_templates_render_in_the_context_language() -> None:
    env = jinja2.Environment(extensions=["jinja2.ext.i18n"], autoescape=True)
    env.install_gettext_translations(translations(None), newstyle=True)  # type: ignore[attr-defined]
    template = env.from_string('{{ _("Sign in with %(provider)s", provider=name) }}')
    assert template.render(name="GitHub") == "Sign in with GitHub"
    with using_language("es"):
        assert template.render(name="GitHub") == "Iniciar sesión con GitHub"


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"LANGUAGE": "pt_BR:pt", "LANG": "de_DE.UTF-8"}, "pt_BR"),
        ({"LANGUAGE": "", "LC_ALL": "de_DE.UTF-8"}, "de"),
        ({"LC_MESSAGES": "ja_JP.UTF-8", "LANG": "fr_FR.UTF-8"}, "ja"),
        ({"LANG": "C.UTF-8"}, None),
        ({"LANG": "en_GB.UTF-8"}, None),
        ({}, None),
    ],
)
def test_the_environment_names_the_command_lines_language(
    environ: dict[str, str], expected: str | None
) -> None:
    assert i18n.environment_language(environ) == expected


def test_the_command_line_speaks_its_users_language() -> None:
    import os
    import subprocess
    import sys

    def show(language: str) -> str:
        return subprocess.run(
            [sys.executable, "-c", "from hearth.cli import main; main()", "playbook", "--help"],
            env={**os.environ, "LANGUAGE": language, "COLUMNS": "200"},
            capture_output=True,
            text=True,
            check=True,
        ).stdout

    assert "Playbooks: check a playbook file, show its rules." in show("en")
    german = translations("de").gettext("Playbooks: check a playbook file, show its rules.")
    assert german != "Playbooks: check a playbook file, show its rules."
    assert german in show("de")
