"""The database key: keyring, passphrase fallback, recovery, never plaintext."""

from __future__ import annotations

import json

import pytest

from ccm_desktop.app import create_practice, open_practice
from ccm_desktop.errors import KeyUnavailable, ValidationError, WrongKey
from ccm_desktop.paths import DataPaths
from ccm_desktop.security.audit import Actor
from ccm_desktop.security.keys import KEYRING_SERVICE, KeyStore, unwrap_key, wrap_key
from tests.conftest import PASSPHRASE, practice_setup


def _new(tmp_path, name="p") -> DataPaths:
    return DataPaths(tmp_path / name)


def test_key_goes_to_keyring_and_opens_without_passphrase(tmp_path, memory_keyring):
    paths = _new(tmp_path)
    create_practice(paths, PASSPHRASE, practice_setup(), Actor.system("t")).close()
    database_id = KeyStore(paths.wrapped_key).database_id()
    stored = memory_keyring.store[(KEYRING_SERVICE, database_id)]
    assert len(bytes.fromhex(stored)) == 32
    with open_practice(paths) as ctx:  # no passphrase needed: the keyring has the key
        assert ctx.practice.practice().name == "Maple Grove Family Medicine"


def test_wrapped_key_file_holds_no_plaintext_key(tmp_path, memory_keyring):
    paths = _new(tmp_path)
    create_practice(paths, PASSPHRASE, practice_setup(), Actor.system("t")).close()
    key_hex = next(iter(memory_keyring.store.values()))
    text = paths.wrapped_key.read_text()
    assert key_hex not in text.lower()
    doc = json.loads(text)
    assert doc["kdf"]["name"] == "scrypt" and doc["cipher"] == "AES-256-GCM"
    for f in paths.root.iterdir():
        assert bytes.fromhex(key_hex) not in f.read_bytes()
        assert key_hex.encode() not in f.read_bytes().lower()


def test_without_keyring_passphrase_is_required(tmp_path, failing_keyring):
    paths = _new(tmp_path)
    create_practice(paths, PASSPHRASE, practice_setup(), Actor.system("t")).close()
    with pytest.raises(KeyUnavailable, match="passphrase"):
        open_practice(paths)
    with open_practice(paths, PASSPHRASE) as ctx:
        assert len(ctx.practice.providers()) == 2


def test_wrong_passphrase_is_refused_and_file_untouched(tmp_path, failing_keyring):
    paths = _new(tmp_path)
    create_practice(paths, PASSPHRASE, practice_setup(), Actor.system("t")).close()
    before = {p.name: p.read_bytes() for p in paths.root.iterdir() if p.is_file()}
    with pytest.raises(WrongKey, match="passphrase does not open"):
        open_practice(paths, "not the passphrase")
    after = {p.name: p.read_bytes() for p in paths.root.iterdir() if p.is_file()}
    assert after == before


def test_lost_keyring_entry_is_recovered_with_passphrase(tmp_path, memory_keyring):
    paths = _new(tmp_path)
    create_practice(paths, PASSPHRASE, practice_setup(), Actor.system("t")).close()
    memory_keyring.store.clear()  # new PC or another Windows user
    with pytest.raises(KeyUnavailable):
        open_practice(paths)
    open_practice(paths, PASSPHRASE).close()
    assert memory_keyring.store, "the recovered key is stored in the keyring again"
    open_practice(paths).close()


def test_change_passphrase_keeps_the_database_key(tmp_path, failing_keyring):
    paths = _new(tmp_path)
    create_practice(paths, PASSPHRASE, practice_setup(), Actor.system("t")).close()
    store = KeyStore(paths.wrapped_key)
    with pytest.raises(WrongKey):
        store.change_passphrase("wrong one!", "a brand new phrase")
    store.change_passphrase(PASSPHRASE, "a brand new phrase")
    with pytest.raises(WrongKey):
        open_practice(paths, PASSPHRASE)
    open_practice(paths, "a brand new phrase").close()


def test_short_passphrase_is_refused_before_anything_is_written(tmp_path):
    paths = _new(tmp_path)
    with pytest.raises(ValidationError, match="at least 8"):
        create_practice(paths, "short", practice_setup(), Actor.system("t"))
    assert not paths.database.exists() and not paths.wrapped_key.exists()


def test_tampered_wrapped_key_is_refused():
    doc = wrap_key(b"k" * 32, PASSPHRASE, "db-1")
    doc["database_id"] = "db-2"  # bound as associated data: a swapped file fails
    with pytest.raises(WrongKey):
        unwrap_key(doc, PASSPHRASE)
    with pytest.raises(WrongKey, match="damaged"):
        unwrap_key({"format": "x"}, PASSPHRASE)


def test_damaged_key_file_gives_plain_error(tmp_path, failing_keyring):
    paths = _new(tmp_path)
    create_practice(paths, PASSPHRASE, practice_setup(), Actor.system("t")).close()
    paths.wrapped_key.write_text("{not json")
    with pytest.raises(WrongKey, match="damaged"):
        open_practice(paths, PASSPHRASE)
