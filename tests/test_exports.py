# SPDX-License-Identifier: Apache-2.0
"""Every public name resolves; dir() lists the API; the umbrella's lazy table imports."""

from __future__ import annotations

import importlib

import pytest
from cornu_testing import PACKAGES


@pytest.mark.parametrize("module", sorted(PACKAGES.values()))
def test_every_name_in_all_resolves(module):
    mod = importlib.import_module(module)
    assert "__version__" in mod.__all__
    assert len(set(mod.__all__)) == len(mod.__all__), "duplicates in __all__"
    for name in mod.__all__:
        assert getattr(mod, name) is not None, f"{module}.{name}"


@pytest.mark.parametrize("module", sorted(PACKAGES.values()))
def test_dir_lists_the_public_api(module):
    mod = importlib.import_module(module)
    assert sorted(dir(mod)) == sorted(mod.__all__)


def test_umbrella_lazy_table_matches_all():
    import cornu

    assert set(cornu.__all__) == {"__version__", *cornu._dynamic_imports}


def test_umbrella_unknown_name_is_a_clear_attribute_error():
    import cornu

    with pytest.raises(AttributeError, match="module 'cornu' has no attribute 'nothing_here'"):
        cornu.nothing_here  # noqa: B018
