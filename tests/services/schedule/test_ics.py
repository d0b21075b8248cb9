"""iCalendar: parsed back with icalendar itself — events, UTC times, people, awkward text."""

from __future__ import annotations

import datetime as dt
import os
import stat
from decimal import Decimal

import pytest
from icalendar import Calendar

from winback_desktop.cli.entry import main
from winback_desktop.files import atomic_write_bytes
from winback_desktop.services.people import team as people
from winback_desktop.services.schedule import booking as schedule
from winback_desktop.services.schedule import ics as agenda_ics
from winback_desktop.store.connection import transaction
from winback_desktop.store.models import Customer

COMPANY = 'Café Lumière; Bar, Grill & "Co"\nSecond line — Ærø'
CONTACT = "Amélie Rousseau-Øster, Jr."


@pytest.fixture(autouse=True)
def keep_umask():
    old = os.umask(0o022)
    os.umask(old)
    yield
    os.umask(old)


@pytest.fixture
def booked(ctx):
    """Two calls with awkward names; the partner has no email address."""
    with transaction(ctx.sessions) as s:
        a = Customer(
            company=COMPANY,
            contact_name=CONTACT,
            contact_title="Gérante",
            phone="+33 1 70 36 41 22",
            email="a.rousseau@cafe.example",
            yearly_revenue=Decimal("26400.00"),
            value_lost=Decimal("1.00"),
        )
        b = Customer(company="Harbour Foods", value_lost=Decimal("184500.00"))
        s.add_all([a, b])
        s.flush()
        ids = a.id, b.id
    lead = people.add_person(ctx, "Zoë Ñúñez, Jr.; CFO", "executive", email="zoe@example.com")
    partner = people.add_person(ctx, 'Dan "DJ" O\'Neil: ops', "partner")
    day = dt.date.today() + dt.timedelta(days=1)
    first = schedule.schedule_call(
        ctx, ids[0], dt.datetime.combine(day, dt.time(10, 0)), 45, lead, partner
    ).call_id
    second = schedule.schedule_call(
        ctx, ids[1], dt.datetime.combine(day, dt.time(14, 0)), 30, partner
    ).call_id
    return {"lead": lead, "partner": partner, "calls": (first, second), "day": day}


def events(data: bytes) -> list:
    return Calendar.from_ical(data).walk("VEVENT")


def test_one_event_per_call_with_utc_times_and_stable_uid(ctx, booked):
    items = schedule.agenda(ctx, days=3)
    data = agenda_ics.agenda_ics(items)
    cal = Calendar.from_ical(data)
    assert str(cal["VERSION"]) == "2.0" and "Win-Back Desk" in str(cal["PRODID"])
    evs = events(data)
    first, second = booked["calls"]
    assert [str(e["UID"]) for e in evs] == [
        f"call-{first}@winback-desk.local",
        f"call-{second}@winback-desk.local",
    ]
    start = evs[0].decoded("DTSTART")
    expected = dt.datetime.combine(booked["day"], dt.time(10, 0)).astimezone(dt.UTC)
    assert start == expected and start.utcoffset() == dt.timedelta(0)
    assert evs[0].decoded("DTEND") - start == dt.timedelta(minutes=45)
    assert evs[1].decoded("DTEND") - evs[1].decoded("DTSTART") == dt.timedelta(minutes=30)
    assert b"DTSTART:" in data and b"Z\r\n" in data  # UTC form, no TZID needed
    assert evs[0].decoded("DTSTAMP").utcoffset() == dt.timedelta(0)
    # the same call gives the same UID in a later export
    again = events(agenda_ics.agenda_ics(schedule.agenda(ctx, days=3)))
    assert [str(e["UID"]) for e in again] == [str(e["UID"]) for e in evs]


def test_text_round_trips_with_commas_semicolons_newlines_and_accents(ctx, booked):
    [ev, _] = events(agenda_ics.agenda_ics(schedule.agenda(ctx, days=3)))
    assert str(ev["SUMMARY"]) == f"Recovery call: {COMPANY}"
    description = str(ev["DESCRIPTION"])
    lines = description.split("\n")
    assert f"Contact: {CONTACT}, Gérante" in lines
    assert "Phone: +33 1 70 36 41 22" in lines
    assert f"Purpose: {schedule.CALL_PURPOSE}" in lines
    assert "Yearly business at stake: 26,400.00" in lines
    assert str(ev["LOCATION"]) == "Phone: +33 1 70 36 41 22"


