"""Personal data at rest: AES-256-GCM with a context, blind indexes and key rotation."""

from __future__ import annotations

import base64

import pytest
from cryptography.exceptions import InvalidTag
from hypothesis import given
from hypothesis import strategies as st

from jiuzhu.lib import crypto

CTX = "people.person.id_number"
NEW_KEY = base64.b64encode(b"N" * 32).decode()
OTHER_KEY = base64.b64encode(b"O" * 32).decode()
DECRYPT_ERRORS = (InvalidTag, ValueError, IndexError)


@given(text=st.text())
def test_it_round_trips_any_unicode_text(text: str) -> None:
    blob = crypto.encrypt(text, context=CTX)
    assert isinstance(blob, bytes)
    assert crypto.decrypt(blob, context=CTX) == text
    assert crypto.decrypt(memoryview(blob), context=CTX) == text  # what a bytea column returns


@given(text=st.text(min_size=1))
def test_it_never_stores_the_plain_bytes(text: str) -> None:
    blob = crypto.encrypt(text, context=CTX)
    # format version 3; then the 4-byte key fingerprint, the cipher id, the nonce, ciphertext and tag
    assert blob[0] == 3 and blob[5] == crypto.CIPHERS["aes-256-gcm"]
    assert len(blob) == 1 + 4 + 1 + 12 + len(text.encode()) + 16
    if len(text.encode()) >= 4:
        assert text.encode() not in blob


@given(text=st.text())
def test_it_gives_a_different_ciphertext_each_time(text: str) -> None:
    first, second = crypto.encrypt(text, context=CTX), crypto.encrypt(text, context=CTX)
    assert first != second
    assert first[5:17] != second[5:17]  # the nonce


@given(text=st.text(), other=st.text().filter(lambda c: c != CTX))
def test_it_refuses_to_decrypt_under_another_context(text: str, other: str) -> None:
    blob = crypto.encrypt(text, context=CTX)
    with pytest.raises(InvalidTag):
        crypto.decrypt(blob, context=other)


@given(text=st.text(), data=st.data())
def test_it_refuses_a_ciphertext_with_any_byte_changed(text: str, data) -> None:  # type: ignore[no-untyped-def]
    blob = bytearray(crypto.encrypt(text, context=CTX))
    position = data.draw(st.integers(0, len(blob) - 1))
    blob[position] ^= data.draw(st.integers(1, 255))
    with pytest.raises(DECRYPT_ERRORS):
        crypto.decrypt(bytes(blob), context=CTX)


def test_it_refuses_a_truncated_ciphertext() -> None:
    blob = crypto.encrypt("540528199001011234", context=CTX)
    with pytest.raises(InvalidTag):
        crypto.decrypt(blob[:-1], context=CTX)


def test_it_refuses_an_unknown_version() -> None:
    blob = crypto.encrypt("x", context=CTX)
    with pytest.raises(ValueError, match="version"):
        crypto.decrypt(bytes([9]) + blob[1:], context=CTX)


# --- blind index ---------------------------------------------------------------------------------


@given(value=st.text(alphabet="0123456789", min_size=17, max_size=17))
def test_it_computes_the_same_blind_index_every_time(value: str) -> None:
    first = crypto.blind_index(value + "X", context=CTX)
    assert first == crypto.blind_index(value + "X", context=CTX)
    assert len(first) == 64 and int(first, 16) >= 0
    assert value not in first


@given(value=st.text(alphabet="0123456789", min_size=17, max_size=17))
def test_it_ignores_the_case_of_the_final_x_and_surrounding_spaces(value: str) -> None:
    upper = crypto.blind_index(value + "X", context=CTX)
    assert crypto.blind_index(value + "x", context=CTX) == upper
    assert crypto.blind_index(f"  {value}x ", context=CTX) == upper
    assert crypto.blind_index(value + "1", context=CTX) != upper


@given(value=st.text(min_size=1), other=st.text().filter(lambda c: c != CTX))
def test_it_gives_a_different_blind_index_in_another_context(value: str, other: str) -> None:
    assert crypto.blind_index(value, context=CTX) != crypto.blind_index(value, context=other)


def test_it_derives_the_blind_index_from_the_secret_key(settings) -> None:  # type: ignore[no-untyped-def]
    before = crypto.blind_index("540528199001011234", context=CTX)
    settings.BLIND_INDEX_KEY = "another-blind-index-key"
    assert crypto.blind_index("540528199001011234", context=CTX) != before


# --- keys ----------------------------------------------------------------------------------------


def test_it_encrypts_new_values_with_the_first_key(settings) -> None:  # type: ignore[no-untyped-def]
    old_key = settings.FIELD_ENCRYPTION_KEYS[0]
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY, old_key]
    blob = crypto.encrypt("13812345678", context=CTX)
    assert crypto.decrypt(blob, context=CTX) == "13812345678"
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY]
    assert crypto.decrypt(blob, context=CTX) == "13812345678"
    settings.FIELD_ENCRYPTION_KEYS = [old_key]
    with pytest.raises(ValueError, match="not configured"):
        crypto.decrypt(blob, context=CTX)


def test_it_cannot_decrypt_with_an_unrelated_key(settings) -> None:  # type: ignore[no-untyped-def]
    blob = crypto.encrypt("13812345678", context=CTX)
    settings.FIELD_ENCRYPTION_KEYS = [OTHER_KEY]
    with pytest.raises(ValueError, match="not configured"):
        crypto.decrypt(blob, context=CTX)


def test_it_still_decrypts_values_written_before_a_new_key_was_added(settings) -> None:  # type: ignore[no-untyped-def]
    old_key = settings.FIELD_ENCRYPTION_KEYS[0]
    settings.FIELD_ENCRYPTION_KEYS = [old_key]
    old_blob = crypto.encrypt("540528199001011234", context=CTX)
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY, old_key]
    new_blob = crypto.encrypt("540528199001011234", context=CTX)
    assert new_blob[1:5] != old_blob[1:5]  # a different key fingerprint
    settings.FIELD_ENCRYPTION_KEYS = [old_key, NEW_KEY]  # the order of old keys does not matter
    assert crypto.decrypt(new_blob, context=CTX) == "540528199001011234"
    assert crypto.decrypt(old_blob, context=CTX) == "540528199001011234"


def test_it_refuses_a_key_that_is_not_32_bytes(settings) -> None:  # type: ignore[no-untyped-def]
    settings.FIELD_ENCRYPTION_KEYS = [base64.b64encode(b"k" * 16).decode()]
    with pytest.raises(ValueError, match="32 bytes"):
        crypto.encrypt("x", context=CTX)
