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

from ccm_desktop.errors import DatabaseExists, KeyUnavailable, ValidationError, WrongKey
from ccm_desktop.fileperms import make_private, open_private

log = logging.getLogger(__name__)

KEYRING_SERVICE = "CCM Desktop database key"
KEY_BYTES = 32
MIN_PASSPHRASE = 8
# scrypt cost: n=2^15 takes ~0.1 s and 32 MiB here (docs/engineering-notes.md); r, p standard.
SCRYPT_N = 2**15
SCRYPT_R = 8
SCRYPT_P = 1
FORMAT = "ccm-desktop-wrapped-key/1"
# Bounds checked before a key file's parameters are used, so a doctored file cannot make a
# command hang, run out of memory or crash (scrypt needs 128*n*r bytes; n must be 2^k).
MAX_KEY_FILE_BYTES = 64 * 1024
SCRYPT_N_RANGE = (2**10, 2**20)
SCRYPT_R_RANGE = (1, 32)
SCRYPT_P_RANGE = (1, 16)
SCRYPT_MAXMEM = 256 * 1024 * 1024
SALT_BYTES_RANGE = (16, 64)
NONCE_BYTES = 12
SEALED_BYTES = KEY_BYTES + 16  # the key and the AES-GCM tag
MAX_DATABASE_ID = 100
DAMAGED = "The practice key file is damaged and cannot be read."


def check_passphrase(passphrase: str, field: str = "passphrase") -> str:
    """A practice passphrase: at least 8 characters (it guards the whole database)."""
    if len(passphrase or "") < MIN_PASSPHRASE:
        raise ValidationError(
            field, f"The practice passphrase needs at least {MIN_PASSPHRASE} characters."
        )
    return passphrase


def _kdf(passphrase: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        passphrase.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=SCRYPT_MAXMEM, dklen=32
    )


def _bounded_int(value: object, bounds: tuple[int, int]) -> int:
    """``value`` when it is an int (not a bool) within ``bounds``; else :class:`WrongKey`."""
    low, high = bounds
    if type(value) is not int or not low <= value <= high:
        raise WrongKey(DAMAGED)
    return value


def _b64(value: object, low: int, high: int) -> bytes:
    """Base64 text decoding to ``low``..``high`` bytes; else :class:`WrongKey`."""
    if not isinstance(value, str) or len(value) > 4 * high // 3 + 4:
        raise WrongKey(DAMAGED)
    try:
        raw = base64.b64decode(value, validate=True)
    except ValueError:
        raise WrongKey(DAMAGED) from None
    if not low <= len(raw) <= high:
        raise WrongKey(DAMAGED)
    return raw


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
    """The database key from a wrapped document; :class:`WrongKey` for a wrong passphrase.

    Every parameter is bounded before use (:data:`SCRYPT_N_RANGE` and the rest): a damaged
    or doctored document gives :class:`WrongKey` ("damaged") at once, never a hang, a
    ``MemoryError`` or a traceback.
    """
    kdf = doc.get("kdf") if isinstance(doc, dict) else None
    if not isinstance(kdf, dict) or kdf.get("name", "scrypt") != "scrypt":
        raise WrongKey(DAMAGED)
    n = _bounded_int(kdf.get("n"), SCRYPT_N_RANGE)
    r = _bounded_int(kdf.get("r"), SCRYPT_R_RANGE)
    p = _bounded_int(kdf.get("p"), SCRYPT_P_RANGE)
    if n & (n - 1) or 128 * n * r * (p + 1) > SCRYPT_MAXMEM:
        raise WrongKey(DAMAGED)
    salt = _b64(kdf.get("salt"), *SALT_BYTES_RANGE)
    nonce = _b64(doc.get("nonce"), NONCE_BYTES, NONCE_BYTES)
    sealed = _b64(doc.get("wrapped_key"), SEALED_BYTES, SEALED_BYTES)
    database_id = doc.get("database_id")
    if not isinstance(database_id, str) or not 0 < len(database_id) <= MAX_DATABASE_ID:
        raise WrongKey(DAMAGED)
    try:
        kek = _kdf(passphrase, salt, n, r, p)
    except (ValueError, MemoryError):
        raise WrongKey(DAMAGED) from None
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
            with open(self.wrapped_key_path, "rb") as fh:
                raw = fh.read(MAX_KEY_FILE_BYTES + 1)  # never read a doctored 1 GB file whole
        except FileNotFoundError:
            raise KeyUnavailable(
                f"The practice key file is missing: {self.wrapped_key_path}"
            ) from None
        except OSError as exc:
            raise WrongKey(DAMAGED) from exc
        if len(raw) > MAX_KEY_FILE_BYTES:
            raise WrongKey(DAMAGED)
        try:
            doc = json.loads(raw.decode("utf-8"))
        except (ValueError, RecursionError) as exc:
            raise WrongKey(DAMAGED) from exc
        if not isinstance(doc, dict) or doc.get("format") != FORMAT:
            raise WrongKey("The practice key file is not one this application wrote.")
        if not isinstance(doc.get("database_id"), str) or not doc["database_id"]:
            raise WrongKey(DAMAGED)
        return doc

    def _write_tmp(self, doc: dict[str, object], unique: bool = False) -> Path:
        """``doc`` in a private, fsynced temp file next to the key file (its own name per
        writer when ``unique``: two processes creating a practice never share one)."""
        tag = f".{os.getpid()}-{secrets.token_hex(4)}" if unique else ""
        tmp = self.wrapped_key_path.with_suffix(f"{tag}.tmp")
        tmp.unlink(missing_ok=True)
        with open_private(tmp, "w", encoding="utf-8") as fh:
            fh.write(json.dumps(doc, indent=2))
            fh.flush()
            os.fsync(fh.fileno())
        return tmp

    def _write_doc(self, doc: dict[str, object]) -> None:
        """Replace the key file atomically (a private temp file, fsynced, renamed)."""
        os.replace(self._write_tmp(doc), self.wrapped_key_path)
        make_private(self.wrapped_key_path)

    def _create_doc(self, doc: dict[str, object]) -> None:
        """Write a new key file, refusing (:class:`DatabaseExists`) when one exists: of two
        practices created at once, exactly one gets its key file (a hard link never
        replaces a file; a plain exclusive create where links are not supported)."""
        tmp = self._write_tmp(doc, unique=True)
        try:
            try:
                os.link(tmp, self.wrapped_key_path)
            except FileExistsError:
                raise
            except OSError:  # a file system without hard links
                with open_private(self.wrapped_key_path, "x", encoding="utf-8") as fh:
                    fh.write(tmp.read_text(encoding="utf-8"))
                    fh.flush()
                    os.fsync(fh.fileno())
        except FileExistsError:
            raise DatabaseExists(
                f"A practice key file already exists in {self.wrapped_key_path.parent}; "
                "nothing was changed."
            ) from None
        finally:
            tmp.unlink(missing_ok=True)

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
        self._create_doc(wrap_key(key, passphrase, database_id))
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
