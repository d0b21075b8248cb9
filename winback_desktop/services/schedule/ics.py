"""Booked recovery calls as iCalendar (.ics): the agenda, or one call's invitation.

Built with the ``icalendar`` library, which does RFC 5545 escaping (commas, semicolons,
newlines), line folding and RFC 6868 parameter quoting, so any company or person name is safe.
Each call is one VEVENT whose UID is stable (``call-<id>@winback-desk.local``), so importing an
updated file changes the event instead of adding a second one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from icalendar import Calendar, Event, vCalAddress

from winback_desktop import __version__
from winback_desktop.formats import money
from winback_desktop.services.clock import as_utc, now
from winback_desktop.services.context import AppContext
from winback_desktop.services.schedule.booking import CALL_PURPOSE, AgendaItem, agenda_item

PRODID = f"-//Win-Back Desk//winback-desktop {__version__}//EN"
UID_DOMAIN = "winback-desk.local"
# SEQUENCE must grow with each change of a booking; there is no revision column, so it is
# derived from when the call last changed (minutes since this epoch: small, monotonic).
_SEQUENCE_EPOCH = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)


def event_uid(call_id: int) -> str:
    return f"call-{call_id}@{UID_DOMAIN}"


def person_address(person_id: int | None, email: str) -> str:
    """A calendar user address: mailto: when we know the email, else a stable URN."""
    if email:
        return f"mailto:{email}"
    return f"urn:x-winback:person:{person_id if person_id is not None else 'unknown'}"


def describe(item: AgendaItem) -> str:
    """The event's description: who, how to reach them, why we call, what they are worth."""
    contact = item.contact_name or "(no contact name)"
    if item.contact_title:
        contact = f"{contact}, {item.contact_title}"
    lines = [
        f"Contact: {contact}",
        f"Phone: {item.phone or '(no number on file)'}",
    ]
    if item.email:
        lines.append(f"Email: {item.email}")
    lines += [
        f"Purpose: {CALL_PURPOSE}",
        f"Yearly business at stake: {money(item.value)}",
        f"Leader: {item.leader_name or '(nobody yet)'}",
    ]
    if item.partner_name:
        lines.append(f"Partner: {item.partner_name} (logistics and follow-up)")
    if item.cycle_name:
        lines.append(f"Rescue cycle: {item.cycle_name}")
    if item.from_call_back:
        lines.append("They asked to be called back at this time.")
    return "\n".join(lines)


def _address(person_id: int | None, name: str, email: str, **params: str) -> vCalAddress:
    address = vCalAddress(person_address(person_id, email))
    if name:
        address.params["CN"] = name
    address.params["CUTYPE"] = "INDIVIDUAL"
    for key, value in params.items():
        address.params[key.replace("_", "-").upper()] = value
    return address


def _sequence(item: AgendaItem) -> int:
    return max(0, int((item.updated_at - _SEQUENCE_EPOCH).total_seconds() // 60))


def _event(item: AgendaItem, stamp: dt.datetime) -> Event:
    event = Event()
    event.add("uid", event_uid(item.call_id))
    event.add("dtstamp", stamp)
    event.add("dtstart", as_utc(item.starts_at))
    event.add("dtend", as_utc(item.ends_at))
    event.add("sequence", _sequence(item))
    event.add("summary", f"Recovery call: {item.company}")
    event.add("description", describe(item))
    if item.phone:
        event.add("location", f"Phone: {item.phone}")
    event.add("status", "CONFIRMED")
    event.add("transp", "OPAQUE")
    event.add("categories", ["Win-back call"])
    if item.leader_id is not None:
        event.add("organizer", _address(item.leader_id, item.leader_name, item.leader_email))
        event.add(
            "attendee",
            _address(item.leader_id, item.leader_name, item.leader_email, role="CHAIR", partstat="ACCEPTED"),
        )
    if item.partner_id is not None:
        event.add(
            "attendee",
            _address(
                item.partner_id,
                item.partner_name,
                item.partner_email,
                role="REQ-PARTICIPANT",
                partstat="NEEDS-ACTION",
                rsvp="TRUE",
            ),
        )
    return event


def agenda_ics(
    items: Iterable[AgendaItem], *, method: str | None = None, stamp: dt.datetime | None = None
) -> bytes:
    """A VCALENDAR with one VEVENT per booked call (times in UTC).

    ``method`` ("REQUEST" for an invitation, "PUBLISH" for a shared agenda) is left out by
    default: a plain calendar file to import.
    """
    stamp = as_utc(stamp or now()).replace(microsecond=0)
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if method:
        cal.add("method", method)
    cal.add("x-wr-calname", "Win-back calls")
    for item in items:
        cal.add_component(_event(item, stamp))
    return cal.to_ical()


def call_invitation(ctx: AppContext, call_id: int, *, stamp: dt.datetime | None = None) -> bytes:
    """One booked call as an invitation for the leader and the partner.

    METHOD:REQUEST when the leader (the organizer) has an email address, so mail and calendar
    programs offer to accept it; otherwise a plain calendar file.
    """
    item = agenda_item(ctx, call_id)
    method = "REQUEST" if item.leader_email else None
    return agenda_ics([item], method=method, stamp=stamp)
