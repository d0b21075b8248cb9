"""Volume departed (seed step 1): customers and yearly business lapsed, per month or quarter."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QLineSeries,
    QValueAxis,
)
from PySide6.QtCore import QMargins, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from winback_desktop.formats import count
from winback_desktop.ui.kit import palette
from winback_desktop.ui.kit.access.window import ready
from winback_desktop.ui.kit.format import money
from winback_desktop.ui.kit.widgets import with_name

if TYPE_CHECKING:
    from winback_desktop.services.roster.report import VolumeRow


def build_chart(rows: Sequence[VolumeRow]) -> QChart:
    """Bars: customers lapsed per period; line: the yearly business that left with them."""
    chart = QChart()
    chart.setTitle("Customers and yearly business lapsed")
    chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
    chart.setMargins(QMargins(4, 4, 4, 4))
    labels = [r.period_label for r in rows]
    counts = QBarSet("Customers lapsed")
    counts.setColor(QColor(palette.colour("ACCENT")))
    counts.append([float(r.customers) for r in rows])
    bars = QBarSeries()
    bars.append(counts)
    revenue = QLineSeries()
    revenue.setName("Yearly business lost")
    revenue.setPen(QPen(QColor(palette.colour("LOSS")), 2.5))
    for i, r in enumerate(rows):
        revenue.append(i, float(r.yearly_revenue))
    chart.addSeries(bars)
    chart.addSeries(revenue)
    x = QBarCategoryAxis()
    x.append(labels)
    if len(labels) > 8:  # many periods: upright labels in a smaller font, so none is elided
        x.setLabelsAngle(-90)
        font = x.labelsFont()
        font.setPointSizeF(max(font.pointSizeF() - 1.5, 6.5))
        x.setLabelsFont(font)
    chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
    bars.attachAxis(x)
    revenue.attachAxis(x)
    y_count = QValueAxis()
    y_count.setLabelFormat("%d")
    y_count.setTitleText("customers")
    y_count.setRange(0, max([r.customers for r in rows] + [1]) * 1.15)
    y_count.applyNiceNumbers()
    chart.addAxis(y_count, Qt.AlignmentFlag.AlignLeft)
    bars.attachAxis(y_count)
    y_money = QValueAxis()
    y_money.setLabelFormat("%.0f")
    y_money.setTitleText("yearly business")
    y_money.setRange(0, max([float(r.yearly_revenue) for r in rows] + [1.0]) * 1.15)
    y_money.applyNiceNumbers()
    chart.addAxis(y_money, Qt.AlignmentFlag.AlignRight)
    revenue.attachAxis(y_money)
    return chart


class VolumeDialog(QDialog):
    """The figures as a table beside the chart; month or quarter."""

    def __init__(self, load: Callable[[str], list[VolumeRow]], parent: QWidget | None = None):
        """``load(period) -> rows`` with period 'month' or 'quarter'."""
        super().__init__(parent)
        self.setWindowTitle("Volume departed")
        self._load = load
        self.period = QComboBox()
        self.period.setAccessibleName("Per month or per quarter")
        self.period.addItem("Per month", "month")
        self.period.addItem("Per quarter", "quarter")
        self.period.currentIndexChanged.connect(self.reload)
        self.total = with_name(QLabel(), "hint")
        self.table = QTableWidget(0, 3)
        self.table.setAccessibleName("Customers departed and their business, by period")
        self.table.setHorizontalHeaderLabels(["Period", "Customers lapsed", "Yearly business lost"])
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.chart_view = QChartView()
        self.chart_view.setRenderHint(QPainter.RenderHint.Antialiasing)
        top = QHBoxLayout()
        top.addWidget(QLabel("Lapsed customers, by the month their lapse began:"))
        top.addStretch(1)
        top.addWidget(self.period)
        splitter = QSplitter()
        splitter.addWidget(self.table)
        splitter.addWidget(self.chart_view)
        splitter.setSizes([330, 700])
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.total)
        layout.addWidget(buttons)
        ready(self, "volume", QSize(1060, 560))
        self.reload()

    def reload(self) -> None:
        rows = self._load(self.period.currentData())
        self.rows = rows
        self.table.setRowCount(len(rows))
        for i, r in enumerate(rows):
            for j, text in enumerate((r.period_label, str(r.customers), money(r.yearly_revenue))):
                item = QTableWidgetItem(text)
                if j:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(i, j, item)
        self.chart_view.setChart(build_chart(rows))
        customers = sum(r.customers for r in rows)
        revenue = sum(r.yearly_revenue for r in rows)
        self.total.setText(
            f"In all: {count(customers, 'customer')} lapsed, taking {money(revenue)} of yearly business"
        )
