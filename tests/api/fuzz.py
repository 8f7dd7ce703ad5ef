"""Sending schemathesis' generated requests through the in-process app."""

from __future__ import annotations

from typing import Any


def _latin1(value: Any) -> bytes:
    return str(value).encode("latin-1", errors="replace")


def request_args(
    kwargs: dict[str, Any], token: str | None, *, keep_generated_auth: bool = False
) -> dict[str, Any]:
    """`httpx` request arguments for a case's transport kwargs, signed with `token` if given.

    The generated Authorization header is dropped, unless `keep_generated_auth` and no token.
    """
    headers = [
        (_latin1(name), _latin1(value))
        for name, value in kwargs["headers"].items()
        if name.lower() != "authorization" or (keep_generated_auth and token is None)
    ]
    if token is not None:
        headers.append((b"Authorization", f"Bearer {token}".encode()))
    if kwargs.get("cookies"):
        cookie = "; ".join(f"{k}={v}" for k, v in kwargs["cookies"].items())
        headers.append((b"Cookie", _latin1(cookie)))
    args: dict[str, Any] = {
        "method": kwargs["method"],
        "url": kwargs["url"],
        "headers": headers,
        "params": kwargs.get("params") or None,
    }
    if "json" in kwargs:
        args["json"] = kwargs["json"]
    elif "data" in kwargs:
        data = kwargs["data"]
        args["content"] = data.encode() if isinstance(data, str) else data
    return args
