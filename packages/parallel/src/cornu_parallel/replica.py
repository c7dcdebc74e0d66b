# SPDX-License-Identifier: Apache-2.0
"""``ReplicatedModel``: what ``replicate`` returns — a runner that keeps the template model.

Calling it splits the batch over the replicas and merges their outputs; everything else
(``state_dict``, ``load_state_dict``, ``save``, ``save_weights``, ``parameters``,
``trainable_variables`` ...) is the template's own, so a checkpoint written from the replicated
model is the single-device model's checkpoint: no ``module.`` prefixes, no wrapper layers.
"""

from __future__ import annotations

from typing import Any

__all__ = ["ReplicatedModel"]


class ReplicatedModel:
    """A model replicated over devices; attribute access falls through to the template.

    Attributes:
        model: the template model (its weights are the only weights; replicas share them).
        devices: the replica devices, cornu names (``("cpu:0", "cpu:1")``).
        merge_device: where outputs are concatenated (a cornu name).
        backend: ``"numpy"``, ``"torch"``, ``"jax"`` or ``"tensorflow"``.

    Example:
        >>> from cornu_parallel import ReplicatedModel, replicate
        >>> def double(x):
        ...     return x * 2
        >>> rep = replicate(double)
        >>> isinstance(rep, ReplicatedModel), rep.model is double
        (True, True)
    """

    backend = "numpy"

    def __init__(self, model: Any, devices: list[str], merge_device: str) -> None:
        object.__setattr__(self, "_model", model)
        object.__setattr__(self, "devices", tuple(devices))
        object.__setattr__(self, "merge_device", merge_device)

    @property
    def model(self) -> Any:
        """The template model."""
        return self._model

    def __call__(self, *args: Any, **kwargs: Any) -> Any:  # pragma: no cover - overridden
        raise NotImplementedError

    def __getattr__(self, name: str) -> Any:
        # Only reached when normal lookup fails: delegate to the template.
        if name.startswith("__") or name == "_model":
            raise AttributeError(name)
        try:
            model = object.__getattribute__(self, "_model")
        except AttributeError:
            raise AttributeError(name) from None
        return getattr(model, name)

    def __setattr__(self, name: str, value: Any) -> None:
        if name.startswith("_") or hasattr(type(self), name):
            object.__setattr__(self, name, value)
        else:  # e.g. `rep.trainable = False` sets the template's attribute
            setattr(self._model, name, value)

    def __repr__(self) -> str:
        return (
            f"<{type(self).__name__} backend={self.backend!r} devices={list(self.devices)} "
            f"merge_device={self.merge_device!r} model={type(self._model).__name__}>"
        )
