"""Sealing the keys in a backup with a passphrase: scrypt, then AES-256-GCM (`cryptography`)."""

from __future__ import annotations

import base64
import json
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from server.errors import UserError
from server.i18n import N_

MIN_PASSPHRASE = 12
_N, _R, _P = 2**15, 8, 1  # scrypt cost: ~32 MiB and ~0.1 s per try


class WrongPassphrase(UserError):
    """The passphrase does not open the sealed keys (or they were changed)."""

    def __str__(self) -> str:
        return self.message("en")


def check_passphrase(passphrase: str) -> None:
    if len(passphrase) < MIN_PASSPHRASE:
        raise WrongPassphrase(
            N_("The passphrase needs at least %(minimum)s characters."),
            params={"minimum": MIN_PASSPHRASE},
        )


def _key(passphrase: str, salt: bytes) -> bytes:
    return Scrypt(salt=salt, length=32, n=_N, r=_R, p=_P).derive(passphrase.encode("utf-8"))


def seal(data: bytes, passphrase: str) -> bytes:
    """`data` encrypted under `passphrase`, as a small JSON document."""
    check_passphrase(passphrase)
    salt, nonce = os.urandom(16), os.urandom(12)
    sealed = AESGCM(_key(passphrase, salt)).encrypt(nonce, data, b"langso-keys-1")
    document: dict[str, str | int] = {"kdf": "scrypt", "n": _N, "r": _R, "p": _P}
    for name, value in (("salt", salt), ("nonce", nonce), ("sealed", sealed)):
        document[name] = base64.b64encode(value).decode()
    return json.dumps(document).encode()


def open_(document: bytes, passphrase: str) -> bytes:
    """The data sealed in `document`; `WrongPassphrase` when the passphrase does not open it."""
    try:
        fields = json.loads(document)
        salt, nonce, sealed = (base64.b64decode(fields[k]) for k in ("salt", "nonce", "sealed"))
        key = Scrypt(salt=salt, length=32, n=fields["n"], r=fields["r"], p=fields["p"]).derive(
            passphrase.encode("utf-8")
        )
        return AESGCM(key).decrypt(nonce, sealed, b"langso-keys-1")
    except (InvalidTag, ValueError, KeyError, TypeError):
        raise WrongPassphrase(
            N_("The passphrase does not open the keys in this backup. Nothing was restored.")
        ) from None
