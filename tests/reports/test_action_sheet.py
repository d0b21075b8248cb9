"""The partner's action sheet: real content from a real call, any text, atomic writes, the CLI."""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import stat
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from winback_desktop.formats import day_month_year
from winback_desktop.reports import action_sheet, fonts
from winback_desktop.reports.action_sheet import build_action_sheet, write_action_sheet
from winback_desktop.services import catalogue
from winback_desktop.services.calls import lifecycle as calls
from winback_desktop.services.people import team
from winback_desktop.store.connection import transaction
from winback_desktop.store.models import Customer

HEARD_BACK = (
    "Three late deliveries before Christmas; the worst was two days late and cost them a wedding order.\n"
    "They rang the depot twice and nobody called back."
)
ACTIONS = [
    ("Send the written delivery guarantee signed by the COO", "partner", dt.date(2025, 3, 14)),
    ("Introduce Анна as their named depot contact", "other", dt.date(2025, 3, 17)),
    ("Credit the wedding-order loss on the next invoice", "partner", dt.date(2025, 3, 21)),
]
GENERATED = dt.datetime(2025, 3, 12, 9, 30)


def make_call(
    ctx,
    *,
    company: str = "Ærø Bakeries & Søns",
    answers: dict[str, str] | None = None,
    actions=ACTIONS,
    finish: bool = True,
) -> int:
    """A complete recovery call through the real services, as the call window would save it."""
    with transaction(ctx.sessions) as s:
        customer = Customer(
            company=company,
            contact_name="José Muñoz",
            contact_title="Head of Purchasing",
            phone="+45 20 11 22 33",
            email="jose@aero-bakeries.dk",
            external_id="00586",
            value_lost=Decimal("48250.00"),
            last_purchase=dt.date(2024, 9, 14),
        )
        s.add(customer)
        s.flush()
        customer_id = customer.id
    people = {
        "caller": team.add_person(ctx, "Margrethe Ødegård", "executive", "Chief Operating Officer"),
        "partner": team.add_person(ctx, "Nikos Papadopoulos", "partner", "Account coordinator"),
        "other": team.add_person(ctx, "Анна Петрова", "caller", "Delivery planner"),
    }
    call_id = calls.start_call(ctx, customer_id, people["caller"], people["partner"])
    fields = {
        ("initiate", "what_happened"): "Deliveries came late.",
        ("probe", "their_story"): "Nobody called back.",
        ("probe", "heard_back"): HEARD_BACK,
        ("probe", "fault"): "Our depot dispatch after the November route change",
        ("earn", "accepts_help"): "yes",
        ("earn", "what_it_takes"): "A named person who picks up the phone, and deliveries before 7:00.",
        ("earn", "customer_answer"): "can_do",
        ("close", "keep_in_touch"): "yes",
        ("close", "next_contact"): "2025-06-12",
        ("close", "outcome"): "open_door",
    }
    for key, value in (answers or {}).items():
        stage = ctx.script.field(key)[0].key
        fields[(stage, key)] = value
    for (stage, key), value in fields.items():
        calls.save_field(ctx, call_id, stage, key, value)
    reasons = {r.code: r.id for r in catalogue.reasons(ctx)}
    calls.set_reasons(ctx, call_id, reasons["late_delivery"], [reasons["unresponsive"]])
    options = {label: oid for oid, label, _ in catalogue.help_options(ctx)}
    calls.set_offers(ctx, call_id, [options["A written service guarantee"]], ["Free delivery on two orders"])
    for what, who, due in actions:
        calls.add_action(ctx, call_id, what, people[who], due)
    if finish:
        calls.finish_call(ctx, call_id)
    return call_id


def pdf_text(data: bytes) -> tuple[str, int]:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages), len(reader.pages)


FURNITURE = re.compile(r"contains personal data|action sheet, continued|^page \d+ of \d+$")


def body_text(data: bytes) -> str:
    """The text without the footer and running head, so text split over pages joins up again."""
    text, _ = pdf_text(data)
    return "\n".join(line for line in text.splitlines() if not FURNITURE.search(line))


def squash(text: str) -> str:
    """Text with all whitespace removed: line wrapping must not fail a containment check."""
    return re.sub(r"\s+", "", text)


def sheet(ctx, call_id: int, **kwargs) -> tuple[str, int]:
    return pdf_text(build_action_sheet(calls.detail(ctx, call_id), generated=GENERATED, **kwargs))


# ---------------------------------------------------------------- content
def test_sheet_holds_everything_the_partner_needs(ctx):
    call_id = make_call(ctx)
    text, pages = sheet(ctx, call_id, company_name="Nordic Flour Co.")
    flat = squash(text)
    expected = [
        "Nordic Flour Co.",
        "Follow-up action sheet",
        "Ærø Bakeries & Søns",
        # contact
        "José Muñoz",
        "Head of Purchasing",
        "+45 20 11 22 33",
        "jose@aero-bakeries.dk",
        "00586",
        "48,250.00",
        "14 Sep 2024",
        # who and when
        "Margrethe Ødegård",
        "Nikos Papadopoulos",
        f"Recovery call #{call_id}",
        # in their words, reasons, fault
        HEARD_BACK,
        "Late or missed deliveries",
        "Slow or no response to problems",
        "Our depot dispatch after the November route change",
        # offers and what it takes
        "A written service guarantee",
        "Free delivery on two orders",
        "A named person who picks up the phone, and deliveries before 7:00.",
        "Something we can do",
        # close
        "Door open — follow up",
        "May we keep in touch?",
        "Thu 12 Jun 2025",
        "Partner’s notes",
    ]
    for item in expected:
        assert squash(item) in flat, item
    assert 1 <= pages <= 2


