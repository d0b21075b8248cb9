"""The table-model base: column specs answer Qt's roles; a subclass adds only its own."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from winback_desktop.ui.kit.table_model import ID_ROLE, RIGHT, Column, TableModel


@dataclass(frozen=True)
class Row:
    id: int
    name: str
    amount: int


RED = QColor("#b3261e")
COLUMNS = (
    Column("Name", lambda r: r.name, tip=lambda r: f"About {r.name}"),
    Column("Amount", lambda r: str(r.amount), right=True, color=lambda r: RED if r.amount < 0 else None),
)


class Rows(TableModel[Row]):
    header_tip = "Click to sort"


def test_the_base_answers_qt_from_the_column_specs(qtmodeltester):
    model = Rows(COLUMNS)
    qtmodeltester.check(model)
    model.set_rows([Row(7, "Ada", 10), Row(9, "Bo", -3)])
    qtmodeltester.check(model)
    name, amount = model.index(1, 0), model.index(1, 1)
    assert (model.rowCount(), model.columnCount()) == (2, 2)
    assert model.headerData(1, Qt.Orientation.Horizontal) == "Amount"
    assert model.headerData(0, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole) == "Click to sort"
    assert model.headerData(0, Qt.Orientation.Vertical) is None
    assert name.data() == "Bo" and amount.data() == "-3"
    assert amount.data(Qt.ItemDataRole.TextAlignmentRole) == RIGHT
    assert name.data(Qt.ItemDataRole.TextAlignmentRole) is None
    assert name.data(Qt.ItemDataRole.ToolTipRole) == "About Bo"
    assert amount.data(Qt.ItemDataRole.ForegroundRole).color() == RED
    assert model.index(0, 1).data(Qt.ItemDataRole.ForegroundRole) is None
    assert name.data(ID_ROLE) == 9 and model.row_of(7) == 0 and model.row_of(8) == -1
    assert model.row_at(0).name == "Ada"


def test_every_table_model_of_the_app_stands_on_the_base():
    from winback_desktop.ui.cycles.models import RowsModel
    from winback_desktop.ui.followups.model import FollowUpsModel
    from winback_desktop.ui.people.dialog import PeopleModel
    from winback_desktop.ui.roster.model import RosterModel

    for model in (RosterModel, FollowUpsModel, RowsModel, PeopleModel):
        assert issubclass(model, TableModel)
        assert "rowCount" not in vars(model) and "data" not in vars(model)  # the base's, not theirs
