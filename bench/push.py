"""Web push: what one message costs to encrypt and sign, and how fast a batch goes out.

Run: `.venv/bin/python bench/push.py [--subscriptions 1000] [--concurrency 8,32]`

Sets up a SQLite database in a temporary folder with N members, each with one subscription whose
endpoint is a push service on 127.0.0.1 (a separate process answering 201 to every POST, reading
the whole body). Then measures, in one run:
- `build_request`: encrypting (aes128gcm) and signing (VAPID ES256) one message, per second;
- how long the caller of `notify_users` waits (the sends go on in the background);
- `send_to_users` for all N, with each concurrency limit: seconds and pushes per second.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from cryptography.hazmat.primitives import serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec  # noqa: E402


def _serve(port: int, ready: multiprocessing.synchronize.Event) -> None:
    """A minimal HTTP/1.1 push service: read the request, answer 201, keep the connection."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":", 1)[1])
                await reader.readexactly(length)
                writer.write(b"HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n")
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()

    async def main() -> None:
        server = await asyncio.start_server(handle, "127.0.0.1", port, backlog=1024)
        ready.set()
        async with server:
            await server.serve_forever()

    asyncio.run(main())


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _keys() -> tuple[str, str]:
    point = (
        ec.generate_private_key(ec.SECP256R1())
        .public_key()
        .public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    )
    return _b64(point), _b64(os.urandom(16))


async def _run(args: argparse.Namespace, data_dir: Path, port: int) -> None:
    from server.accounts.models import User
    from server.cli.upgrade import upgrade
    from server.db.config import database
    from server.notifications import messages, services
    from server.notifications.models import PushSubscription
    from server.notifications.sender import Target, build_request
    from server.settings import Settings

    settings = Settings.from_env(
        {"LANGSO_DATA_DIR": str(data_dir), "LANGSO_PUSH_ALLOW_LOCALHOST": "1"}
    )
    await upgrade(settings)
    config = services.configure(settings)
    p256dh, auth = _keys()
    target = Target(f"http://127.0.0.1:{port}/push/x", p256dh, auth)
    payload = messages.test_message().payload("vi")
    rounds = 1000
    started = time.perf_counter()
    for _ in range(rounds):
        build_request(config.vapid, target, payload)
    per_second = rounds / (time.perf_counter() - started)
    print(f"build_request (encrypt + sign one {len(payload)}-byte message): {per_second:,.0f}/s")

    async with database(settings):
        users = [
            User(
                id=uuid.uuid4(),
                phone=f"09{i:08d}",
                name=f"Bench {i}",
                role="member",
                password_hash="-",
            )
            for i in range(args.subscriptions)
        ]
        await User.bulk_create(users, batch_size=500)
        await PushSubscription.bulk_create(
            [
                PushSubscription(
                    user_id=user.id,
                    endpoint=f"http://127.0.0.1:{port}/push/{user.id}",
                    p256dh=p256dh,
                    auth=auth,
                )
                for user in users
            ],
            batch_size=500,
        )
        ids = [user.id for user in users]
        waits = []
        for _ in range(5):
            started = time.perf_counter()
            await services.notify_users(ids[:1], messages.test_message())
            waits.append((time.perf_counter() - started) * 1000)
            await services.drain()
        print(f"notify_users: the caller waits {statistics.median(waits):.2f} ms (median of 5)")
        for limit in args.concurrency:
            services.CONCURRENCY = limit
            started = time.perf_counter()
            report = await services.send_to_users(ids, messages.test_message())
            seconds = time.perf_counter() - started
            print(
                f"send_to_users, {len(ids)} subscriptions, {limit} in flight: {seconds:.2f} s, "
                f"{report.sent / seconds:,.0f} pushes/s "
                f"(sent {report.sent}, failed {report.failed})"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscriptions", type=int, default=1000)
    parser.add_argument(
        "--concurrency", type=lambda s: [int(x) for x in s.split(",")], default=[8, 32]
    )
    args = parser.parse_args()
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    ready = multiprocessing.Event()
    service = multiprocessing.Process(target=_serve, args=(port, ready), daemon=True)
    service.start()
    try:
        if not ready.wait(10):
            raise SystemExit("the push service did not start")
        with tempfile.TemporaryDirectory() as folder:
            asyncio.run(_run(args, Path(folder), port))
    finally:
        service.terminate()
        service.join()


if __name__ == "__main__":
    main()
