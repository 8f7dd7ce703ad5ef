"""The record of processing a province keeps (Law 91/2025/QH15): built from content/, the settings
and the database, in one language, as sections of rows that `record_files` writes out.

What it says about the code (security measures, where data goes) is written here once; when the
code changes what it does, this module changes in the same commit.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlsplit

from server.content import curriculum
from server.i18n import N_, gettext, localized
from server.rights import clocks
from server.rights.models import KIND_LABELS, KINDS, SEVERITY_LABELS, DataRequest, Incident
from server.rights.services import clock_of
from server.settings import Settings

Cell = str | int | None


@dataclass(frozen=True)
class Section:
    """One part of the record: a title, column headings and rows (already translated)."""

    title: str
    columns: tuple[str, ...]
    rows: list[tuple[Cell, ...]] = field(default_factory=list)
    note: str = ""


@dataclass(frozen=True)
class Where:
    """Where the data is kept, from the settings (never a password from the database URL)."""

    database_kind: str  # "SQLite" or "PostgreSQL"
    database_place: str  # the SQLite file, or PostgreSQL's host and database name
    data_dir: str
    public_url: str
    breach_notice_hours: int

    @classmethod
    def of(cls, settings: Settings) -> Where:
        """From the settings: the database's kind and place, without user or password."""
        if settings.is_postgres:
            url = urlsplit(settings.database_url)
            kind, place = "PostgreSQL", f"{url.hostname or ''}:{url.port or 5432}{url.path}"
        else:
            kind, place = "SQLite", settings.database_url.removeprefix("sqlite://").split("?")[0]
        return cls(
            database_kind=kind,
            database_place=place,
            data_dir=str(settings.data_dir),
            public_url=settings.public_url,
            breach_notice_hours=settings.breach_notice_hours,
        )


def retention(purpose: object) -> int | None:
    """A purpose's `retention_days`, when content/consent.toml gives one (read tolerantly)."""
    days = getattr(purpose, "retention_days", None)
    return days if isinstance(days, int) and not isinstance(days, bool) else None


def _purposes(lang: str) -> Section:
    rows: list[tuple[Cell, ...]] = []
    for purpose in curriculum.consent_purposes():
        days = retention(purpose)
        rows.append(
            (
                purpose.key,
                localized(purpose.label, lang),
                gettext(lang, N_("required") if purpose.required else N_("optional")),
                days if days is not None else gettext(lang, N_("not set")),
                gettext(lang, N_("consent of the household")),
            )
        )
    columns = (N_("Key"), N_("Purpose"), N_("Required"), N_("Kept for (days)"), N_("Legal basis"))
    return Section(gettext(lang, N_("Purposes")), _all(lang, columns), rows)


# The household's fields (server/households/models.py) and the accounts' (accounts/models.py).
_HOUSEHOLD_FIELDS = (
    (N_("Name of the head of household"), N_("basic personal data")),
    (N_("Address (hamlet, house)"), N_("basic personal data")),
    (N_("Phone number (only with the contact_phone consent)"), N_("basic personal data")),
    (N_("Number of people and of adults"), N_("basic personal data")),
    (N_("Consent: who gave it, for which purposes, when"), N_("basic personal data")),
    (N_("Notes typed by the team"), N_("basic personal data")),
    (N_("Steps of the support checklists done, by whom and when"), N_("basic personal data")),
)
_ACCOUNT_FIELDS = (
    (N_("Team members' and officers' names, phone numbers, roles and areas"), N_("accounts")),
    (N_("Who changed which record, when, from which device (change log)"), N_("accounts")),
)


def _categories(lang: str) -> Section:
    rows: list[tuple[Cell, ...]] = [
        (gettext(lang, what), gettext(lang, N_("Household")), gettext(lang, kind))
        for what, kind in _HOUSEHOLD_FIELDS
    ]
    for indicator in curriculum.indicator_set().indicators:
        rows.append(
            (
                localized(indicator.label, lang),
                gettext(lang, N_("Household (digital readiness)")),
                gettext(lang, N_("basic personal data")),
            )
        )
    rows += [
        (gettext(lang, what), gettext(lang, N_("Làng Số users")), gettext(lang, kind))
        for what, kind in _ACCOUNT_FIELDS
    ]
    note = N_(
        "Never recorded: passwords of citizens' accounts, OTP codes, ID card images, full ID "
        "numbers, bank details."
    )
    columns = (N_("Data"), N_("About"), N_("Category"))
    return Section(
        gettext(lang, N_("Categories of data")), _all(lang, columns), rows, _t(lang, note)
    )


_PEOPLE = (
    N_("Households a team supports: the head of household and the people counted with them"),
    N_("Team members (volunteers) of the village digital-technology teams"),
    N_("Commune and province coordinators, trainers and administrators"),
    N_("People who make a personal data request (who may not be in the register)"),
)

_RECIPIENTS = (
    (N_("The team members of the household's village"), N_("on their phones, to help it")),
    (N_("Coordinators of the commune and province"), N_("on their screens and in exports")),
    (N_("Commune and province reports upward"), N_("totals only, without names or addresses")),
    (
        N_("Browser push services (Google, Mozilla, Apple, Microsoft)"),
        N_("carry notifications encrypted end to end (RFC 8291); they cannot read them"),
    ),
)

