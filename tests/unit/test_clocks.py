"""The legal clocks of a data request skip weekends and the holidays in content/holidays.toml."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from server.content import ContentError
from server.content.holidays import load_holidays
from server.rights import clocks
from server.rights.clocks import add_working_days, clock, is_working_day, working_days_left

CONTENT = Path(__file__).resolve().parents[2] / "content"
CALENDAR = load_holidays(CONTENT)
D = date.fromisoformat


def test_the_shipped_calendar_lists_2026_and_2027_with_sources() -> None:
    assert CALENDAR.years == (2026, 2027)
    assert {D("2026-02-17"), D("2026-04-30"), D("2026-05-01"), D("2026-09-02")} <= CALENDAR.off
    assert {D("2026-01-10"), D("2026-08-22")} <= CALENDAR.worked
    for day in (*CALENDAR.days_off, *CALENDAR.working_days):
        assert day.source.startswith("https://") and day.name["vi"] and day.name["en"]
    assert CALENDAR.sources and CALENDAR.checked is not None


@pytest.mark.parametrize(
    ("day", "working"),
    [
        ("2026-12-04", True),  # a Friday
        ("2026-12-05", False),  # Saturday
        ("2026-12-06", False),  # Sunday
        ("2026-02-17", False),  # Tết
        ("2026-09-02", False),  # National Day
        ("2026-08-31", False),  # swapped day off
        ("2026-08-22", True),  # the Saturday worked in its place
    ],
)
def test_working_days(day: str, working: bool) -> None:
    assert is_working_day(D(day), CALENDAR) is working


@pytest.mark.parametrize(
    ("received", "days", "due"),
    [
        # Friday + 2 working days skips the weekend: Tuesday.
        ("2026-12-04", 2, "2026-12-08"),
        # Received the Friday before Tết (13/2): 16–20/2 are days off, so Tuesday 24/2.
        ("2026-02-13", 2, "2026-02-24"),
        # Received Wednesday 29/4: 30/4 and 1/5 are days off, then the weekend: Tuesday 5/5.
        ("2026-04-29", 2, "2026-05-05"),
        # Received Friday 28/8: 31/8–2/9 off; Thursday 3/9, Friday 4/9.
        ("2026-08-28", 2, "2026-09-04"),
        # Received Thursday 20/8: Friday 21/8, then the swapped-in Saturday 22/8 counts.
        ("2026-08-20", 2, "2026-08-22"),
        # 15 working days from Monday 7/12/2026: three weeks, to Monday 28/12.
        ("2026-12-07", 15, "2026-12-28"),
        # 15 working days across New Year 2027 (1/1 off): Tuesday 22/12 → Wednesday 13/1/2027.
        ("2026-12-22", 15, "2027-01-13"),
    ],
)
def test_add_working_days(received: str, days: int, due: str) -> None:
    assert add_working_days(D(received), days, CALENDAR) == D(due)


def test_working_days_left_counts_down_and_goes_negative() -> None:
    due = D("2026-12-08")  # Tuesday
    assert working_days_left(D("2026-12-04"), due, CALENDAR) == 2
    assert working_days_left(D("2026-12-08"), due, CALENDAR) == 0
    assert working_days_left(D("2026-12-09"), due, CALENDAR) == -1
    # Due on Friday 13/2: overdue on the Saturday after, though no working day has passed.
    assert working_days_left(D("2026-02-14"), D("2026-02-13"), CALENDAR) == -1


def test_the_clock_of_a_request_through_tet() -> None:
    received = D("2026-02-12")  # Thursday before Tết
    fresh = clock(received, received, CALENDAR)
    assert fresh.acknowledge_by == D("2026-02-23")  # Friday 13/2, then Monday 23/2
    assert fresh.state == clocks.DUE_SOON and fresh.days_left == 2
    assert clock(received, D("2026-02-24"), CALENDAR).state == clocks.OVERDUE
    acknowledged = clock(received, D("2026-02-24"), CALENDAR, acknowledged=D("2026-02-13"))
    assert acknowledged.state == clocks.OPEN and acknowledged.next_due == fresh.complete_by
    # 15 working days: 13/2 and 23/2–6/3 (10) and 9/3–12/3 (4) = Thursday 12 March.
    assert fresh.complete_by == D("2026-03-12")


def test_another_party_and_an_extension_move_the_completion_date() -> None:
    received = D("2026-12-07")
    assert clock(received, received, CALENDAR).complete_by == D("2026-12-28")
    assert clock(received, received, CALENDAR, other_party=True).complete_by == D("2027-01-05")
    extended = clock(received, received, CALENDAR, extension_days=15)
    assert extended.complete_by == D("2027-01-19")  # 30 working days, 1/1/2027 off


def test_a_closed_request_is_on_time_or_late() -> None:
    received = D("2026-12-07")
    assert clock(received, D("2027-02-01"), CALENDAR, done=D("2026-12-28")).on_time is True
    late = clock(received, D("2027-02-01"), CALENDAR, refused=D("2026-12-29"))
    assert late.state == clocks.REFUSED and late.on_time is False and late.days_left is None


def test_today_is_the_date_in_vietnam() -> None:
    assert clocks.local_date(datetime(2026, 12, 4, 18, 0, tzinfo=UTC)) == D("2026-12-05")


def _holidays(tmp_path: Path, text: str) -> Path:
    (tmp_path / "holidays.toml").write_text(text, encoding="utf-8")
    return tmp_path


URL = "https://x.vn"
ENTRY = '[[{kind}]]\ndate = {day}\nname = {{ vi = "Lễ", en = "Holiday" }}\nsource = "{url}"\n'


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (ENTRY.format(kind="day_off", day="2026-12-05", url=URL), "Saturday or Sunday"),
        (ENTRY.format(kind="working_day", day="2026-12-04", url=URL), "is a weekday"),
        (
            ENTRY.format(kind="day_off", day="2026-12-04", url="x.vn"),
            "source: 'x.vn' must be a web",
        ),
        (ENTRY.format(kind="day_off", day='"2026-12-04"', url=URL), "date: must be a date"),
        (ENTRY.format(kind="day_off", day="2026-12-04", url=URL) * 2, "listed twice"),
        (ENTRY.format(kind="holiday", day="2026-12-04", url=URL), "holiday: unknown"),
    ],
)
def test_a_wrong_holidays_file_names_the_entry_and_the_problem(
    tmp_path: Path, text: str, message: str
) -> None:
    with pytest.raises(ContentError, match=message) as raised:
        load_holidays(_holidays(tmp_path, text))
    assert "holidays.toml" in str(raised.value)


def test_a_province_can_add_a_day_off_without_code(tmp_path: Path) -> None:
    text = ENTRY.format(kind="day_off", day="2026-12-04", url=URL)
    calendar = load_holidays(_holidays(tmp_path, text))
    assert add_working_days(D("2026-12-03"), 1, calendar) == D("2026-12-07")
