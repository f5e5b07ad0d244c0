"""The demo writes files (a customer's attachment): into a temporary data directory here."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _data_dir(settings, tmp_path):
    settings.RMADESK_DATA_DIR = tmp_path / "data"
