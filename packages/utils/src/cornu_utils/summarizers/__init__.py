# SPDX-License-Identifier: Apache-2.0
"""One summarizer per model kind, imported only when a model of that kind arrives.

The kind is read from the names and modules of the model's classes (its MRO), so finding it
never imports a framework. Each ``cornu_utils.summarizers.<kind>`` module provides
``summarize(model, example_inputs) -> Summary`` and
``graph(model, expand_nested, example_inputs) -> Graph``.

Example:
    >>> from cornu_utils.summarizers import kind_of
    >>> kind_of({"w": [1.0]}), kind_of(3)
    ('jax', None)
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any

__all__ = ["KINDS", "kind_of", "load"]

KINDS = ("keras", "torch", "tensorflow", "jax")
_PYTREE_ROOTS = frozenset({"jax", "jaxlib", "flax", "equinox", "haiku", "optax", "numpy"})
_KERAS_ROOTS = frozenset({"keras", "tf_keras"})


def _classes(model: Any) -> list[tuple[str, str]]:
    return [(getattr(c, "__module__", "") or "", c.__name__) for c in type(model).__mro__]


def kind_of(model: Any) -> str | None:
    """The summarizer for ``model``: ``"keras"``, ``"torch"``, ``"tensorflow"``, ``"jax"``, or None.

    Keras is checked first: Keras layers on the torch backend are ``torch.nn.Module``s too.

    Example:
        >>> kind_of(({"w": [0.0]}))
        'jax'
    """
    classes = _classes(model)
    for module, name in classes:
        root = module.split(".", 1)[0]
        if name in ("Layer", "Operation") and (
            root in _KERAS_ROOTS or module.startswith("tensorflow.python.keras")
        ):
            return "keras"
    for module, name in classes:
        if name == "Module" and module == "torch.nn.modules.module":
            return "torch"
    for module, name in classes:
        if name == "Module" and module == "tensorflow.python.module.module":
            return "tensorflow"
    if isinstance(model, (dict, list, tuple)):
        return "jax"
    if hasattr(model, "apply_fn") and hasattr(model, "params"):
        return "jax"
    if any(m.split(".", 1)[0] in _PYTREE_ROOTS for m, _ in classes[:-1]):
        return "jax"
    return None


def load(kind: str) -> ModuleType:
    """Import and return ``cornu_utils.summarizers.<kind>``.

    Example:
        >>> load("jax").__name__
        'cornu_utils.summarizers.jax'
    """
    if kind not in KINDS:
        raise ValueError(f"`kind` must be one of {KINDS}. Received: kind={kind!r}")
    return importlib.import_module(f"{__name__}.{kind}")
