"""Password hashing with argon2."""

from __future__ import annotations

from argon2 import Parameters, PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError

# New hashes' cost by LANGSO_PASSWORD_HASH_COST; a stored hash names its own, so both verify.
COSTS: dict[str, Parameters] = {
    "normal": profiles.RFC_9106_LOW_MEMORY,  # argon2-cffi's default: 64 MiB, 3 passes, 4 lanes
    "test": profiles.CHEAPEST,  # 8 KiB, 1 pass: for a fast test suite, never for real passwords
}
_hasher = PasswordHasher.from_parameters(COSTS["normal"])
MIN_LENGTH = 8


def configure(cost: str) -> None:
    """Hash new passwords at `cost`, a name in `COSTS` (called by the app factory and the CLI)."""
    global _hasher
    _hasher = PasswordHasher.from_parameters(COSTS[cost])


def hash_password(password: str) -> str:
    """An argon2id hash of `password`."""
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """True when `password` matches the stored hash."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
