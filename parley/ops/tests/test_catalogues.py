"""The Spanish and German catalogues are complete: every entry translated and none fuzzy, and
every translatable string in the code is in them (`make messages` would add nothing new)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

PARLEY = Path(__file__).resolve().parents[2]
LANGS = ("es", "de")
# The same options as the Makefile's `messages` target.
IGNORED = {"django": ["tests/*"], "djangojs": ["tests/*", "static/vendor/*"]}

Key = tuple[str | None, str]


def _read(path: Path) -> Catalog:
    with path.open("rb") as f:
        return read_po(f, locale=path.parts[-3])


def _keys(catalog: Catalog) -> set[Key]:
    keys = set()
    for message in catalog:
        if message.id:
            msgid = message.id if isinstance(message.id, str) else message.id[0]
            keys.add((message.context, msgid))
    return keys


def _catalogues() -> list[Path]:
    return sorted(
        path
        for lang in LANGS
        for pattern in (f"*/locale/{lang}/LC_MESSAGES/*.po", f"locale/{lang}/LC_MESSAGES/*.po")
        for path in PARLEY.glob(pattern)
    )


def _apps() -> list[Path]:
    """Every app with a catalogue, and the package itself (its core modules: errors, money,
    limits, wording) whose catalogue is parley/locale (settings.LOCALE_PATHS)."""
    return [*sorted(path.parent for path in PARLEY.glob("*/locale") if path.is_dir()), PARLEY]


def _subpackages() -> list[str]:
    return sorted(path.name for path in PARLEY.iterdir() if path.is_dir() and path.name != "locale")


def _translatable(folder: Path) -> bool:
    for path in folder.rglob("*"):
        if "tests" in path.relative_to(folder).parts or path.suffix not in (".py", ".html"):
            continue
        text = path.read_text()
        if "gettext" in text or "{% translate" in text or "{% blocktranslate" in text:
            return True
    return False


def test_every_app_with_translatable_words_has_a_locale_folder() -> None:
    lacking = [
        name
        for name in _subpackages()
        if not (PARLEY / name / "locale").is_dir() and _translatable(PARLEY / name)
    ]
    assert not lacking, f"translatable words but no catalogue: {lacking}; run `make messages`"


def test_every_app_with_a_locale_folder_has_spanish_and_german_catalogues() -> None:
    assert _apps(), "no app has a locale folder"
    for app in _apps():
        for lang in LANGS:
            assert (app / "locale" / lang / "LC_MESSAGES" / "django.po").exists(), (
                f"{app.name} has no {lang} catalogue: run `make messages`"
            )


def test_every_spanish_and_german_entry_is_translated_and_none_is_fuzzy() -> None:
    problems = []
    for path in _catalogues():
        catalog = _read(path)
        where = path.relative_to(PARLEY.parent)
        if catalog.fuzzy:
            problems.append(f"{where}: the header is marked fuzzy (Babel would skip the file)")
        for message in catalog:
            if not message.id:
                continue
            strings = [message.string] if isinstance(message.string, str) else message.string
            if message.fuzzy:
                problems.append(f"{where}: fuzzy: {message.id!r}")
            elif not strings or not all(strings):
                problems.append(f"{where}: untranslated: {message.id!r}")
        for message, errors in catalog.check():
            problems.extend(f"{where}: {message.id!r}: {error}" for error in errors)
    assert not problems, "\n".join(problems)


def test_every_translatable_string_in_the_code_is_in_the_catalogues(tmp_path: Path) -> None:
    """makemessages runs over a copy of the tree, so the repository is left as it is. It needs
    GNU gettext; CI sets PARLEY_REQUIRE_GETTEXT so the check is never skipped there."""
    if shutil.which("xgettext") is None:
        if os.environ.get("PARLEY_REQUIRE_GETTEXT"):
            pytest.fail("GNU gettext (xgettext) is not installed")
        pytest.skip("GNU gettext is not installed")
    copy = tmp_path / "parley"
    shutil.copytree(PARLEY, copy, ignore=shutil.ignore_patterns("__pycache__", "*.po", "*.mo"))
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "parley.settings"}
    runs = []
    for app in _apps():
        for domain, ignored in IGNORED.items():
            if domain == "djangojs" and not (app / "static").is_dir():
                continue
            # -P: the app folder is not put on sys.path (parley/web/calendar.py is no stdlib).
            command = [sys.executable, "-P", "-m", "django", "makemessages", "-d", domain]
            command += [f"-l{lang}" for lang in LANGS]
            command += [f"--ignore={pattern}" for pattern in ignored]
            if app == PARLEY:  # the core modules only: each app has its own catalogue
                command += [f"--ignore={name}" for name in _subpackages()]
            runs.append(
                subprocess.Popen(
                    command,
                    cwd=copy if app == PARLEY else copy / app.name,
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.PIPE,
                    text=True,
                )
            )
    for run in runs:
        _, errors = run.communicate(timeout=300)
        assert run.returncode == 0, errors

    missing = []
    made_here = [*copy.glob("*/locale/*/LC_MESSAGES/*.po"), *copy.glob("locale/*/LC_MESSAGES/*.po")]
    for made in sorted(made_here):
        relative = made.relative_to(copy)
        ours = PARLEY / relative
        if not ours.exists():
            missing.append(f"parley/{relative} does not exist: run `make messages`")
            continue
        for context, msgid in sorted(
            _keys(_read(made)) - _keys(_read(ours)), key=lambda k: (k[0] or "", k[1])
        ):
            label = f"{context}|{msgid}" if context else msgid
            missing.append(f"parley/{relative} lacks {label!r}")
    assert not missing, "run `make messages` and translate:\n" + "\n".join(missing)
