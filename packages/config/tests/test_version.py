# SPDX-License-Identifier: Apache-2.0
from __future__ import annotations

import re

import cornu_config as cc


def test_version_is_a_pep440_string_equal_to_dunder():  # T-VER-01/02
    assert isinstance(cc.version(), str)
    assert cc.version() == cc.__version__
    assert re.fullmatch(r"\d+\.\d+\.\d+(\.dev\d+|rc\d+)?", cc.version())


def test_every_public_name_resolves():
    for name in cc.__all__:
        assert getattr(cc, name) is not None
    assert sorted(dir(cc)) == sorted(cc.__all__)
