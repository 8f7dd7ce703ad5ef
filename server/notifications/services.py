"""Web push: subscriptions, messages in each user's language, and sending them after the response.

Other domains call `notify_users`; they return at once and the pushes go
out from a background task of the same worker (bounded concurrency, a timeout per request and
per batch). There is no queue shared between workers: a worker that stops mid-batch loses the
rest of that batch. Pushes only nudge — what they announce also arrives with the next sync.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from collections.abc import Coroutine, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
from tortoise.exceptions import IntegrityError
from tortoise.expressions import F, Q, Subquery

from server.accounts.models import User, UserArea
from server.i18n import LANGUAGES
from server.notifications.endpoints import EndpointRule, check_subscription
from server.notifications.messages import Message, test_message
from server.notifications.models import ENDPOINT_MAX_LENGTH, PushSubscription
from server.notifications.sender import (
    Result,
    Target,
    Vapid,
    build_request,
    deliver,
)
from server.phones import normalize_phone
from server.settings import Settings

log = logging.getLogger("langso.push")

CONCURRENCY = 8  # requests in flight per batch
BATCH_TIMEOUT = 600.0  # seconds a background batch may take before it is abandoned
MAX_SUBSCRIPTIONS = 10  # devices one user receives pushes on; the oldest go first


@dataclass(frozen=True)
class PushConfig:
    """The VAPID identity and the endpoint rule, from the settings."""

    vapid: Vapid
    rule: EndpointRule


_config: PushConfig | None = None
_pending: set[asyncio.Task[Any]] = set()


def configure(settings: Settings) -> PushConfig:
    """Load the VAPID key and the endpoint rule (called by the app factory and the CLI)."""
    global _config
    _config = PushConfig(
        vapid=Vapid.from_settings(settings.vapid_private_key, settings.vapid_subject),
        rule=EndpointRule(
            services=(*EndpointRule().services, *settings.push_services),
            allow_localhost=settings.push_allow_localhost,
        ),
    )
    return _config


def config() -> PushConfig:
    """The configuration set by `configure`."""
    if _config is None:
        raise RuntimeError("notifications.configure(settings) was not called")
    return _config


def application_server_key() -> str:
    """The VAPID public key browsers pass to pushManager.subscribe (base64url)."""
    return config().vapid.application_server_key


@dataclass
class SendReport:
    """How one batch went: counts per outcome."""

    sent: int = 0
    gone: int = 0
    rate_limited: int = 0
    deferred: int = 0
    failed: int = 0

    def add(self, outcome: str) -> None:
        """Count one outcome."""
        setattr(self, outcome, getattr(self, outcome) + 1)


async def subscribe(user_id: object, body: dict[str, Any]) -> bool:
    """Store a browser's subscription for the user; True when it is new. Raises SubscriptionError.

    Idempotent per endpoint: posting it again updates the keys, and a browser that another user
    signs in on moves to that user. A user keeps at most `MAX_SUBSCRIPTIONS`: the oldest others
    are dropped (most likely phones given away or reset).
    """
    target = check_subscription(config().rule, body)
    created = False
    if not await PushSubscription.exists(endpoint=target.endpoint):
        try:
            await PushSubscription.create(
                user_id=user_id, endpoint=target.endpoint, p256dh=target.p256dh, auth=target.auth
            )
            created = True
        except IntegrityError:
            pass  # the same browser posted twice at once: the other request created it
    if not created:
        await PushSubscription.filter(endpoint=target.endpoint).update(
            user_id=user_id,
            p256dh=target.p256dh,
            auth=target.auth,
            failures=0,
            last_error="",
            retry_after=None,
        )
    await _keep_newest(user_id, target.endpoint)
    return created


async def _keep_newest(user_id: object, endpoint: str) -> None:
    """Drop the user's oldest subscriptions beyond the cap, never the one just posted."""
    others = (
        await PushSubscription.filter(user_id=user_id)
        .exclude(endpoint=endpoint)
        .order_by("-id")
        .values_list("id", flat=True)
    )
    extra = list(others)[MAX_SUBSCRIPTIONS - 1 :]
    if extra:
        await PushSubscription.filter(id__in=extra).delete()


async def unsubscribe(user_id: object, endpoint: str) -> int:
    """Forget the user's subscription with this endpoint; how many rows went (0 or 1)."""
    if len(endpoint) > ENDPOINT_MAX_LENGTH:
        return 0  # never stored
    return await PushSubscription.filter(user_id=user_id, endpoint=endpoint).delete()


async def subscription_count(user_id: object) -> int:
    """How many devices the user receives pushes on."""
    return await PushSubscription.filter(user_id=user_id).count()