def test_every_next_step_is_a_row_with_tick_box_owner_and_due_date(ctx):
    call_id = make_call(ctx)
    text, _ = sheet(ctx, call_id)
    flat = squash(text)
    owners = {"partner": "Nikos Papadopoulos", "other": "Анна Петрова"}
    for what, who, due in ACTIONS:
        row = squash(f"☐ {what} {owners[who]} {day_month_year(due, weekday=True)}")
        assert row in flat, row
    assert flat.count("☐") == len(ACTIONS)


def test_started_and_ended_times_are_shown(ctx):
    call_id = make_call(ctx)
    detail = calls.detail(ctx, call_id)
    text, _ = pdf_text(build_action_sheet(detail))
    assert squash(action_sheet.fmt_datetime(detail.started_at)) in squash(text)
    assert "Started" in text and "Ended" in text


def test_footer_has_page_n_of_m_call_id_and_generated_date(ctx):
    call_id = make_call(ctx)
    reader = PdfReader(io.BytesIO(build_action_sheet(calls.detail(ctx, call_id), generated=GENERATED)))
    total = len(reader.pages)
    for number, page in enumerate(reader.pages, 1):
        text = page.extract_text()
        assert f"page {number} of {total}" in text
        assert f"Call #{call_id}" in text
        assert "generated 12 Mar 2025, 09:30" in text


def test_unicode_and_markup_print_literally(ctx):
    note = "Café in Tromsø, señor Núñez — Пример, Ελληνικά.\n<b>not bold</b> and A & B, 3 < 4 > 2"
    hostile = '<img src="/no/such/picture.png"/> <a href="http://example.invalid/">click</a> &amp; &#9731;'
    call_id = make_call(ctx, company="Пример & <Ελληνικά> AB", answers={"heard_back": note, "fault": hostile})
    data = build_action_sheet(calls.detail(ctx, call_id), company_name="Ærø <b>&</b>")
    flat = squash(pdf_text(data)[0])
    for item in (
        "Café",
        "Tromsø",
        "señor Núñez",
        "Пример",
        "Ελληνικά",
        "<b>not bold</b>",
        "A & B",
        "3 < 4 > 2",
        "Пример & <Ελληνικά> AB",
        "Ærø <b>&</b>",
        hostile,
    ):
        assert squash(item) in flat, item
    assert b"/URI" not in data and b"/Link" not in data  # the "link" is text, not a link


def test_long_note_and_unbroken_word_render(ctx):
    long_note = ("We waited and waited. " * 910)[:20_000] + " END-OF-NOTE"
    word = "x" * 3000
    call_id = make_call(
        ctx,
        answers={"heard_back": long_note, "what_it_takes": word, "fault": "y" * 3000},
        actions=[*ACTIONS, ("Call back " * 500 + "z" * 3000, "partner", None)],
    )
    data = build_action_sheet(calls.detail(ctx, call_id))
    flat = squash(body_text(data))
    assert len(long_note) > 20_000
    assert "END-OF-NOTE" in flat
    assert word in flat and "y" * 3000 in flat and "z" * 3000 in flat
    assert pdf_text(data)[1] > 2  # very long notes may go longer; they must not crash or be cut


def test_a_call_with_nothing_filled_in_still_prints(ctx):
    with transaction(ctx.sessions) as s:
        customer = Customer(company="Bare Minimum Ltd")
        s.add(customer)
        s.flush()
        customer_id = customer.id
    call_id = calls.start_call(ctx, customer_id)
    text, pages = sheet(ctx, call_id)
    assert "Bare Minimum Ltd" in text
    assert "No next steps were agreed on this call." in text
    assert "Not asked" in text  # keep in touch
    assert "Partner’s notes" in text
    assert pages == 1


def test_choice_labels_come_from_the_script_and_fall_back_to_the_code(ctx):
    call_id = make_call(ctx)
    detail = calls.detail(ctx, call_id)
    text, _ = pdf_text(build_action_sheet(replace(detail, script_snapshot="not toml [[", outcome="let_go")))
    assert "let_go" in text
    assert "Something we can do" in text  # from the default script when the snapshot is unusable


def test_refusal_to_keep_in_touch_is_unmissable(ctx):
    detail = calls.detail(ctx, make_call(ctx))
    text, _ = pdf_text(build_action_sheet(replace(detail, keep_in_touch=False, next_contact=None)))
    assert squash("No — please don't contact them") in squash(text)
    assert "Not set" in text


