# SPDX-License-Identifier: Apache-2.0
"""Property test: any nesting of the built-in kinds survives serialize -> JSON -> deserialize
with every value and every type (tuple stays tuple, int key stays int key, bytes stay bytes)."""

from __future__ import annotations

import json

import pytest

from cornu_utils import deserialize, serialize


def through_json(obj):
    return deserialize(json.loads(json.dumps(serialize(obj))))


hypothesis = pytest.importorskip("hypothesis")
st = hypothesis.strategies

_leaves = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(max_size=8)
    | st.binary(max_size=8)
    | st.complex_numbers(allow_nan=False, allow_infinity=False)
)
_values = st.recursive(
    _leaves,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.tuples(inner, inner)
        | st.dictionaries(st.text(max_size=6), inner, max_size=4)
        | st.dictionaries(st.integers() | st.text(max_size=3), inner, max_size=4)
        | st.fixed_dictionaries({"class_name": inner, "config": inner})
    ),
    max_leaves=20,
)


def same(a, b):
    """Equal and of the same type all the way down (``1 == 1.0 == True`` is not enough)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return (
            list(a) == list(b)
            and all(same(a[k], b[k]) for k in a)
            and all(type(k) is type(j) for k, j in zip(a, b))
        )
    return a == b


@hypothesis.settings(max_examples=150, deadline=None)
@hypothesis.given(_values)
def test_any_nesting_of_builtin_kinds_round_trips_through_json(value):
    assert same(through_json(value), value)