def test_organizer_and_attendees(ctx, booked):
    [ev, solo] = events(agenda_ics.agenda_ics(schedule.agenda(ctx, days=3)))
    organizer = ev["ORGANIZER"]
    assert str(organizer) == "mailto:zoe@example.com"
    assert organizer.params["CN"] == "Zoë Ñúñez, Jr.; CFO"
    attendees = ev["ATTENDEE"]
    assert [str(a) for a in attendees] == [
        "mailto:zoe@example.com",
        f"urn:x-winback:person:{booked['partner']}",
    ]
    assert [a.params["CN"] for a in attendees] == ["Zoë Ñúñez, Jr.; CFO", 'Dan "DJ" O\'Neil: ops']
    assert [a.params["ROLE"] for a in attendees] == ["CHAIR", "REQ-PARTICIPANT"]
    # a call with a leader only: one attendee, organizer without email uses the URN
    assert str(solo["ORGANIZER"]) == f"urn:x-winback:person:{booked['partner']}"
    solo_attendees = solo["ATTENDEE"]
    solo_attendees = solo_attendees if isinstance(solo_attendees, list) else [solo_attendees]
    assert len(solo_attendees) == 1


def test_call_invitation(ctx, booked):
    first, second = booked["calls"]
    data = agenda_ics.call_invitation(ctx, first)
    cal = Calendar.from_ical(data)
    assert str(cal["METHOD"]) == "REQUEST"  # the organizer has an address to answer to
    [ev] = cal.walk("VEVENT")
    assert str(ev["UID"]) == f"call-{first}@winback-desk.local"
    assert "METHOD" not in Calendar.from_ical(agenda_ics.call_invitation(ctx, second))
    with pytest.raises(LookupError):
        agenda_ics.call_invitation(ctx, 999)


def test_rescheduling_raises_the_sequence(ctx, booked):
    first, _ = booked["calls"]
    before = int(events(agenda_ics.call_invitation(ctx, first))[0]["SEQUENCE"])
    from winback_desktop.store.models import Call

    with transaction(ctx.sessions) as s:  # pretend the booking is older than it is
        s.get(Call, first).updated_at = dt.datetime(2025, 1, 1)
    older = int(events(agenda_ics.call_invitation(ctx, first))[0]["SEQUENCE"])
    schedule.reschedule(ctx, first, dt.datetime.combine(booked["day"], dt.time(16, 0)))
    after = int(events(agenda_ics.call_invitation(ctx, first))[0]["SEQUENCE"])
    assert older < after and before <= after


def test_empty_agenda_is_still_a_calendar():
    cal = Calendar.from_ical(agenda_ics.agenda_ics([]))
    assert cal.walk("VEVENT") == [] and str(cal["VERSION"]) == "2.0"


def test_write_ics_is_atomic_and_private(tmp_path, ctx, booked):
    folder = tmp_path / "out"
    folder.mkdir()
    target = folder / "agenda.ics"
    target.write_bytes(b"old")
    data = agenda_ics.agenda_ics(schedule.agenda(ctx, days=3))
    assert atomic_write_bytes(target, data) == target
    assert target.read_bytes() == data
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert [p.name for p in folder.iterdir()] == ["agenda.ics"]  # no temp file left
    with pytest.raises(OSError):
        atomic_write_bytes(folder / "missing" / "x.ics", data)


def test_cli_agenda_ics_on_demo_data(demo_ctx, tmp_path, capsys):
    out = tmp_path / "calls.ics"
    assert main(["agenda", "--days", "7", "--ics", str(out)]) == 0
    printed = capsys.readouterr().out
    evs = events(out.read_bytes())
    assert len(evs) >= 1
    assert len(evs) == len(schedule.agenda(demo_ctx, days=7))
    assert f"wrote {len(evs)} calls to {out}" in printed
    for ev in evs:
        assert str(ev["SUMMARY"]).startswith("Recovery call: ")
        assert ev.decoded("DTSTART").utcoffset() == dt.timedelta(0)
        assert ev["ATTENDEE"]
    assert main(["agenda"]) == 0
    assert "booked calls" in capsys.readouterr().out


def test_cli_agenda_errors(ctx, tmp_path, capsys):
    assert main(["agenda", "--ics", str(tmp_path / "no" / "such" / "dir.ics")]) == 1
    assert "cannot write" in capsys.readouterr().err
    for bad in (["agenda", "--days", "0"], ["agenda", "--days", "x"], ["agenda", "--from", "soon"]):
        with pytest.raises(SystemExit) as info:
            main(bad)
        assert info.value.code == 2
    assert main(["agenda", "--days", "400"]) == 1
