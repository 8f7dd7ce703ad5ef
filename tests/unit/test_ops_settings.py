"""Each operations setting is checked at start-up; a bad one stops the start saying which."""

from __future__ import annotations

from pathlib import Path

import pytest

from server.settings import SettingError, Settings


@pytest.mark.parametrize(
    ("variable", "value", "words"),
    [
        ("LANGSO_MIN_FREE_DISK_MB", "lots", "whole number of megabytes"),
        ("LANGSO_METRICS_ALLOW", "127.0.0.1,intranet", "not an address or a network"),
        ("LANGSO_METRICS_TOKEN", "short", "at least 32"),
        ("LANGSO_LOG_FORMAT", "xml", "text, json"),
    ],
)
def test_a_bad_operations_setting_stops_the_start_saying_which(
    tmp_path: Path, variable: str, value: str, words: str
) -> None:
    with pytest.raises(SettingError) as raised:
        Settings.from_env({"LANGSO_DATA_DIR": str(tmp_path), variable: value})
    assert variable in str(raised.value)
    assert words in str(raised.value)
