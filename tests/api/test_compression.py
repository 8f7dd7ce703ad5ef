"""Phones pay for bytes: what goes over the wire is compressed where it pays (issue 15, 1–2).

Bytes are read raw from the wire (`aiter_raw`), not as httpx decodes them.
"""

from __future__ import annotations

import gzip
import uuid

import brotli
import orjson
import pytest

from server.accounts import roles
from server.households.models import Household
from server.settings import PWA_DIR
from server.web import limits
from tests.data import household_data, mutation

HTMX = "/static/htmx-2.0.4.min.js"


async def _wire(client, method, path, **options):
    """The response and its body exactly as sent (still compressed)."""
    async with client.stream(method, path, **options) as response:
        raw = b"".join([chunk async for chunk in response.aiter_raw()])
    return response, raw


@pytest.mark.parametrize(
    ("asked", "encoding", "inflate"),
    [("gzip, deflate, br", "br", brotli.decompress), ("gzip, deflate", "gzip", gzip.decompress)],
)
async def test_static_files_go_out_compressed_once_made(client, asked, encoding, inflate):
    original = (PWA_DIR / "static" / "htmx-2.0.4.min.js").read_bytes()

    response, raw = await _wire(client, "GET", HTMX, headers={"Accept-Encoding": asked})
    again = await client.get(
        HTMX, headers={"Accept-Encoding": asked, "If-None-Match": response.headers["etag"]}
    )

    assert response.headers["content-encoding"] == encoding
    assert response.headers["vary"] == "Accept-Encoding"
    assert inflate(raw) == original
    assert len(raw) < len(original) / 2.5
    assert again.status_code == 304


async def test_a_browser_that_asks_for_nothing_gets_the_file_as_it_is(client):
    original = (PWA_DIR / "static" / "htmx-2.0.4.min.js").read_bytes()

    response, raw = await _wire(client, "GET", HTMX, headers={"Accept-Encoding": "identity"})
    picture, _ = await _wire(
        client, "GET", "/static/icons/icon-192.png", headers={"Accept-Encoding": "gzip"}
    )

    assert "content-encoding" not in response.headers
    assert response.headers["vary"] == "Accept-Encoding"
    assert raw == original
    assert "content-encoding" not in picture.headers  # a PNG is compressed already


async def test_a_villages_first_pull_is_gzipped_to_a_fraction(village, user, login, push, client):
    area = await village()
    headers = await login(await user(roles.MEMBER, area.code))
    batch = [
        mutation(uuid.uuid4(), household_data(area.code, head_name=f"Hộ Nguyễn Văn {n}"))
        for n in range(120)
    ]
    await push(headers, "phone-gzip-setup", batch, expect={"applied"})
    path = "/api/v1/sync/pull?device_id=phone-gzip&limit=500"

    plain, plain_raw = await _wire(
        client, "GET", path, headers=headers | {"Accept-Encoding": "identity"}
    )
    packed, packed_raw = await _wire(
        client, "GET", path, headers=headers | {"Accept-Encoding": "gzip"}
    )

    assert "content-encoding" not in plain.headers
    assert packed.headers["content-encoding"] == "gzip"
    assert orjson.loads(gzip.decompress(packed_raw)) == orjson.loads(plain_raw)
    assert len(packed_raw) < len(plain_raw) / 4  # measured: about one seventh


async def test_the_phone_may_gzip_its_push(village, user, login, client):
    area = await village()
    headers = await login(await user(roles.MEMBER, area.code))
    record = uuid.uuid4()
    body = orjson.dumps(
        {"device_id": "phone-gz", "mutations": [mutation(record, household_data(area.code))]}
    )

    response = await client.post(
        "/api/v1/sync/push",
        content=gzip.compress(body),
        headers=headers | {"Content-Type": "application/json", "Content-Encoding": "gzip"},
    )

    assert response.status_code == 200, response.text
    assert [r["status"] for r in response.json()["results"]] == ["applied"]
    assert await Household.filter(id=record).exists()


async def test_a_gzip_bomb_is_refused_at_the_limit_of_what_it_inflates_to(
    village, user, login, client
):
    area = await village()
    headers = await login(await user(roles.MEMBER, area.code))
    bomb = gzip.compress(b" " * (limits.SYNC_PUSH_BYTES * 4))  # 32 MB of spaces in about 32 KB

    response = await client.post(
        "/api/v1/sync/push",
        content=bomb,
        headers=headers | {"Content-Type": "application/json", "Content-Encoding": "gzip"},
    )
    anonymous = await client.post(
        "/api/v1/session",
        content=gzip.compress(b" " * (limits.ANONYMOUS_BYTES * 8)),
        headers={"Content-Type": "application/json", "Content-Encoding": "gzip"},
    )

    assert len(bomb) < limits.ANONYMOUS_BYTES * 4
    assert response.status_code == 413
    assert anonymous.status_code == 413
    assert "16 KB" in anonymous.json()["error"]["message"]


async def test_a_body_that_is_not_gzip_or_another_encoding_is_a_clear_4xx(
    village, user, login, client
):
    area = await village()
    headers = await login(await user(roles.MEMBER, area.code)) | {
        "Content-Type": "application/json",
        "Accept-Language": "vi",
    }

    broken = await client.post(
        "/api/v1/sync/push",
        content=b"not gzip at all",
        headers=headers | {"Content-Encoding": "gzip"},
    )
    cut = await client.post(
        "/api/v1/sync/push",
        content=gzip.compress(b'{"device_id": "x", "mutations": []}')[:-12],
        headers=headers | {"Content-Encoding": "gzip"},
    )
    other = await client.post(
        "/api/v1/sync/push", content=b"{}", headers=headers | {"Content-Encoding": "br"}
    )

    assert (broken.status_code, cut.status_code, other.status_code) == (400, 400, 415)
    assert broken.json()["error"]["message"]
    assert other.json()["error"]["message"]
