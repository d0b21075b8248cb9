"""Who is at this desk: the desk's own config, not a row of the shared database."""

from __future__ import annotations

import dataclasses
import logging

import pytest

from tests.helpers.settings import raw, store_raw
from tests.helpers.test_database import drop_database, fresh_database, server_url
from winback_desktop import desk
from winback_desktop.bootstrap import open_app
from winback_desktop.services.first_paint import read_first_paint
from winback_desktop.services.people import team as people


@pytest.fixture
def team(ctx) -> dict[str, int]:
    return {
        "ana": people.add_person(ctx, "Ana Ortiz", "caller"),
        "ben": people.add_person(ctx, "Ben Brook", "executive"),
    }


@pytest.fixture
def other_desk(ctx, tmp_path):
    """A second desk (its own config dir) on the same database."""
    paths = dataclasses.replace(ctx.paths, config=tmp_path / "other-desk")
    other = open_app(paths)
    yield other
    other.close()


def test_two_desks_on_one_database_each_have_their_own_current_user(ctx, other_desk, team):
    people.set_current_user(ctx, team["ana"])
    assert people.current_user(other_desk) is None  # the other desk has not been told who is there
    people.set_current_user(other_desk, team["ben"])
    assert people.current_user(ctx).id == team["ana"]
    assert people.current_user(other_desk).id == team["ben"]
    people.set_current_user(ctx, None)
    assert people.current_user(ctx) is None and people.current_user(other_desk).id == team["ben"]
    assert raw(ctx, "current_user_id") is None  # nothing was written to the shared database


def test_one_desk_on_two_databases_remembers_each(ctx, tmp_path, team):
    other_name, other_url = fresh_database() if server_url() else (None, None)  # a server's other database
    elsewhere = open_app(
        dataclasses.replace(ctx.paths, data_dir=tmp_path / "elsewhere", database_url=other_url)
    )
    try:
        people.set_current_user(ctx, team["ana"])
        assert people.current_user(elsewhere) is None  # Ana's id means nothing there
        someone = people.add_person(elsewhere, "Cleo Cole", "caller")
        people.set_current_user(elsewhere, someone)
        assert people.current_user(ctx).id == team["ana"]
        assert people.current_user(elsewhere).id == someone
    finally:
        elsewhere.close()
        if other_name is not None:
            drop_database(other_name)


def peek_says(paths, user: str) -> bool:
    """The first paint peeks ``user`` from the SQLite file before the services run; on a team
    server there is no file to peek, and the ordinary start reads it (first paint None)."""
    first = read_first_paint(paths, 5)
    if paths.on_server:
        return first is None
    return first is not None and first.current_user == user


def test_an_upgrade_takes_the_old_row_once(ctx, paths, team):
    store_raw(ctx, "current_user_id", str(team["ben"]))  # as the version before wrote it
    assert peek_says(paths, str(team["ben"]))  # before the services run
    assert people.current_user(ctx).id == team["ben"]
    assert desk.load(paths).current_user(desk.database_key(paths)) == team["ben"]
    assert peek_says(paths, str(team["ben"]))

    people.set_current_user(ctx, team["ana"])
    assert raw(ctx, "current_user_id") == str(team["ben"])  # the row is never written again
    people.set_current_user(ctx, None)
    assert people.current_user(ctx) is None  # forgetting sticks: the old row is not taken again
    assert peek_says(paths, "")


def test_an_upgrade_with_a_stale_or_unusable_old_row(ctx, paths, team):
    people.retire_person(ctx, team["ben"])
    store_raw(ctx, "current_user_id", str(team["ben"]))
    assert people.current_user(ctx) is None  # retired: nobody, as before
    people.unretire_person(ctx, team["ben"])
    assert people.current_user(ctx).id == team["ben"]  # the id was kept, like the row kept it

    other = dataclasses.replace(paths, config=paths.config.parent / "third-desk")
    store_raw(ctx, "current_user_id", "garbage")
    again = open_app(other)
    try:
        assert people.current_user(again) is None
        assert not other.desk_config.exists()  # nothing to take, nothing written
    finally:
        again.close()


def test_reading_who_is_here_writes_nothing_until_there_is_something_to_keep(ctx, paths, team):
    assert people.current_user(ctx) is None and not paths.desk_config.exists()
    people.set_current_user(ctx, None)
    assert desk.load(paths).knows(desk.database_key(paths))  # forgetting is remembered


def test_a_corrupt_desk_config_is_reported_and_read_as_nobody(ctx, paths, team, caplog):
    people.set_current_user(ctx, team["ana"])
    paths.desk_config.write_text("{ this is not json")
    with caplog.at_level(logging.WARNING):
        assert people.current_user(ctx) is None
    assert f"the desk config {paths.desk_config} cannot be used" in caplog.text
    people.set_current_user(ctx, team["ben"])
    assert people.current_user(ctx).id == team["ben"]
    assert (paths.config / "desk.json.corrupt").read_text() == "{ this is not json"


def test_a_desk_config_that_cannot_be_written_does_not_stop_the_work(ctx, tmp_path, team, caplog):
    (tmp_path / "not-a-dir").write_text("")
    stuck = open_app(dataclasses.replace(ctx.paths, config=tmp_path / "not-a-dir" / "desk"))
    try:
        with caplog.at_level(logging.WARNING):
            people.set_current_user(stuck, team["ana"])
            assert people.current_user(stuck) is None  # not remembered, and said so
        assert "could not write the desk config" in caplog.text
    finally:
        stuck.close()
