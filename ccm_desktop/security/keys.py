"""The practice database key: 32 random bytes, kept in the OS keyring.

A copy wrapped with a passphrase (scrypt + AES-GCM) sits next to the database.
It is the recovery path when the keyring entry is lost (new PC, other Windows
user) and the only path where no keyring backend works (headless Linux, a locked
keyring). The key itself is never written anywhere in plaintext and never printed.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import os
import secrets
import uuid
from dataclasses import dataclass
from pathlib import Path

import keyring
import keyring.errors
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ccm_desktop.errors import KeyUnavailable, ValidationError, WrongKey

log = logging.getLogger(__name__)

KEYRING_SERVICE = "CCM Desktop database key"
KEY_BYTES = 32
MIN_PASSPHRASE = 8
# scrypt cost: n=2^15 takes ~0.1 s and 32 MiB here (docs/engineering-notes.md); r, p standard.
SCRYPT_N = 2**15
SCRYPT_R = 8
SCRYPT_P = 1
FORMAT = "ccm-desktop-wrapped-key/1"


def check_passphrase(passphrase: str, field: str = "passphrase") -> str:
    """A practice passphrase: at least 8 characters (it guards the whole database)."""
    if len(passphrase or "") < MIN_PASSPHRASE:
        raise ValidationError(
            field, f"The practice passphrase needs at least {MIN_PASSPHRASE} characters."
        )
    return passphrase


def _kdf(passphrase: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        passphrase.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=256 * 1024 * 1024, dklen=32
    )


def wrap_key(key: bytes, passphrase: str, database_id: str) -> dict[str, object]:
    """The JSON document that holds ``key`` encrypted under ``passphrase``."""
    salt = secrets.token_bytes(16)
    nonce = secrets.token_bytes(12)
    kek = _kdf(passphrase, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    sealed = AESGCM(kek).encrypt(nonce, key, database_id.encode())
    b64 = base64.b64encode
    return {
        "format": FORMAT,
        "database_id": database_id,
        "kdf": {
            "name": "scrypt",
            "n": SCRYPT_N,
            "r": SCRYPT_R,
            "p": SCRYPT_P,
            "salt": b64(salt).decode(),
        },
        "cipher": "AES-256-GCM",
        "nonce": b64(nonce).decode(),
        "wrapped_key": b64(sealed).decode(),
    }


def unwrap_key(doc: dict[str, object], passphrase: str) -> bytes:
    """The database key from a wrapped document; :class:`WrongKey` for a wrong passphrase."""
    try:
        kdf = doc["kdf"]
        assert isinstance(kdf, dict)
        salt = base64.b64decode(kdf["salt"])
        kek = _kdf(passphrase, salt, int(kdf["n"]), int(kdf["r"]), int(kdf["p"]))
        nonce = base64.b64decode(str(doc["nonce"]))
        sealed = base64.b64decode(str(doc["wrapped_key"]))
        database_id = str(doc["database_id"])
    except (KeyError, TypeError, ValueError, AssertionError) as exc:
        raise WrongKey("The practice key file is damaged and cannot be read.") from exc
    try:
        return AESGCM(kek).decrypt(nonce, sealed, database_id.encode())
    except InvalidTag:
        raise WrongKey("That passphrase does not open this practice database.") from None


@dataclass
class KeyStore:
    """Finds, creates and recovers the key of the practice database in one data folder."""

    wrapped_key_path: Path

    # -- keyring, best effort -------------------------------------------------
    @staticmethod
    def keyring_works() -> bool:
        """True when an OS keyring backend accepts reads here."""
        try:
            keyring.get_password(KEYRING_SERVICE, "probe")
        except keyring.errors.KeyringError:
            return False
        except Exception:  # broken third-party backends raise anything
            log.warning("keyring backend failed", exc_info=True)
            return False
        return True

    @staticmethod
    def _keyring_get(database_id: str) -> bytes | None:
        try:
            value = keyring.get_password(KEYRING_SERVICE, database_id)
        except Exception:
            return None
        if not value:
            return None
        try:
            key = bytes.fromhex(value)
        except ValueError:
            return None
        return key if len(key) == KEY_BYTES else None

    @staticmethod
    def _keyring_set(database_id: str, key: bytes) -> bool:
        try:
            keyring.set_password(KEYRING_SERVICE, database_id, key.hex())
        except Exception:
            return False
        return True

    # -- the wrapped copy ------------------------------------------------------
    def _read_doc(self) -> dict[str, object]:
        try:
            doc = json.loads(self.wrapped_key_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise KeyUnavailable(
                f"The practice key file is missing: {self.wrapped_key_path}"
            ) from None
        except (OSError, ValueError) as exc:
            raise WrongKey("The practice key file is damaged and cannot be read.") from exc
        if not isinstance(doc, dict) or doc.get("format") != FORMAT:
            raise WrongKey("The practice key file is not one this application wrote.")
        return doc

    def _write_doc(self, doc: dict[str, object]) -> None:
        tmp = self.wrapped_key_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(doc, indent=2), encoding="utf-8")
        os.replace(tmp, self.wrapped_key_path)

    def database_id(self) -> str:
        """The random id that names this database's keyring entry."""
        return str(self._read_doc()["database_id"])

    def exists(self) -> bool:
        return self.wrapped_key_path.exists()

    # -- the contract ----------------------------------------------------------
    def create(self, passphrase: str) -> bytes:
        """A new random key: wrapped under ``passphrase`` on disk and stored in the keyring.

        Returns the key. The passphrase is required so that a recovery path always exists.
        """
        check_passphrase(passphrase)
        key = secrets.token_bytes(KEY_BYTES)
        database_id = str(uuid.uuid4())
        self.wrapped_key_path.parent.mkdir(parents=True, exist_ok=True)
        self._write_doc(wrap_key(key, passphrase, database_id))
        self._keyring_set(database_id, key)
        return key

    def load(self, passphrase: str | None = None) -> bytes:
        """The key: from the keyring, else unwrapped with ``passphrase`` (then re-saved to the
        keyring when it works). Raises :class:`KeyUnavailable` when neither is possible and
        :class:`WrongKey` for a wrong passphrase."""
        doc = self._read_doc()
        database_id = str(doc["database_id"])
        key = self._keyring_get(database_id)
        if key is not None:
            return key
        if not passphrase:
            raise KeyUnavailable(
                "The practice passphrase is needed to open the database "
                "(no key in this computer's keyring)."
            )
        key = unwrap_key(doc, passphrase)
        self._keyring_set(database_id, key)
        return key

    def unlock_with_passphrase(self, passphrase: str) -> bytes:
        """The key from the wrapped copy only (recovery; ignores the keyring)."""
        return unwrap_key(self._read_doc(), passphrase)

    def forget_keyring_entry(self) -> None:
        """Remove this database's key from the keyring (the wrapped copy stays)."""
        try:
            keyring.delete_password(KEYRING_SERVICE, self.database_id())
        except Exception:
            pass

    def change_passphrase(self, old: str, new: str) -> None:
        """Re-wrap the same key under a new passphrase; the database is not re-encrypted."""
        check_passphrase(new, "new_passphrase")
        doc = self._read_doc()
        key = unwrap_key(doc, old)
        self._write_doc(wrap_key(key, new, str(doc["database_id"])))
