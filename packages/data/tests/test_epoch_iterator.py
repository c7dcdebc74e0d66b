# SPDX-License-Identifier: Apache-2.0
"""EpochIterator: epochs × steps over a PyDataset, arrays or a generator, with Keras's caps."""

from __future__ import annotations

import importlib.util
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).parent))
import cornu_data_testsets as sets
from cornu_data_testsets import Logged

import cornu_config
from cornu_data import EpochIterator

pytestmark = [
    pytest.mark.filterwarnings("ignore:Forking worker processes:RuntimeWarning"),
    pytest.mark.filterwarnings(r"ignore:os.fork\(\) was called:RuntimeWarning"),  # JAX's, when loaded
]


@pytest.fixture
def caps():
    yield
    cornu_config.set_max_epochs(None)
    cornu_config.set_max_steps_per_epoch(None)


def run(data, **kwargs):
    """Build the iterator and run it, recording warnings (the caps warn at construction)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = [(e, s, int(np.asarray(b).ravel()[0])) for e, s, b in EpochIterator(data, **kwargs)]
    ours = [w for w in caught if w.category is UserWarning]  # not JAX's fork warning, say
    assert all(w.filename == __file__ for w in ours), [w.filename for w in ours]
    return out, [str(w.message) for w in ours]


WORKERS = [
    pytest.param({}, id="in-thread"),
    pytest.param({"workers": 2}, id="threads"),
    pytest.param({"workers": 2, "use_multiprocessing": True}, id="processes"),
]


@pytest.mark.parametrize("kwargs", WORKERS)
def test_caps_limit_epochs_and_steps_with_keras_warnings(kwargs, caps):
    cornu_config.set_max_epochs(2)
    cornu_config.set_max_steps_per_epoch(3)
    ds = Logged(**kwargs)
    out, messages = run(ds, epochs=4)
    assert [(e, s) for e, s, _ in out] == [(0, 0), (0, 1), (0, 2), (1, 0), (1, 1), (1, 2)]
    assert [b for _, _, b in out] == [0, 1, 2, 0, 1, 2]
    assert "Limiting epochs to 2" in messages
    assert "Limiting steps_per_epoch to 3" in messages
    assert ds.log.count("begin") == 2
    assert ds.log.count("end") == 2


def test_caps_above_the_request_or_zero_do_nothing(caps):
    cornu_config.set_max_epochs(10)
    cornu_config.set_max_steps_per_epoch(50)
    out, messages = run(Logged(n=4), epochs=2, steps_per_epoch=4)
    assert len(out) == 8
    assert messages == []


def test_step_cap_applies_when_steps_per_epoch_is_unset(caps):
    cornu_config.set_max_steps_per_epoch(2)
    with pytest.warns(UserWarning, match="Limiting steps_per_epoch to 2"):
        it = EpochIterator(Logged(n=5), epochs=1)
    assert it.num_batches == 2


@pytest.mark.parametrize("kwargs", WORKERS)
def test_hooks_run_around_every_epoch(kwargs):
    ds = Logged(n=3, **kwargs)
    out, _ = run(ds, epochs=2)
    assert len(out) == 6
    hooks = [x for x in ds.log if isinstance(x, str)]
    assert hooks == ["begin", "end", "begin", "end"]


@pytest.mark.parametrize("kwargs", WORKERS)
def test_shuffle_is_the_same_order_in_every_worker_mode(kwargs):
    ds = Logged(n=12, **kwargs)
    out, _ = run(ds, epochs=2, shuffle=True, seed=4)
    first, second = [b for e, _, b in out if e == 0], [b for e, _, b in out if e == 1]
    assert sorted(first) == sorted(second) == list(range(12))
    assert first != second
    reference, _ = run(Logged(n=12), epochs=2, shuffle=True, seed=4)
    assert [b for _, _, b in reference] == first + second


def test_workers_stop_when_iteration_ends():
    import multiprocessing

    it = EpochIterator(Logged(n=4, workers=2, use_multiprocessing=True), epochs=2)
    assert len(list(it)) == 8
    assert multiprocessing.active_children() == []


def test_workers_stop_when_iteration_is_abandoned():
    import gc
    import multiprocessing

    stream = iter(EpochIterator(Logged(n=40, workers=2, use_multiprocessing=True), epochs=2))
    next(stream)
    assert len(multiprocessing.active_children()) == 2
    stream.close()
    del stream
    gc.collect()
    assert multiprocessing.active_children() == []


def test_arrays_are_batched_and_shuffled_per_epoch():
    x = np.arange(10)
    y = x * 10
    batches = [b for _, _, b in EpochIterator((x, y), epochs=1, batch_size=4)]
    assert [b[0].tolist() for b in batches] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    assert all((b[1] == b[0] * 10).all() for b in batches)
    shuffled = [b for _, _, b in EpochIterator({"x": x, "y": y}, epochs=2, batch_size=5, shuffle=True, seed=1)]
    assert sorted(np.concatenate([b["x"] for b in shuffled[:2]]).tolist()) == list(range(10))
    assert all((b["y"] == b["x"] * 10).all() for b in shuffled)
    assert shuffled[0]["x"].tolist() != shuffled[2]["x"].tolist()


def test_arrays_of_different_lengths_are_refused():
    with pytest.raises(ValueError, match="same length"):
        EpochIterator((np.zeros(3), np.zeros(4)))


def test_generator_is_one_stream_across_epochs_and_running_out_warns():
    out, messages = run(sets.counting_generator(5), epochs=3, steps_per_epoch=2)
    assert [(e, s, b) for e, s, b in out] == [(0, 0, 0), (0, 1, 1), (1, 0, 2), (1, 1, 3), (2, 0, 4)]
    assert any(m.startswith("Your input ran out of data") for m in messages)


def test_steps_beyond_a_finite_dataset_warn_and_stop():
    out, messages = run(Logged(n=3), epochs=3, steps_per_epoch=5)
    assert len(out) == 3
    assert any("ran out of data" in m for m in messages)


def test_infinite_dataset_needs_steps_and_continues():
    out, _ = run(sets.Infinite(), epochs=2, steps_per_epoch=3)
    assert [b for _, _, b in out] == [0, 1, 2, 3, 4, 5]


def test_initial_epoch():
    out, _ = run(Logged(n=2), epochs=3, initial_epoch=2)
    assert [e for e, _, _ in out] == [2, 2]


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [({"epochs": 0}, "epochs"), ({"steps_per_epoch": 0}, "steps_per_epoch"), ({"verbose": 3}, "verbose"),
     ({"initial_epoch": -1}, "initial_epoch"), ({"batch_size": 0}, "batch_size")],
)
def test_bad_arguments_name_themselves(kwargs, name):
    with pytest.raises(ValueError, match=f"Received: {name}="):
        EpochIterator(np.arange(4), **kwargs)


def test_unsupported_data_is_a_type_error():
    with pytest.raises(TypeError, match="Received: data=int"):
        EpochIterator(5)


@pytest.mark.skipif(importlib.util.find_spec("cornu_utils") is None, reason="cornu_utils not installed")
def test_progress_bar_when_asked(capsys):
    cornu_utils = pytest.importorskip("cornu_utils")
    if not hasattr(cornu_utils, "Progbar"):
        pytest.skip("cornu_utils.Progbar is not written yet")
    cornu_config.enable_interactive_logging()
    list(EpochIterator(Logged(n=3), epochs=2, verbose=2))
    out = capsys.readouterr().out
    assert "Epoch 1/2" in out
    assert "Epoch 2/2" in out
    assert out.count("3/3") == 2
