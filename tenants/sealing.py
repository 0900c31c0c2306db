"""Secrets kept in the database, sealed with AES-GCM under keys derived from
``SOCLE_SECRET_KEY``: a copy of the database alone reveals none of them.

Each use derives its own key (its ``purpose``), and a sealed value may be
bound to where it is kept (``bound_to``, e.g. its tenant and row): a value
copied to another row, or another tenant's, does not open.
"""

from __future__ import annotations

import base64
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_NONCE_BYTES = 12


class SealBroken(ValueError):
    """A sealed value that does not open: another secret key, another place, or altered."""


def derive_key(secret: str, purpose: bytes) -> bytes:
    """A 32-byte key for ``purpose`` (HKDF-SHA256 of ``secret``), apart from every other purpose's."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(secret.encode())


class Sealer:
    """Seals and opens the secrets of one purpose."""

    def __init__(self, secret: str, purpose: bytes) -> None:
        self._cipher = AESGCM(derive_key(secret, purpose))

    def seal(self, plaintext: str, bound_to: str = "") -> str:
        """``plaintext`` encrypted and authenticated with a fresh nonce, as base64 text."""
        nonce = os.urandom(_NONCE_BYTES)
        sealed = self._cipher.encrypt(nonce, plaintext.encode(), bound_to.encode() or None)
        return base64.b64encode(nonce + sealed).decode()

    def open(self, sealed: str, bound_to: str = "") -> str:
        """The plaintext of ``sealed``, made with the same ``bound_to``; :class:`SealBroken` otherwise."""
        raw = base64.b64decode(sealed)
        try:
            return self._cipher.decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], bound_to.encode() or None).decode()
        except InvalidTag:
            raise SealBroken("the sealed value does not open with this key and place") from None