_SECURITY = (
    N_("Passwords are stored only as argon2 hashes; sign-in attempts are throttled."),
    N_("Every form carries a CSRF token; session cookies are HttpOnly and SameSite=Lax."),
    N_("A Content-Security-Policy, X-Frame-Options DENY and a same-origin Referrer-Policy."),
    N_(
        "TLS is expected in front of the server; with an https address cookies are Secure "
        "and HSTS is sent."
    ),
    N_("Each role sees only its own area (village, commune, province) and what its work needs."),
    N_("Every change is logged with who made it, when and from which device."),
    N_("Exported cells are written as text, never as formulas."),
    N_("Request bodies and every synced field have size limits."),
    N_("The data folder is readable by its owner only (0700; the SQLite file 0600)."),
)


def _list(lang: str, title: str, items: tuple[str, ...]) -> Section:
    rows: list[tuple[Cell, ...]] = [(gettext(lang, item),) for item in items]
    return Section(gettext(lang, title), (gettext(lang, N_("What")),), rows)


def _pairs(lang: str, title: str, items: tuple[tuple[str, str], ...]) -> Section:
    rows: list[tuple[Cell, ...]] = [(gettext(lang, a), gettext(lang, b)) for a, b in items]
    return Section(gettext(lang, title), _all(lang, (N_("Who"), N_("What they receive"))), rows)


def _storage(lang: str, where: Where) -> Section:
    rows: list[tuple[Cell, ...]] = [
        (gettext(lang, N_("Database")), f"{where.database_kind}: {where.database_place}"),
        (gettext(lang, N_("Data folder")), where.data_dir),
        (gettext(lang, N_("Address of the server")), where.public_url),
        (
            gettext(lang, N_("Team members' phones")),
            gettext(lang, N_("the households of their own village, in the browser's storage")),
        ),
    ]
    return Section(
        gettext(lang, N_("Where the data is kept")), _all(lang, (N_("Where"), N_("What"))), rows
    )


async def _requests(lang: str, today: date) -> Section:
    counts: dict[str, Counter[str]] = {kind: Counter() for kind in KINDS}
    async for found in DataRequest.all().order_by("received_on"):
        c = clock_of(found, today)
        tally = counts.setdefault(found.kind, Counter())
        tally["received"] += 1
        if c.on_time is None:
            tally["open"] += 1
            tally["overdue"] += c.state == clocks.OVERDUE
        else:
            tally["on_time" if c.on_time else "late"] += 1
            tally["refused"] += c.state == clocks.REFUSED
    rows: list[tuple[Cell, ...]] = [
        (
            gettext(lang, KIND_LABELS.get(kind, kind)),
            t["received"],
            t["on_time"],
            t["late"],
            t["refused"],
            t["open"],
            t["overdue"],
        )
        for kind, t in counts.items()
    ]
    columns = (
        N_("Request"),
        N_("Received"),
        N_("Closed on time"),
        N_("Closed late"),
        N_("Of which refused"),
        N_("Open"),
        N_("Open and overdue"),
    )
    note = N_("On time: done or refused by the completion date of Decree 356/2025/NĐ-CP.")
    return Section(
        gettext(lang, N_("Data subjects' requests")), _all(lang, columns), rows, _t(lang, note)
    )


async def _incidents(lang: str, hours: int) -> Section:
    rows: list[tuple[Cell, ...]] = []
    async for found in Incident.all().order_by("discovered_at"):
        told = found.authority_notified_at
        late = (told or datetime.now(UTC)) > found.discovered_at + timedelta(hours=hours)
        rows.append(
            (
                _when(found.discovered_at),
                gettext(lang, SEVERITY_LABELS.get(found.severity, found.severity)),
                found.household_count,
                _when(told),
                _when(found.households_notified_at),
                gettext(lang, N_("late") if late else N_("on time")),
            )
        )
    columns = (
        N_("Discovered"),
        N_("How serious"),
        N_("Households"),
        N_("Authority told"),
        N_("Households told"),
        N_("Authority told in time"),
    )
    note = gettext(
        lang, N_("The authority is to be told within %(hours)s hours."), {"hours": hours}
    )
    return Section(gettext(lang, N_("Incidents")), _all(lang, columns), rows, note)


def _when(moment: datetime | None) -> str:
    return moment.astimezone(clocks.VIETNAM).strftime("%d/%m/%Y %H:%M") if moment else ""


def _t(lang: str, msgid: str) -> str:
    return gettext(lang, msgid)


def _all(lang: str, msgids: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(gettext(lang, m) for m in msgids)


async def build(lang: str, where: Where, now: datetime | None = None) -> list[Section]:
    """Every section of the record, in `lang`."""
    now = now or datetime.now(UTC)
    return [
        _purposes(lang),
        _categories(lang),
        _list(lang, N_("Categories of people"), _PEOPLE),
        _pairs(lang, N_("Recipients"), _RECIPIENTS),
        _storage(lang, where),
        _list(lang, N_("Security measures"), _SECURITY),
        await _requests(lang, clocks.local_date(now)),
        await _incidents(lang, where.breach_notice_hours),
    ]
