from __future__ import annotations

import pytest

from parley.testing import Cast, build_case, make_cast


@pytest.fixture
def cast(db: None) -> Cast:
    return make_cast()


@pytest.fixture
def active(cast: Cast) -> Cast:
    return build_case(cast, stage="active")
