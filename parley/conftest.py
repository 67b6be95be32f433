from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytest_django.fixtures import Settings

from parley.testing import Cast, build_case, make_cast


@pytest.fixture(autouse=True)
def fast_passwords(settings: Settings) -> None:
    # Argon2 is deliberately slow; tests that are not about hashing use a fast hasher.
    # test_it_hashes_passwords_with_argon2 checks the production setting.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def cast(db: None) -> Cast:
    return make_cast()


@pytest.fixture
def active(cast: Cast) -> Cast:
    return build_case(cast, stage="active")


@pytest.fixture(scope="session", autouse=True)
def close_writer_connections(django_db_setup: None) -> Iterator[None]:
    """Socket posts run on writer threads that keep their database connection between writes;
    close them before the test database is dropped (a server simply exits)."""
    yield
    from parley.realtime import writer

    writer.shutdown()
