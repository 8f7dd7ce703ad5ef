"""Server-side paging of long lists: page numbers on the pages, `limit`/`offset` in the JSON API.

The total is counted in SQL and only the rows of the asked-for window are loaded.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from tortoise.models import Model
from tortoise.queryset import QuerySet

from server.errors import UserError
from server.i18n import N_

PAGE_SIZE = 50  # rows on one page of a coordinator's list
MAX_PAGE = 100_000
MAX_LIMIT = 500  # most rows one API call may ask for
MAX_OFFSET = 10_000_000
MAX_SEARCH = 100  # characters of a search that are used

T = TypeVar("T")
U = TypeVar("U")
M = TypeVar("M", bound=Model)


class PagingError(UserError):
    """A list parameter that makes no sense: a page number, limit or offset that is not a
    sensible whole number, or an unknown filter value."""


def _whole(
    params: Mapping[str, str], name: str, low: int, high: int, default: int, *, blank: bool = True
) -> int:
    """A whole number in `low..high`; absent (or blank, for a page's form) is `default`."""
    raw = params.get(name)
    if raw is None or (blank and not raw.strip()):
        return default
    text = raw.strip()
    if not (len(text) <= 9 and text.isascii() and text.isdigit() and low <= int(text) <= high):
        raise PagingError(
            N_("Use a whole number from %(low)s to %(high)s for “%(name)s”."),
            name,
            status=400,
            params={"low": low, "high": high, "name": name},
        )
    return int(text)


@dataclass(frozen=True)
class Window:
    """Which rows to load: `limit` rows (None: all of them) after skipping `offset`."""

    offset: int = 0
    limit: int | None = None


EVERYTHING = Window()


def page_window(params: Mapping[str, str], name: str = "page") -> Window:
    """The window of `?page=N` (1 when missing), `PAGE_SIZE` rows a page."""
    number = _whole(params, name, 1, MAX_PAGE, 1)
    return Window(offset=(number - 1) * PAGE_SIZE, limit=PAGE_SIZE)


def api_window(params: Mapping[str, str]) -> Window:
    """The window of `?limit=&offset=` (a blank one refused); without `limit`, every row."""
    limit = _whole(params, "limit", 1, MAX_LIMIT, 0, blank=False) or None
    return Window(offset=_whole(params, "offset", 0, MAX_OFFSET, 0, blank=False), limit=limit)


def search_text(params: Mapping[str, str], name: str = "q") -> str:
    """The `?q=` (or `name`) search, trimmed (NUL removed: PostgreSQL cannot compare it)."""
    return params.get(name, "").replace("\x00", "").strip()[:MAX_SEARCH]


@dataclass(frozen=True)
class Page(Generic[T]):
    """One window of a list, with the list's total."""

    items: list[T]
    total: int
    window: Window

    @property
    def size(self) -> int:
        return self.window.limit or max(self.total, 1)

    @property
    def number(self) -> int:
        """This page's number, from 1."""
        return self.window.offset // self.size + 1

    @property
    def pages(self) -> int:
        """How many pages the list has (at least 1)."""
        return max(1, -(-self.total // self.size))

    @property
    def first(self) -> int:
        """The position of this page's first row, from 1 (0 when the page is empty)."""
        return self.window.offset + 1 if self.items else 0

    @property
    def last(self) -> int:
        """The position of this page's last row."""
        return self.window.offset + len(self.items)

    @property
    def previous(self) -> int | None:
        """The page before this one (the last page, from beyond the end), or None."""
        return min(self.number - 1, self.pages) if self.number > 1 else None

    @property
    def next(self) -> int | None:
        """The page after this one, or None."""
        return self.number + 1 if self.number < self.pages else None

    def map(self, items: list[U]) -> Page[U]:
        """The same page with its rows replaced (e.g. turned into what the screen shows)."""
        return Page(items=items, total=self.total, window=self.window)


async def fetch(query: QuerySet[M], window: Window) -> Page[M]:
    """Count the query's rows and load those inside the window."""
    total = await query.count()
    rows: QuerySet[M] = query.offset(window.offset)
    if window.limit is not None:
        rows = rows.limit(window.limit)
    return Page(items=list(await rows) if window.offset < total else [], total=total, window=window)


async def fetch_in_turn(queries: Sequence[QuerySet[M]], window: Window) -> Page[M]:
    """As `fetch` over the rows of each query in turn (e.g. open work, then done work)."""
    totals = [await query.count() for query in queries]
    items: list[M] = []
    skip, room = window.offset, window.limit
    for query, total in zip(queries, totals, strict=True):
        if skip >= total:
            skip -= total
            continue
        if room is not None and room <= 0:
            break
        part: QuerySet[M] = query.offset(skip)
        if room is not None:
            part = part.limit(room)
        rows = list(await part)
        items += rows
        skip = 0
        room = None if room is None else room - len(rows)
    return Page(items=items, total=sum(totals), window=window)
