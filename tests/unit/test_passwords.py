"""The argon2 cost of new hashes follows LANGSO_PASSWORD_HASH_COST; stored hashes keep theirs."""

from __future__ import annotations

from pathlib import Path

import pytest

from server.accounts import passwords
from server.settings import PASSWORD_HASH_COSTS, Settings


@pytest.fixture(autouse=True)
def _keep_the_hasher(monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever a test configures, the rest of the session hashes as before."""
    monkeypatch.setattr(passwords, "_hasher", passwords._hasher)


def _settings(tmp_path: Path, **env: str) -> Settings:
    return Settings.from_env({"LANGSO_DATA_DIR": str(tmp_path), **env})


def test_production_hashes_at_argon2s_recommended_cost(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    assert settings.password_hash_cost == "normal"

    passwords.configure(settings.password_hash_cost)

    assert "$m=65536,t=3,p=4$" in passwords.hash_password("mat-khau-thu")


def test_the_test_cost_is_cheap_and_both_kinds_of_hash_verify(tmp_path: Path) -> None:
    passwords.configure("normal")
    strong = passwords.hash_password("mat-khau-thu")

    passwords.configure(_settings(tmp_path, LANGSO_PASSWORD_HASH_COST="test").password_hash_cost)
    cheap = passwords.hash_password("mat-khau-thu")

    assert "$m=8,t=1,p=1$" in cheap
    assert passwords.verify_password(strong, "mat-khau-thu")
    assert passwords.verify_password(cheap, "mat-khau-thu")
    assert not passwords.verify_password(cheap, "mat-khau-khac")


@pytest.mark.parametrize("value", ["low", "TEST", "0", "fast"])
def test_an_unknown_cost_stops_the_start(tmp_path: Path, value: str) -> None:
    with pytest.raises(ValueError, match="LANGSO_PASSWORD_HASH_COST"):
        _settings(tmp_path, LANGSO_PASSWORD_HASH_COST=value)


def test_every_cost_the_settings_accept_has_parameters() -> None:
    assert set(passwords.COSTS) == set(PASSWORD_HASH_COSTS)
