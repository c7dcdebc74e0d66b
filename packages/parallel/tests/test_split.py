# SPDX-License-Identifier: Apache-2.0
"""Splitting a batch the Keras 2 way and merging outputs in order (framework-free)."""

from __future__ import annotations

import collections

import numpy as np
import pytest

from cornu_parallel._split import batch_size, merge_outputs, part_bounds, split_inputs, split_sizes


@pytest.mark.parametrize(
    ("batch", "parts", "sizes"),
    [(64, 2, [32, 32]), (65, 2, [32, 33]), (10, 3, [3, 3, 4]), (3, 4, [0, 0, 0, 3]), (0, 3, [0, 0, 0])],
)
def test_split_sizes_follow_keras2_last_part_takes_remainder(batch, parts, sizes):
    # T-MG-05
    assert split_sizes(batch, parts) == sizes
    x = np.arange(batch)
    pieces = [x[a:b] for a, b in part_bounds(batch, parts)]
    assert [len(p) for p in pieces] == sizes
    np.testing.assert_array_equal(np.concatenate(pieces), x)


@pytest.mark.parametrize(("batch", "parts"), [(5, 0), (-1, 2)])
def test_split_sizes_rejects_bad_sizes(batch, parts):
    with pytest.raises(ValueError, match="Received"):
        split_sizes(batch, parts)


def test_split_inputs_cuts_every_array_in_nested_structures_and_broadcasts_the_rest():
    Pair = collections.namedtuple("Pair", "a b")
    x, z = np.arange(10).reshape(5, 2), np.arange(5)
    parts = split_inputs((x, {"z": z, "t": Pair(z, "tag")}), {"w": z, "flag": True, "c": np.float32(3)}, 2)
    assert [k for k, _, _ in parts] == [0, 1]
    (_, args0, kw0), (_, args1, kw1) = parts
    np.testing.assert_array_equal(args0[0], x[:2])
    np.testing.assert_array_equal(args1[1]["z"], z[2:])
    assert isinstance(args1[1]["t"], Pair)
    assert args1[1]["t"].b == "tag"
    np.testing.assert_array_equal(args1[1]["t"].a, z[2:])
    np.testing.assert_array_equal(kw1["w"], z[2:])
    assert kw0["flag"] is True
    assert kw1["c"] == np.float32(3)


def test_split_inputs_skips_empty_parts_but_runs_one_for_an_empty_batch():
    parts = split_inputs((np.arange(3),), {}, 4)
    assert [k for k, _, _ in parts] == [3]
    empty = split_inputs((np.zeros((0, 2)),), {}, 3)
    assert [k for k, _, _ in empty] == [2]
    assert empty[0][1][0].shape == (0, 2)


def test_batch_size_needs_one_array_and_equal_sizes():
    assert batch_size((np.zeros((4, 1)), [np.zeros(4)])) == 4
    with pytest.raises(ValueError, match=r"same batch size.*Received: batch sizes=\[3, 4\]"):
        batch_size((np.zeros(3), np.zeros(4)))
    with pytest.raises(ValueError, match="at least one array with a batch axis"):
        batch_size((1.0, "text"))


def test_merge_outputs_concatenates_leaves_in_replica_order():
    outs = [{"a": np.array([1]), "b": (np.array([[1, 1]]), None)}, {"a": np.array([2, 3]), "b": (np.array([[2, 2]]), None)}]
    merged = merge_outputs(outs, np.concatenate)
    np.testing.assert_array_equal(merged["a"], [1, 2, 3])
    np.testing.assert_array_equal(merged["b"][0], [[1, 1], [2, 2]])
    assert merged["b"][1] is None


def test_merge_outputs_rejects_scalars_and_mismatched_structures():
    with pytest.raises(ValueError, match="batch axis"):
        merge_outputs([np.float32(1.0), np.float32(2.0)], np.concatenate)
    with pytest.raises(ValueError, match="batch axis"):
        merge_outputs([np.float32(1.0)], np.concatenate)
    with pytest.raises(ValueError, match="same structure"):
        merge_outputs([(np.zeros(1),), (np.zeros(1), np.zeros(1))], np.concatenate)


def test_split_inputs_of_plain_positional_arrays_keeps_the_same_rules():
    # model(x, scale): the common call takes a shorter path; same parts, same errors
    x = np.arange(10)
    parts = split_inputs((x, 2.0), {}, 3)
    assert [(k, a[0].tolist(), a[1], kw) for k, a, kw in parts] == [
        (0, [0, 1, 2], 2.0, {}), (1, [3, 4, 5], 2.0, {}), (2, [6, 7, 8, 9], 2.0, {})
    ]
    with pytest.raises(ValueError, match=r"same batch size.*Received: batch sizes=\[3, 4\]"):
        split_inputs((np.zeros(3), np.zeros(4)), {}, 2)
    with pytest.raises(ValueError, match="at least one array with a batch axis"):
        split_inputs((1.0, "text"), {}, 2)


def test_merge_outputs_of_single_arrays():
    np.testing.assert_array_equal(merge_outputs([np.array([1]), np.array([2, 3])], np.concatenate), [1, 2, 3])
    assert merge_outputs([None, None], np.concatenate) is None
    with pytest.raises(ValueError, match="batch axis"):
        merge_outputs([np.zeros(1), None], np.concatenate)
