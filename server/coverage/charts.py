"""Geometry for the coverage charts, drawn as inline SVG by `_coverage_charts.html` (no JS)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

BAR_HEIGHT = 22
BAR_GAP = 8
CHART_WIDTH = 320


@dataclass(frozen=True)
class BarRow:
    """One bar: its label, its value in percent (None: nothing to divide by) and where it goes."""

    label: str
    percent: float | None
    y: int
    width: float


@dataclass(frozen=True)
class BarChart:
    rows: list[BarRow]
    height: int
    width: int = CHART_WIDTH


def bars(items: list[tuple[str, float | None]]) -> BarChart:
    """Horizontal bars from 0 to 100 %, one per item, label above each bar."""
    step = BAR_HEIGHT + BAR_GAP + 14
    rows = [
        BarRow(label, percent, 14 + i * step, CHART_WIDTH * min(max(percent or 0, 0), 100) / 100)
        for i, (label, percent) in enumerate(items)
    ]
    return BarChart(rows=rows, height=max(step * len(items), step))


@dataclass(frozen=True)
class Series:
    name: str
    points: str  # "x,y x,y ..." for <polyline>
    last: tuple[float, float]


@dataclass(frozen=True)
class LineChart:
    series: list[Series]
    ticks: list[tuple[float, int]]  # (y, value) for the horizontal grid
    labels: list[tuple[float, date]]  # (x, week) along the bottom
    width: int
    height: int
    left: int
    bottom: int


def lines(
    weeks: list[date], series: list[tuple[str, list[int]]], ceiling: int | None = None
) -> LineChart:
    """A line per series over the weeks; the scale reaches `ceiling` (e.g. the estimate)."""
    width, height, left, top, bottom = CHART_WIDTH, 180, 40, 10, 150
    top_value = max([ceiling or 0, *(max(values, default=0) for _, values in series), 1])
    span = max(len(weeks) - 1, 1)

    def x(i: int) -> float:
        return round(left + (width - left - 8) * i / span, 1)

    def y(value: int) -> float:
        return round(bottom - (bottom - top) * value / top_value, 1)

    drawn = []
    for name, values in series:
        coords = [(x(i), y(v)) for i, v in enumerate(values)]
        drawn.append(
            Series(
                name=name,
                points=" ".join(f"{cx},{cy}" for cx, cy in coords),
                last=coords[-1] if coords else (left, bottom),
            )
        )
    ticks = [(y(round(top_value * f)), round(top_value * f)) for f in (0, 0.5, 1)]
    every = max(1, len(weeks) // 4)
    labels = [(x(i), week) for i, week in enumerate(weeks) if i % every == 0 or i == span]
    return LineChart(drawn, ticks, labels, width, height, left, bottom)
