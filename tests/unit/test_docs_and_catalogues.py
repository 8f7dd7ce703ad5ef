"""Docs and catalogues stay complete: settings documented, every message translated."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po
from click.testing import CliRunner

from server.cli.commands import main
from server.settings import SETTINGS_HELP
from tests.paths import REPO_ROOT


def test_every_setting_is_documented() -> None:
    docs = (REPO_ROOT / "docs" / "settings.md").read_text(encoding="utf-8")
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    for name in SETTINGS_HELP:
        assert f"`{name}`" in docs, f"{name} is missing from docs/settings.md"
        assert name in readme, f"{name} is missing from README.md"


def test_settings_read_in_code_are_all_declared() -> None:
    read: set[str] = set()
    for path in (REPO_ROOT / "server").rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        read |= set(re.findall(r'env\.get\("(LANGSO_[A-Z_]+)"', source))
    assert read == set(SETTINGS_HELP)


def test_every_cli_command_is_documented() -> None:
    docs = (REPO_ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    runner = CliRunner()
    for group in main.commands.values():
        names = [group.name]
        if hasattr(group, "commands"):
            names = [f"{group.name} {sub}" for sub in group.commands]
        for name in names:
            assert f"langso {name}" in docs, f"`langso {name}` is missing from docs/cli.md"
            result = runner.invoke(main, [*name.split(), "--help"])
            assert result.exit_code == 0 and result.output.strip()


def _catalogue(language: str):
    path = REPO_ROOT / "locales" / language / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        return read_po(handle, locale=language)


def test_every_message_has_a_vietnamese_translation() -> None:
    catalogue = _catalogue("vi")
    missing = [m.id for m in catalogue if m.id and not m.string]
    fuzzy = [m.id for m in catalogue if m.id and m.fuzzy]
    assert missing == [] and fuzzy == []


def test_catalogues_hold_every_message_in_the_code(tmp_path: Path) -> None:
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [
            str(Path(sys.executable).parent / "pybabel"),
            "-q",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "N_",
            "-k",
            "gettext:2",
            "--no-location",
            "-o",
            str(pot),
            ".",
        ],
        cwd=REPO_ROOT,
        check=True,
    )
    with pot.open("rb") as handle:
        wanted = {m.id for m in read_po(handle) if m.id}
    assert len(wanted) > 150, "extraction found too few messages: check babel.cfg"
    assert "Add a household" in wanted  # from the app's JavaScript
    for language in ("vi", "en"):
        have = {m.id for m in _catalogue(language) if m.id}
        assert wanted <= have, f"run `pybabel update` for {language}: {sorted(wanted - have)}"


def test_placeholders_survive_translation() -> None:
    import re

    for message in _catalogue("vi"):
        if message.id and message.string:
            wanted = sorted(re.findall(r"%\(\w+\)s", str(message.id)))
            assert sorted(re.findall(r"%\(\w+\)s", str(message.string))) == wanted, message.id