async def send_test(phone: str) -> tuple[int, SendReport] | None:
    """`langso push test`: a test message to every device of the user with this phone."""
    number = normalize_phone(phone)
    found = await User.get_or_none(phone=number) if number else None
    if found is None:
        return None
    devices = await subscription_count(found.id)
    return devices, await send_to_users([found.id], test_message())


def _audience_filter(roles: Sequence[str]) -> Q:
    query = Q(user__is_active=True)
    if roles:
        query &= Q(user__role__in=list(roles))
    return query


def _users_inside(area_codes: Sequence[str]) -> Subquery:
    """Users with an area that is one of `area_codes` or inside one (a subquery, not a list)."""
    codes = list(area_codes)
    inside = Q(area_id__in=codes) | Q(area__commune_code__in=codes)
    inside |= Q(area__province_code__in=codes)
    return Subquery(UserArea.filter(inside).values("user_id"))


async def send_to_users(user_ids: Iterable[object], message: Message) -> SendReport:
    """Push `message` to every device of these users now, and wait for the answers."""
    ids = list(user_ids)
    rows = await PushSubscription.filter(user_id__in=ids, user__is_active=True).select_related(
        "user"
    )
    return await _send(rows, message)


async def send_to_audience(
    message: Message, roles: Sequence[str] = (), area_codes: Sequence[str] = ()
) -> SendReport:
    """Push to active users with one of `roles` (any when empty) whose areas are inside
    `area_codes` (anywhere when empty), and wait for the answers."""
    query = PushSubscription.filter(_audience_filter(roles))
    if area_codes:
        query = query.filter(user_id__in=_users_inside(area_codes))
    return await _send(await query.select_related("user"), message)


def _check(message: Message) -> None:
    for language in LANGUAGES:
        message.payload(language)


async def notify_users(user_ids: Iterable[object], message: Message) -> None:
    """Push to these users' devices after the caller returns; PayloadTooLarge is raised now."""
    _check(message)
    _in_background(send_to_users(list(user_ids), message))


def _in_background(work: Coroutine[Any, Any, SendReport]) -> None:
    # A fresh context: a task started inside a database transaction would otherwise inherit
    # the transaction's connection (Tortoise keeps it in a context variable) after it closed.
    task = asyncio.get_running_loop().create_task(_guarded(work), context=contextvars.Context())
    _pending.add(task)
    task.add_done_callback(_pending.discard)


async def _guarded(work: Coroutine[Any, Any, SendReport]) -> None:
    try:
        async with asyncio.timeout(BATCH_TIMEOUT):
            report = await work
    except Exception:
        log.exception("push batch failed")
        return
    log.info("push batch: %s", report)


async def drain(timeout: float = 30.0) -> None:
    """Wait (at most `timeout` seconds) for this worker's background pushes to finish."""
    if _pending:
        await asyncio.wait(set(_pending), timeout=timeout)


async def _send(rows: Sequence[PushSubscription], message: Message) -> SendReport:
    vapid = config().vapid
    report = SendReport()
    now = datetime.now(UTC)
    payloads = {language: message.payload(language) for language in LANGUAGES}
    semaphore = asyncio.Semaphore(CONCURRENCY)

    async def one(client: httpx.AsyncClient, row: PushSubscription) -> None:
        if row.retry_after is not None and row.retry_after > now:
            report.add("deferred")
            return
        payload = payloads.get(row.user.language, payloads[LANGUAGES[0]])
        target = Target(endpoint=row.endpoint, p256dh=row.p256dh, auth=row.auth)
        async with semaphore:  # encrypt inside too: a big batch must not hold the loop at once
            request = build_request(vapid, target, payload, topic=message.tag)
            result = await deliver(client, request)
        report.add(result.outcome)
        if result.outcome == "sent":
            sent.append(row.id)
        else:
            await _record(row, result)

    sent: list[int] = []
    async with httpx.AsyncClient(follow_redirects=False) as client:
        await asyncio.gather(*(one(client, row) for row in rows))
    for start in range(0, len(sent), 500):  # one UPDATE per 500 successes, not one per push
        await PushSubscription.filter(id__in=sent[start : start + 500]).update(
            last_sent_at=datetime.now(UTC), failures=0, last_error="", retry_after=None
        )
    return report


async def _record(row: PushSubscription, result: Result) -> None:
    """Keep what the push service said on the row, where every worker sees it (not for "sent")."""
    rows = PushSubscription.filter(id=row.id)
    if result.outcome == "gone":
        log.info("push subscription %s is gone (%s): removed", row.id, result.detail)
        await rows.delete()
    elif result.outcome == "rate_limited":
        log.warning("push service rate-limits %s until %s", row.id, result.retry_at)
        await rows.update(retry_after=result.retry_at, last_error=result.detail)
    else:
        log.warning("push to subscription %s failed: %s", row.id, result.detail)
        await rows.update(failures=F("failures") + 1, last_error=result.detail[:200])
