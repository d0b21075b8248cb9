"""Booked recovery calls: booking with double-booking checks, the agenda and Today, .ics files."""
