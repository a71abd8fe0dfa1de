"""The file envelope and the cipher setting: round trips, tampering, truncation, reordering, SM4/SM3."""

from __future__ import annotations

import base64
import io
import os

import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from hypothesis import HealthCheck, example, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from jiuzhu.lib import crypto, filecrypt

C = filecrypt.CHUNK
CIPHERS = ["aes-256-gcm", "sm4-gcm"]
SIZES = [0, 1, C - 1, C, C + 1, 3 * C + 17]
CTX = "people.person.id_number"


@pytest.fixture(params=CIPHERS)
def cipher(request, settings):  # type: ignore[no-untyped-def]
    settings.FIELD_CIPHER = request.param
    return request.param


@pytest.mark.parametrize("size", SIZES)
def test_a_file_round_trips_at_every_chunk_boundary(cipher, size) -> None:
    data = os.urandom(size)
    sealed = filecrypt.encrypt(data)
    assert filecrypt.decrypt(sealed) == data
    header = filecrypt.read_header(io.BytesIO(sealed))
    assert header is not None and header.cipher == cipher and header.key_id == crypto.newest_key_id()
    chunks = max(1, -(-size // C))
    assert len(sealed) == header.length + size + chunks * crypto.TAG


@hsettings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=3 * 1024), chunk=st.integers(1, 700), pieces=st.integers(1, 9))
@example(data=b"", chunk=1, pieces=1)
def test_any_bytes_in_any_pieces_round_trip_and_seek(data, chunk, pieces) -> None:  # type: ignore[no-untyped-def]
    step = max(1, len(data) // pieces)
    parts = [data[i:i + step] for i in range(0, len(data), step)] or [b""]
    sealed = b"".join(filecrypt.encrypt_chunks(parts, chunk_size=chunk))
    raw = filecrypt.DecryptingReader(io.BytesIO(sealed))
    assert raw.size == len(data)
    reader = io.BufferedReader(raw)
    assert reader.read() == data
    if data:  # random access reads the right bytes
        at = len(data) // 3
        reader.seek(at)
        assert reader.read(chunk + 1) == data[at:at + chunk + 1]
        assert reader.seek(0, io.SEEK_END) == len(data)


@pytest.mark.parametrize("size", SIZES)
def test_changing_any_byte_raises(cipher, size) -> None:
    sealed = bytearray(filecrypt.encrypt(os.urandom(size)))
    header = filecrypt.read_header(io.BytesIO(bytes(sealed)))
    assert header is not None
    for at in {header.length, len(sealed) - 1, len(sealed) // 2, 3, header.length - 1}:
        changed = bytearray(sealed)
        changed[at] ^= 0x01
        with pytest.raises(filecrypt.FileDecryptionError):
            filecrypt.decrypt(bytes(changed))


@pytest.mark.parametrize("size", [C, C + 1, 2 * C, 3 * C + 17])
def test_truncating_dropping_or_reordering_chunks_raises(size) -> None:
    sealed = filecrypt.encrypt(os.urandom(size))
    header = filecrypt.read_header(io.BytesIO(sealed))
    assert header is not None
    body = sealed[header.length:]
    step = C + crypto.TAG
    chunks = [body[i:i + step] for i in range(0, len(body), step)]
    cut = [sealed[:-1], sealed[:header.length], sealed[:header.length + step]]  # a byte, all, to a chunk edge
    if len(chunks) > 1:
        cut.append(sealed[:header.length] + b"".join(chunks[:-1]))  # the last chunk dropped
        cut.append(sealed[:header.length] + b"".join([chunks[1], chunks[0], *chunks[2:]]))  # reordered
    cut.append(sealed + chunks[-1])  # a chunk appended
    for bad in cut:
        if bad == sealed:
            continue
        with pytest.raises(filecrypt.FileDecryptionError):
            filecrypt.decrypt(bad)


def test_a_file_needs_the_key_that_wrapped_it(settings) -> None:
    sealed = filecrypt.encrypt(b"540528199001011234")
    settings.FIELD_ENCRYPTION_KEYS = [base64.b64encode(b"O" * 32).decode()]
    with pytest.raises(filecrypt.FileDecryptionError, match="not configured"):
        filecrypt.decrypt(sealed)


def test_a_file_written_under_one_cipher_reads_under_the_other(settings) -> None:
    settings.FIELD_CIPHER = "sm4-gcm"
    sealed = filecrypt.encrypt(b"x" * (C + 5))
    settings.FIELD_CIPHER = "aes-256-gcm"
    assert filecrypt.decrypt(sealed) == b"x" * (C + 5)


def test_plaintext_is_refused_unless_legacy_reads_are_allowed() -> None:
    with pytest.raises(filecrypt.FileDecryptionError, match="not encrypted"):
        filecrypt.decrypt(b"%PDF-1.4 old")
    assert filecrypt.decrypt(b"%PDF-1.4 old", allow_plaintext=True) == b"%PDF-1.4 old"


# --- fields under each cipher ------------------------------------------------------------------------


@given(text=st.text())
@hsettings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=30)
def test_a_field_value_round_trips_under_each_cipher(cipher, text) -> None:  # type: ignore[no-untyped-def]
    blob = crypto.encrypt(text, context=CTX)
    assert crypto.describe(blob) == (crypto.newest_key_id(), cipher) and crypto.is_current(blob)
    assert crypto.decrypt(blob, context=CTX) == text


def test_values_of_both_ciphers_and_the_old_format_read_after_a_switch(settings) -> None:
    settings.FIELD_CIPHER = "aes-256-gcm"
    aes = crypto.encrypt("13812345678", context=CTX)
    settings.FIELD_CIPHER = "sm4-gcm"
    sm4 = crypto.encrypt("13812345678", context=CTX)
    assert aes != sm4 and not crypto.is_current(aes) and crypto.is_current(sm4)
    # Version 2, as written before the cipher id existed: AES-256-GCM with the key fingerprint.
    key = base64.b64decode(settings.FIELD_ENCRYPTION_KEYS[0])
    nonce = os.urandom(12)
    v2 = bytes([2]) + crypto.newest_key_id() + nonce + AESGCM(key).encrypt(nonce, b"13812345678", CTX.encode())
    for blob in (aes, sm4, v2):
        assert crypto.decrypt(blob, context=CTX) == "13812345678"
    assert not crypto.is_current(v2)
    tampered = bytearray(sm4)
    tampered[-1] ^= 1
    with pytest.raises(InvalidTag):
        crypto.decrypt(bytes(tampered), context=CTX)


def test_sm4_gcm_matches_the_rfc_8998_test_vector() -> None:
    # RFC 8998 appendix A.1 (SM4-GCM).
    key = bytes.fromhex("0123456789ABCDEFFEDCBA9876543210")
    nonce = bytes.fromhex("00001234567800000000ABCD")
    aad = bytes.fromhex("FEEDFACEDEADBEEFFEEDFACEDEADBEEFABADDAD2")
    plain = bytes.fromhex("AAAAAAAAAAAAAAAABBBBBBBBBBBBBBBBCCCCCCCCCCCCCCCCDDDDDDDDDDDDDDDD"
                          "EEEEEEEEEEEEEEEEFFFFFFFFFFFFFFFFEEEEEEEEEEEEEEEEAAAAAAAAAAAAAAAA")
    sealed = crypto.SM4GCM(key).encrypt(nonce, plain, aad)
    assert sealed[-16:].hex().upper() == "83DE3541E4C2B58177E065A9BF7B62EC"
    assert crypto.SM4GCM(key).decrypt(nonce, sealed, aad) == plain


def test_the_blind_index_algorithm_is_a_setting(settings) -> None:
    sha = crypto.blind_index("540528199001011234", context=CTX)
    settings.BLIND_INDEX_ALG = "hmac-sm3"
    sm3 = crypto.blind_index("540528199001011234", context=CTX)
    assert sm3 != sha and len(sm3) == 64 and sm3 == crypto.blind_index(" 540528199001011234 ", context=CTX)
    settings.BLIND_INDEX_ALG = "md5"
    with pytest.raises(ValueError, match="JIUZHU_BLIND_INDEX_ALG"):
        crypto.blind_index("x", context=CTX)
