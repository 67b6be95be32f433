from __future__ import annotations

from pathlib import Path

import pytest
from pytest_django.fixtures import Settings as SettingsWrapper


@pytest.fixture(autouse=True)
def media_in_tmp(settings: SettingsWrapper, tmp_path: Path) -> Path:
    """Uploaded files go to a fresh directory per test, never the real data directory."""
    settings.MEDIA_ROOT = tmp_path / "documents"
    return tmp_path / "documents"
