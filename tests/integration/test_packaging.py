"""The wheel a user installs carries the resources and the `winback` command."""

from __future__ import annotations

import configparser
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.helpers.paths import ROOT


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), str(ROOT)],
        check=True,
        timeout=600,
    )
    return next(out.glob("winback_desktop-*.whl"))


def test_wheel_ships_resources(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for resource in (
        "winback_desktop/resources/scripts/recovery-call.toml",
        "winback_desktop/resources/catalogue.toml",
        "winback_desktop/resources/fonts/DejaVuSans.ttf",
        "winback_desktop/resources/fonts/DejaVuSans-Bold.ttf",
        "winback_desktop/resources/sample/customers.csv",
        "winback_desktop/resources/icons/winback-desk.svg",
        "winback_desktop/store/migrations/env.py",
    ):
        assert resource in names, f"{resource} missing from {wheel.name}"
    assert any(n.startswith("winback_desktop/store/migrations/versions/0001") for n in names)
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "winback = winback_desktop.cli:main" in text


def test_desktop_entry_starts_the_app():
    entry = configparser.ConfigParser(interpolation=None)
    entry.read(ROOT / "packaging" / "winback-desk.desktop", encoding="utf-8")
    section = entry["Desktop Entry"]
    assert section["Exec"].split()[0] == "winback"
    assert section["Type"] == "Application"
    assert (ROOT / "packaging" / f"{section['Icon']}.png").is_file()
