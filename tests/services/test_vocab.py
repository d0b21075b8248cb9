"""The stored vocabularies: members are the stored strings, each with the label users read."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from sqlalchemy import select

from tests.helpers.paths import ROOT
from winback_desktop.services.vocab import (
    ACTIVE_CALL_STATUSES,
    FAILED_DISPOSITIONS,
    ActionStatus,
    AssignmentKind,
    CallStatus,
    CustomerStatus,
    CycleStatus,
    Decision,
    Disposition,
    Outcome,
    Role,
    Vocab,
)
from winback_desktop.store.connection import transaction
from winback_desktop.store.models import Customer

VOCABS = [CustomerStatus, Decision, CallStatus, Role, AssignmentKind, Disposition, ActionStatus, CycleStatus]

# What the screens, sheets and CLI have always shown: these must not change.
LABELS = {
    CustomerStatus: {"lapsed": "Lapsed", "lost": "Lost", "won_back": "Won back", "active": "Active"},
    Decision: {"undecided": "Undecided", "pursue": "Pursue", "let_go": "Let go"},
    CallStatus: {
        "scheduled": "Scheduled",
        "in_progress": "Unfinished",
        "completed": "Done",
        "abandoned": "Abandoned",
    },
    Role: {"executive": "Executive", "caller": "Recovery caller", "partner": "Partner"},
    AssignmentKind: {"executive": "Executive", "caller": "Recovery caller"},
    Disposition: {
        "reached": "Reached",
        "no_answer": "No answer",
        "voicemail": "Voicemail left",
        "wrong_number": "Wrong number",
        "call_back": "Asked to call back",
    },
    ActionStatus: {"open": "Open", "done": "Done", "cancelled": "Cancelled"},
    CycleStatus: {"open": "Open", "closed": "Closed"},
}


@pytest.mark.parametrize("vocab", VOCABS, ids=lambda v: v.__name__)
def test_labels_round_trip(vocab: type[Vocab]):
    assert dict(vocab.choices()) == LABELS[vocab]
    assert vocab.values() == tuple(LABELS[vocab])  # declaration order is the order shown
    for value, label in vocab.choices():
        member = vocab(value)
        assert member == value and str(member) == value and f"{member}" == value
        assert member.label == label == vocab.label_of(value)
        assert json.dumps(member) == json.dumps(value)
        assert {value: 1}[member] == 1  # hashes as its string: a key either way


@pytest.mark.parametrize("vocab", VOCABS, ids=lambda v: v.__name__)
def test_an_unknown_stored_value_still_shows(vocab: type[Vocab]):
    assert vocab.label_of("from_an_old_version") == "from_an_old_version"
    assert vocab.label_of("from_an_old_version", "Old") == "Old"
    assert "from_an_old_version" not in vocab.values()


def test_the_extra_words():
    assert Decision.UNDECIDED.phrase == "Not decided yet"
    assert Decision.LET_GO.phrase == "Let go"
    assert [k.short_label for k in AssignmentKind] == ["Executive", "Caller"]
    assert [d for d in Disposition if d.failed] == list(FAILED_DISPOSITIONS)
    assert ACTIVE_CALL_STATUSES == ("scheduled", "in_progress")
    assert Outcome.WON_BACK == "won_back" and not hasattr(Outcome.WON_BACK, "label")  # the script's words


def test_members_store_and_query_as_their_strings(ctx):
    with transaction(ctx.sessions) as s:
        s.add(Customer(company="Enum Ltd", status=CustomerStatus.WON_BACK, decision=Decision.LET_GO))
    with ctx.sessions() as s:
        row = s.execute(select(Customer.status, Customer.decision)).one()
        assert type(row.status) is str and row == ("won_back", "let_go")
        won = select(Customer.company).where(Customer.status == CustomerStatus.WON_BACK)
        assert s.scalar(won) == "Enum Ltd"


def test_cheap_to_import():
    """The first paint and the CLI read the vocabularies before SQLAlchemy or Qt is loaded."""
    code = (
        "import sys; import winback_desktop.services.vocab; "
        "print(sorted(m for m in ('sqlalchemy', 'PySide6') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
