"""This desk's own config file: round trip, atomic user-only writes, an unusable file."""

from __future__ import annotations

import json
import logging
import os
import stat

import pytest

from winback_desktop import desk
from winback_desktop.paths import Paths


@pytest.fixture
def desk_paths(tmp_path) -> Paths:
    return Paths(tmp_path / "data", custom=True, config=tmp_path / "config" / "winback-desk")


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_no_file_reads_as_empty(desk_paths):
    config = desk.load(desk_paths)
    assert config == desk.DeskConfig() and not config.knows(desk.database_key(desk_paths))


def test_the_config_dir_follows_xdg_config_home(tmp_path):
    paths = Paths(tmp_path / "data", custom=True)
    assert paths.desk_config == tmp_path / "xdg-config" / "winback-desk" / "desk.json"  # see conftest


def test_round_trip_user_only(desk_paths):
    key = desk.database_key(desk_paths)
    desk.save(desk_paths, desk.DeskConfig().with_current_user(key, 7).with_current_user("/other.db", None))
    config = desk.load(desk_paths)
    assert config.current_user(key) == 7
    assert config.knows("/other.db") and config.current_user("/other.db") is None
    assert mode(desk_paths.desk_config) == 0o600 and mode(desk_paths.config) == 0o700
    assert json.loads(desk_paths.desk_config.read_text()) == {"current_users": {key: 7, "/other.db": None}}
    assert [p.name for p in desk_paths.config.iterdir()] == ["desk.json"]  # no temporary file left


def test_user_only_even_with_a_lax_umask_and_a_leftover_temp_file(desk_paths):
    desk_paths.config.mkdir(parents=True)
    leftover = desk_paths.config / f".desk.json.{os.getpid()}.tmp"
    leftover.write_text("half written")
    os.chmod(leftover, 0o666)
    old = os.umask(0)
    try:
        desk.save(desk_paths, desk.DeskConfig().with_current_user("db", 1))
    finally:
        os.umask(old)
    assert mode(desk_paths.desk_config) == 0o600 and not leftover.exists()


def test_keys_of_later_versions_are_kept(desk_paths):
    desk_paths.config.mkdir(parents=True)
    desk_paths.desk_config.write_text(json.dumps({"team_url": "postgresql://desk@db/winback"}))
    config = desk.load(desk_paths)
    desk.save(desk_paths, config.with_current_user("db", 3))
    saved = json.loads(desk_paths.desk_config.read_text())
    assert saved == {"team_url": "postgresql://desk@db/winback", "current_users": {"db": 3}}


@pytest.mark.parametrize(
    "text, reason",
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "not a JSON object"),
        ('{"current_users": [3]}', "'current_users' is not an object"),
        ('{"current_users": {"db": "three"}}', "a current user is a person id or null, not 'three'"),
        ('{"current_users": {"db": true}}', "a current user is a person id or null, not True"),
        (b"\xff\xfe\x00garbage", "codec can't decode"),
    ],
)
def test_an_unusable_file_is_reported_read_as_empty_and_kept_aside(desk_paths, caplog, text, reason):
    desk_paths.config.mkdir(parents=True)
    if isinstance(text, bytes):
        desk_paths.desk_config.write_bytes(text)
    else:
        desk_paths.desk_config.write_text(text)
    with caplog.at_level(logging.WARNING, logger="winback_desktop.desk"):
        assert desk.load(desk_paths) == desk.DeskConfig()
    assert f"the desk config {desk_paths.desk_config} cannot be used" in caplog.text
    assert reason in caplog.text and "treating it as empty" in caplog.text

    desk.save(desk_paths, desk.DeskConfig().with_current_user("db", 2))
    assert desk.load(desk_paths).current_user("db") == 2
    aside = desk_paths.config / "desk.json.corrupt"
    assert aside.read_bytes() == (text if isinstance(text, bytes) else text.encode())
    assert f"kept as {aside}" in caplog.text


def test_a_config_dir_that_cannot_be_made_raises_oserror(tmp_path):
    (tmp_path / "a-file").write_text("")
    paths = Paths(tmp_path / "data", custom=True, config=tmp_path / "a-file" / "winback-desk")
    with pytest.raises(OSError):
        desk.save(paths, desk.DeskConfig().with_current_user("db", 2))