def test_earlier_open_promises_are_listed(ctx):
    first = make_call(ctx)
    customer_id = calls.detail(ctx, first).customer.id
    second = calls.start_call(ctx, customer_id)
    text, _ = sheet(ctx, second)
    assert "Still open from earlier calls" in text
    assert squash(ACTIONS[0][0]) in squash(text)


def test_arbitrary_text_renders_to_a_valid_pdf(ctx):
    base = calls.detail(ctx, make_call(ctx))

    @settings(max_examples=30, deadline=None)
    @given(note=st.text(), short=st.text(max_size=200))
    def check(note: str, short: str) -> None:
        answers = {**base.answers, "heard_back": note, "what_it_takes": note, "fault": short}
        actions = [replace(base.actions[0], what=note, owner_name=short, done_note=short), *base.actions[1:]]
        detail = replace(
            base,
            answers=answers,
            actions=actions,
            customer=replace(base.customer, company=short, contact_name=short),
        )
        data = build_action_sheet(detail, company_name=short)
        assert data.startswith(b"%PDF-")
        text, pages = pdf_text(data)
        assert pages >= 1
        assert f"page 1 of {pages}" in text

    check()


# ---------------------------------------------------------------- writing the file
def test_write_action_sheet_writes_a_private_pdf(ctx, out_dir):
    out = out_dir / "sheet.pdf"
    result = write_action_sheet(calls.detail(ctx, make_call(ctx)), out)
    assert result == out
    assert out.read_bytes().startswith(b"%PDF-")
    if os.name == "posix":
        assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert listing(out_dir) == ["sheet.pdf"]


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    d = tmp_path / "out"
    d.mkdir()
    return d


def listing(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


def test_failed_render_leaves_the_previous_file_untouched(ctx, out_dir, monkeypatch):
    detail = calls.detail(ctx, make_call(ctx))
    out = out_dir / "sheet.pdf"
    out.write_bytes(b"previous sheet")

    def broken(*args, **kwargs):
        raise RuntimeError("renderer broke")

    monkeypatch.setattr(action_sheet, "build_action_sheet", broken)
    with pytest.raises(RuntimeError, match="renderer broke"):
        write_action_sheet(detail, out)
    assert out.read_bytes() == b"previous sheet"
    assert listing(out_dir) == ["sheet.pdf"]


def test_failure_halfway_through_the_layout_writes_nothing(ctx, out_dir, monkeypatch):
    """A flowable that blows up while drawing page two: still no partial file on disk."""
    detail = calls.detail(ctx, make_call(ctx))
    out = out_dir / "sheet.pdf"

    class Boom(action_sheet.Flowable):
        def wrap(self, aw, ah):
            return aw, 10

        def draw(self):
            raise RuntimeError("draw failed")

    real_notes = action_sheet._notes
    monkeypatch.setattr(action_sheet, "_notes", lambda st: [*real_notes(st), Boom()])
    with pytest.raises(RuntimeError, match="draw failed"):
        write_action_sheet(detail, out)
    assert listing(out_dir) == []


# ---------------------------------------------------------------- fonts
def test_fonts_register_once_and_a_missing_font_names_the_file():
    assert fonts.register_fonts() == fonts.register_fonts() == (fonts.REGULAR, fonts.BOLD)
    with pytest.raises(fonts.FontMissingError, match="NoSuchFont.ttf") as info:
        fonts.font_path("NoSuchFont.ttf")
    assert isinstance(info.value, FileNotFoundError)  # the CLI reports OSErrors as messages


def test_every_bundled_font_is_present():
    for filename in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"):
        assert fonts.font_path(filename).stat().st_size > 100_000


# ---------------------------------------------------------------- the CLI
@pytest.fixture
def keep_umask():
    old = os.umask(0o022)
    os.umask(old)
    yield
    os.umask(old)


def test_cli_sheet_writes_the_pdf(ctx, tmp_path, keep_umask, capsys):
    from winback_desktop.cli.entry import main

    call_id = make_call(ctx)
    out = tmp_path / "from-cli.pdf"
    assert main(["--data-dir", str(ctx.paths.data_dir), "sheet", str(call_id), "-o", str(out)]) == 0
    assert str(out) in capsys.readouterr().out
    text, pages = pdf_text(out.read_bytes())
    assert "Ærø Bakeries & Søns" in text and 1 <= pages <= 2


def test_cli_sheet_for_an_unknown_call_fails_and_writes_nothing(ctx, tmp_path, keep_umask, capsys):
    from winback_desktop.cli.entry import main

    out = tmp_path / "nothing.pdf"
    assert main(["--data-dir", str(ctx.paths.data_dir), "sheet", "999", "-o", str(out)]) != 0
    assert "999" in capsys.readouterr().err
    assert not out.exists()


def test_cli_sheet_into_a_missing_folder_is_a_message_not_a_crash(ctx, tmp_path, keep_umask, capsys):
    from winback_desktop.cli.entry import main

    call_id = make_call(ctx)
    out = tmp_path / "missing" / "sheet.pdf"
    assert main(["--data-dir", str(ctx.paths.data_dir), "sheet", str(call_id), "-o", str(out)]) != 0
    assert "winback:" in capsys.readouterr().err
