"""The secrets kept in the data directory: written atomically, checked before the server uses them.

See docs/security.md ("Secrets"). A secret that is missing is generated; one that is present but
empty, short or unreadable stops the start with a message saying what to do: it is never used,
never silently replaced.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from server.errors import UserError
from server.i18n import N_

MIN_SECRET_KEY = 32  # characters; a generated key has 64 (48 random bytes, base64url)
_NEW_KEY_BYTES = 48


class SecretError(UserError):
    """A secret is missing, empty, short or unreadable: the server must not start."""

    def __str__(self) -> str:
        return self.message("en")


def secret_key(given: str | None, path: Path) -> str:
    """The session-signing key: `given` (LANGSO_SECRET_KEY) if set, else kept in `path`."""
    if given is not None:
        if len(given.strip()) < MIN_SECRET_KEY:
            raise SecretError(
                N_(
                    "LANGSO_SECRET_KEY has %(length)s characters; it needs at least "
                    "%(minimum)s. Set a longer random value, or unset it to have one "
                    "generated in the data folder."
                ),
                params={"length": len(given.strip()), "minimum": MIN_SECRET_KEY},
            )
        return given.strip()
    if not path.exists():
        _write_new(path, secrets.token_urlsafe(_NEW_KEY_BYTES))
    kept = _read(path).strip()
    if len(kept) < MIN_SECRET_KEY:
        raise SecretError(
            N_(
                "The secret key file %(path)s is empty or too short (%(length)s characters; "
                "it needs at least %(minimum)s), probably left by a start that failed (a full "
                "disk?). Delete the file to have a new key generated (everyone will have to "
                "sign in again), or set LANGSO_SECRET_KEY."
            ),
            params={"path": str(path), "length": len(kept), "minimum": MIN_SECRET_KEY},
        )
    return kept


def vapid_key(given: str | None, path: Path) -> str:
    """The web-push (VAPID) private key, PEM: `given` if set, else kept in `path`."""
    if given is None and not path.exists():
        key = ec.generate_private_key(ec.SECP256R1())
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        _write_new(path, pem.decode("ascii"))
    pem_text = given if given is not None else _read(path)
    if not _is_p256_key(pem_text):
        if given is not None:
            raise SecretError(
                N_(
                    "LANGSO_VAPID_PRIVATE_KEY is not a P-256 private key in PEM form. "
                    "Set a valid key, or unset it to have one generated in the data folder."
                )
            )
        raise SecretError(
            N_(
                "The web-push key file %(path)s is empty or damaged, probably left by a start "
                "that failed (a full disk?). Delete the file to have a new key generated "
                "(phones will have to turn notifications on again), or set "
                "LANGSO_VAPID_PRIVATE_KEY."
            ),
            params={"path": str(path)},
        )
    return pem_text


def _is_p256_key(pem: str) -> bool:
    try:
        key = serialization.load_pem_private_key(pem.encode("ascii"), password=None)
    except (ValueError, TypeError, UnicodeEncodeError):
        return False
    return isinstance(key, ec.EllipticCurvePrivateKey) and isinstance(key.curve, ec.SECP256R1)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""  # unreadable counts as damaged: the caller says what to do


def _write_new(path: Path, text: str) -> None:
    """Write a new secret all at once (mode 0600): a temporary file, fsync, then its name.

    `os.link` publishes the file like a rename but never replaces a key that another process
    (a second worker starting at the same moment) published first: then that one is kept.
    """
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:  # mkstemp makes it 0600
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        with contextlib.suppress(FileExistsError):  # another worker's key came first
            os.link(temporary, path)
        _sync_folder(path.parent)
    except OSError as error:
        raise SecretError(
            N_(
                "Could not write the new secret %(path)s: %(problem)s. Free some disk space "
                "or fix the folder's permissions, then start again."
            ),
            params={"path": str(path), "problem": error.strerror or str(error)},
        ) from error
    finally:
        Path(temporary).unlink(missing_ok=True)


def _sync_folder(folder: Path) -> None:
    """Make the new name itself durable."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
