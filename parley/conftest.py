from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from pytest_django.fixtures import Settings

from parley.testing import (
    MAILS_CHECKED,
    ActiveCast,
    Cast,
    build_case,
    entry_texts_in_mail,
    make_cast,
)


@pytest.fixture(autouse=True)
def fast_passwords(settings: Settings) -> None:
    # Argon2 is deliberately slow; tests that are not about hashing use a fast hasher.
    # test_it_hashes_passwords_with_argon2 checks the production setting.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fresh_rate_limits() -> Iterator[None]:
    # Sign-in rate limits live in the cache, which outlives a test in one process.
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def language_of_the_test() -> Iterator[None]:
    """Each test starts in the default language. Django's LocaleMiddleware activates the
    request's language in the thread and leaves it there, so a test client's German request
    would otherwise leave German active for whatever the next test renders outside a request."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture
def cast(db: None) -> Cast:
    return make_cast()


@pytest.fixture
def active(cast: ActiveCast) -> ActiveCast:
    return build_case(cast, stage="active")


@pytest.fixture(scope="session", autouse=True)
def close_writer_connections(django_db_setup: None) -> Iterator[None]:
    """Socket posts run on writer threads that keep their database connection between writes;
    close them before the test database is dropped (a server simply exits)."""
    yield
    from parley.realtime import writer

    writer.shutdown()


@pytest.fixture(autouse=True)
def no_entry_text_in_any_mail(request: pytest.FixtureRequest) -> Iterator[None]:
    """R3.6, R10.3: after every test that used the database, no mail and no calendar file it
    produced holds the text of any entry a person wrote in the case (every test's mails, the
    whole suite over). Calendar feeds are checked the same way in test_r10_3."""
    uses_db = any(name in request.fixturenames for name in ("db", "transactional_db"))
    if uses_db:
        request.getfixturevalue(
            "transactional_db" if "transactional_db" in request.fixturenames else "db"
        )
    yield
    from django.core import mail

    outbox = list(getattr(mail, "outbox", []))
    if not uses_db or not outbox:
        return
    leaked = entry_texts_in_mail(outbox)
    assert not leaked, f"entry text in a mail: {leaked[:1]!r}"


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if MAILS_CHECKED["mails"]:
        terminalreporter.write_line(
            f"No entry text in {MAILS_CHECKED['mails']} mails and "
            f"{MAILS_CHECKED['calendars']} calendar files checked (R3.6, R10.3)."
        )
