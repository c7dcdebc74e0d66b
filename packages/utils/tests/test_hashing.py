# SPDX-License-Identifier: Apache-2.0
"""hash_file / validate_file: Keras's known values, prefixes, lengths, case, bad input; doctests."""

from __future__ import annotations

import doctest
import hashlib

import pytest

from cornu_utils import files as files_mod
from cornu_utils import hash_file, validate_file

HELLO_SHA256 = "dffd6021bb2bd5b0af676290809ec3a53191dd81c7f70a4b28688a362182986f"
HELLO_MD5 = "65a8e27d8879283831b664bd8b7f0ad4"


@pytest.fixture
def hello(tmp_path):
    path = tmp_path / "hello.txt"
    path.write_bytes(b"Hello, World!")
    return path


def test_known_values_like_keras(hello):
    assert hash_file(hello) == HELLO_SHA256
    assert hash_file(str(hello), "md5") == HELLO_MD5
    assert hash_file(hello, "auto") == HELLO_MD5  # Keras: "auto" with no hash to measure is md5
    assert hash_file(hello, "SHA512") == hashlib.sha512(b"Hello, World!").hexdigest()
    assert hash_file(hello, "blake2b", chunk_size=3) == hashlib.blake2b(b"Hello, World!").hexdigest()
    assert hash_file(hello, hashlib.sha1()) == hashlib.sha1(b"Hello, World!").hexdigest()


def test_large_file_in_chunks(tmp_path):
    data = bytes(range(256)) * 5000
    path = tmp_path / "big.bin"
    path.write_bytes(data)
    assert hash_file(path, "sha256", chunk_size=4097) == hashlib.sha256(data).hexdigest()


def test_validate_prefixes_lengths_and_case(hello):
    assert validate_file(hello, HELLO_SHA256)
    assert validate_file(hello, HELLO_SHA256.upper())  # Keras compares case-sensitively
    assert validate_file(hello, HELLO_MD5)
    assert validate_file(hello, "sha256:" + HELLO_SHA256)
    assert validate_file(hello, "MD5:" + HELLO_MD5.upper())
    assert validate_file(hello, "sha512:" + hashlib.sha512(b"Hello, World!").hexdigest())
    assert validate_file(hello, hashlib.sha512(b"Hello, World!").hexdigest())  # 128 digits: sha512
    assert validate_file(hello, "blake2b:" + hashlib.blake2b(b"Hello, World!").hexdigest())
    assert validate_file(hello, HELLO_MD5, algorithm="md5")
    assert not validate_file(hello, "0" * 64)
    assert not validate_file(hello, "md5:" + "f" * 32)


def test_validate_rejects_malformed_hashes(hello):
    with pytest.raises(ValueError, match=r"sha256 hex digest of 64.*Received: file_hash='sha256:abc'"):
        validate_file(hello, "sha256:abc")
    with pytest.raises(ValueError, match=r"md5 hex digest of 32"):
        validate_file(hello, HELLO_SHA256, algorithm="md5")  # a sha256 digest checked as md5 never matches
    with pytest.raises(ValueError, match=r"Received: file_hash='zz"):
        validate_file(hello, "zz" * 16)
    with pytest.raises(ValueError, match=r"Received: file_hash='rot13:"):
        validate_file(hello, "rot13:" + HELLO_MD5)
    with pytest.raises(ValueError, match=r"Received: algorithm='random_value'"):
        hash_file(hello, "random_value")
    with pytest.raises(ValueError, match=r"Received: chunk_size=0"):
        hash_file(hello, chunk_size=0)


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        hash_file(tmp_path / "missing")


def test_docstring_examples_run():
    result = doctest.testmod(files_mod, optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 10
    assert result.failed == 0
