"""The recovery journal: appends survive torn tails, the latest save of a key wins, a done save
is never owed again, and the reserved space is reused."""

from __future__ import annotations

import os
import stat

from winback_desktop.services.calls import journal
from winback_desktop.services.calls.journal import Journal, field_save, owed


def test_a_save_is_in_the_file_at_once_user_only_with_space_reserved(tmp_path):
    path = tmp_path / "recovery.journal"
    j = Journal(path)
    try:
        seqs, problem = j.append([field_save(7, "probe", "their_story", "Late three weeks running")])
        assert problem is None and seqs == [1]
        [entry] = owed(path)  # read by another reader, as after a kill: no close, no sync needed
        assert entry.save.args["value"] == "Late three weeks running" and entry.save.call_id == 7
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert path.stat().st_size >= journal.RESERVE
        assert j.wait_synced(5)
    finally:
        j.close()


def test_the_latest_save_of_a_key_wins_and_done_is_never_owed_again(tmp_path):
    path = tmp_path / "recovery.journal"
    j = Journal(path)
    first = field_save(7, "probe", "their_story", "Late")
    second = field_save(7, "probe", "their_story", "Late twice")
    other = field_save(8, "probe", "their_story", "Another call")
    (s1, s2, s3), _ = j.append([first, second, other])
    assert [e.save.args["value"] for e in owed(path)] == ["Late twice", "Another call"]
    j.done(first, s1)  # an older save written: the newer one is still owed
    assert [e.seq for e in owed(path)] == [s2, s3]
    j.done(second, s2)
    assert [e.seq for e in owed(path)] == [s3]
    j.done(other, s3)  # nothing owed: a new generation, the old records are dead
    assert owed(path) == []
    j.close()
    again = Journal(path)
    assert again.recovered == []
    again.close()


def test_a_torn_tail_is_ignored_and_written_over(tmp_path):
    path = tmp_path / "recovery.journal"
    j = Journal(path)
    j.append([field_save(7, "initiate", "what_happened", "Whole sentence.")])
    j.close()
    good = owed(path)
    # A crash mid-append: half a record after the last whole one.
    data = bytearray(path.read_bytes())
    end = data.index(b"\0")
    torn = b'0badc0de {"gen":"x","seq":2,"call":7,"key":"field:initi'
    data[end : end + len(torn)] = torn
    path.write_bytes(bytes(data))
    assert owed(path) == good
    j = Journal(path)
    assert [e.save.args["value"] for e in j.recovered] == ["Whole sentence."]
    j.append([field_save(7, "probe", "their_story", "After the crash")])
    j.close()
    assert [e.save.args["value"] for e in owed(path)] == ["Whole sentence.", "After the crash"]


def test_damaged_bytes_stop_the_reader_and_nothing_after_them_is_trusted(tmp_path):
    path = tmp_path / "recovery.journal"
    j = Journal(path)
    j.append([field_save(7, "initiate", "what_happened", "one")])
    j.append([field_save(7, "probe", "their_story", "two")])
    j.close()
    data = bytearray(path.read_bytes())
    data[data.index(b'"one"') + 1] = ord("X")  # the checksum no longer matches
    path.write_bytes(bytes(data))
    assert owed(path) == []


def test_the_reserved_space_is_reused(tmp_path):
    path = tmp_path / "recovery.journal"
    j = Journal(path)
    size = path.stat().st_size
    for n in range(400):  # 1.6 MB of saves, more than the reserve, each reaching the database
        save = field_save(7, "probe", "their_story", f"take {n} " + "x" * 4000)
        [seq], problem = j.append([save])
        assert problem is None
        j.done(save, seq)
    j.close()
    assert path.stat().st_size == size and owed(path) == []


def test_an_unwritable_folder_is_said_and_saves_are_numbered_anyway(tmp_path):
    folder = tmp_path / "gone"  # no such folder: the file cannot be made
    j = Journal(folder / "recovery.journal")
    assert j.error is not None and "cannot be written" in j.error
    seqs, problem = j.append([field_save(7, "probe", "their_story", "kept in memory")])
    assert seqs == [1] and problem is not None
    j.close()
    assert not os.path.exists(folder)
