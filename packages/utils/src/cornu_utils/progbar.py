# SPDX-License-Identifier: Apache-2.0
"""``Progbar``: Keras's progress bar, which also behaves in log files, CI and notebooks.

On a terminal (or in a notebook) the bar is redrawn in place with ``\\r`` in Keras 3's format.
Anywhere else (a file, a pipe, CI, SLURM) it writes plain lines, at most one per
``log_interval``, so logs never fill with carriage returns. With interactive logging off
(``cornu_config.disable_interactive_logging()``) the same plain lines go to the ``cornu`` logger.
"""

from __future__ import annotations

import math
import numbers
import os
import re
import sys
import time
from typing import Any

from cornu_config import is_interactive_logging_enabled, print_msg

__all__ = ["Progbar"]

_BOLD, _GREEN, _GREY, _RESET = "\x1b[1m", "\x1b[32m", "\x1b[37m", "\x1b[0m"
_clock = time.monotonic  # seconds; a module attribute so tests can drive a fake clock
_ANSI = re.compile("\x1b\\[[0-9;]*m")


def _check_number(name: str, value: Any, *, allow_none: bool = False, integer: bool = False) -> Any:
    if value is None and allow_none:
        return None
    kind = numbers.Integral if integer else numbers.Real
    if not isinstance(value, kind) or isinstance(value, bool) or not value >= 0:
        what = "an integer" if integer else "a number"
        extra = " or None" if allow_none else ""
        raise ValueError(f"`{name}` must be {what} >= 0{extra}. Received: {name}={value!r}")
    return value


def _number(name: str, value: Any) -> float:
    """A metric value as a float: numbers, 0-d tensors, or the mean of an array or list."""
    if isinstance(value, numbers.Real) or getattr(value, "shape", None) in ((), []):
        try:
            return float(value)
        except (TypeError, ValueError):
            pass
    try:
        import numpy as np

        return float(np.mean(np.asarray(value, dtype=np.float64)))
    except (TypeError, ValueError):
        mean = getattr(value, "mean", None)  # a tensor on an accelerator
        if mean is not None:
            try:
                return float(value.float().mean() if hasattr(value, "float") else mean())
            except (TypeError, ValueError, RuntimeError):
                pass
    raise ValueError(
        f"Metric values must be numbers, arrays or tensors. Received: values=[({name!r}, {value!r})]"
    )


def _format_time(seconds: float, unit_name: str) -> str:
    """Keras's time per unit: ``" 2s/step"``, ``" 12ms/step"``, ``" 50us/step"``."""
    if seconds >= 1 or seconds == 0:
        return f" {seconds:.0f}s/{unit_name}"
    if seconds >= 1e-3:
        return f" {seconds * 1e3:.0f}ms/{unit_name}"
    return f" {seconds * 1e6:.0f}us/{unit_name}"


def _format_eta(eta: float) -> str:
    if eta > 3600:
        return f"{eta // 3600:.0f}:{(eta % 3600) // 60:02.0f}:{eta % 60:02.0f}"
    if eta > 60:
        return f"{eta // 60:.0f}:{eta % 60:02.0f}"
    return f"{eta:.0f}s"


def _format_value(value: float) -> str:
    # Keras's verbose=2 tests ``value > 1e-3`` (so negatives print in e-notation); cornu uses abs.
    return f"{value:.4f}" if abs(value) > 1e-3 else f"{value:.4e}"


def _can_encode(stream: Any, text: str) -> bool:
    encoding = getattr(stream, "encoding", None) or "ascii"
    try:
        text.encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def _is_dynamic(stream: Any) -> bool:
    """True where ``\\r`` redraws in place: a terminal, or a Jupyter kernel."""
    try:
        if stream.isatty():
            return os.environ.get("TERM") != "dumb"
    except (AttributeError, ValueError):
        pass
    return "ipykernel" in sys.modules


class Progbar:
    """A progress bar with Keras's API and output format.

    Args:
        target: total number of steps, or ``None`` (or 0) when unknown.
        width: width of the bar in characters.
        verbose: 0 silent, 1 a bar (or plain lines when not on a terminal), 2 one line at the end.
        interval: minimum seconds between two redraws of the bar on a terminal.
        stateful_metrics: names of metrics shown as passed; every other metric is averaged
            over steps. Give this or ``stateless_metrics``, not both.
        unit_name: what a step is called in the time per unit (``"step"``, ``"sample"``).
        stateless_metrics: names of metrics that are averaged; every other one is shown as
            passed (Keras 3.16's inverse of ``stateful_metrics``).
        log_interval: minimum seconds between two plain lines when the output is not a
            terminal (a file, a pipe, the ``cornu`` logger). Default: 10 seconds, or 0 when
            ``interval`` is 0 (every update).

    Example:
        >>> import cornu_utils
        >>> bar = cornu_utils.Progbar(3, verbose=2)
        >>> for step in range(1, 4):
        ...     bar.update(step, values=[("loss", 0.5)])  # doctest: +ELLIPSIS
        3/3 - 0s - ...s/step - loss: 0.5000
    """

    def __init__(
        self,
        target: int | None,
        width: int = 20,
        verbose: int = 1,
        interval: float = 0.05,
        stateful_metrics: Any = None,
        unit_name: str = "step",
        *,
        stateless_metrics: Any = None,
        log_interval: float | None = None,
    ) -> None:
        if stateful_metrics is not None and stateless_metrics is not None:
            raise ValueError(
                "Only one of `stateful_metrics` or `stateless_metrics` can be provided: the first "
                "lists metrics shown as passed (others are averaged), the second lists metrics "
                f"that are averaged. Received: stateful_metrics={stateful_metrics!r}, "
                f"stateless_metrics={stateless_metrics!r}"
            )
        if verbose not in (0, 1, 2) or isinstance(verbose, bool):
            raise ValueError(f"`verbose` must be 0, 1 or 2. Received: verbose={verbose!r}")
        self.target = _check_number("target", target, allow_none=True)
        self.width = _check_number("width", width, integer=True)
        self.verbose = verbose
        self.interval = _check_number("interval", interval)
        if log_interval is None:
            log_interval = 0.0 if interval == 0 else max(10.0, interval)
        self.log_interval = _check_number("log_interval", log_interval)
        if not isinstance(unit_name, str):
            raise ValueError(f"`unit_name` must be a string. Received: unit_name={unit_name!r}")
        self.unit_name = unit_name
        self.stateful_metrics = set(stateful_metrics) if stateful_metrics is not None else None
        self.stateless_metrics = set(stateless_metrics) if stateless_metrics is not None else None
        if self.stateful_metrics is None and self.stateless_metrics is None:
            self.stateful_metrics = set()
        self._values: dict[str, list[float]] = {}  # name -> [weighted sum, weight], in first-seen order
        self._seen_so_far = 0
        self._start = _clock()
        self._last_update: float | None = None  # when a line was last written
        self._time_after_first_step: float | None = None
        self._prev_total_width = 0

    def _averaged(self, name: str) -> bool:
        if self.stateful_metrics is not None:
            return name not in self.stateful_metrics
        return name in self.stateless_metrics

    def update(self, current: int, values: Any = None, finalize: bool | None = None) -> None:
        """Move the bar to step ``current``.

        Args:
            current: index of the current step (not an increment; see :meth:`add`).
            values: ``(name, value)`` pairs for the last step. Averaged metrics are weighted by
                the steps since the previous update; on the final update the value passed is
                shown as is (Keras 3 expects an already averaged value then).
            finalize: whether this is the last update; ``None`` means ``current >= target``.
        """
        if finalize is None:
            finalize = self.target is not None and current >= self.target
        for name, raw in values or ():
            value = _number(name, raw)
            if self._averaged(name) and not finalize:
                weight = max(current - self._seen_so_far, 1)
                acc = self._values.setdefault(name, [0.0, 0])
                acc[0] += value * weight
                acc[1] += weight
            else:
                self._values[name] = [value, 1]
        self._seen_so_far = current
        now = _clock()
        per_unit = self._estimate_step_duration(current, now)
        if self.verbose == 1:
            self._show_bar(current, now, per_unit, finalize)
        elif self.verbose == 2 and finalize and self.target:
            digits = int(math.log10(self.target)) + 1
            line = f"{current:{digits}d}/{self.target} - {now - self._start:.0f}s -"
            line += _format_time(per_unit, self.unit_name) + self._metrics()
            print_msg(line + "\n", line_break=False)
            self._last_update = now

    def add(self, n: int, values: Any = None) -> None:
        """Advance the bar by ``n`` steps (``update(seen_so_far + n, values)``)."""
        self.update(self._seen_so_far + n, values)

    def _metrics(self) -> str:
        return "".join(
            f" - {name}: {_format_value(total / max(1, count))}" for name, (total, count) in self._values.items()
        )

    def _show_bar(self, current: int, now: float, per_unit: float, finalize: bool) -> None:
        interactive = is_interactive_logging_enabled()
        stream = sys.stdout
        dynamic = interactive and _is_dynamic(stream)
        first = self._last_update is None
        if not (first or finalize) and now - self._last_update < (self.interval if dynamic else self.log_interval):
            return
        unicode = interactive and _can_encode(stream, "━─")
        color = dynamic and "NO_COLOR" not in os.environ
        if self.target:
            digits = int(math.log10(self.target)) + 1
            count = f"{current:{digits}d}/{self.target}"
            done = min(self.width, max(0, int(self.width * current / self.target)))
            if unicode and color:
                bar = f"{_GREEN}{'━' * done}{_RESET}" if done else ""
                bar += f"{_GREY}{'━' * (self.width - done)}{_RESET}"
            elif unicode:
                bar = "━" * done + "─" * (self.width - done)
            else:
                arrow = ">" if 0 < done < self.width else ""
                bar = "=" * (done - len(arrow)) + arrow + "." * (self.width - done)
            head = (f"{_BOLD}{count}{_RESET} " if color else f"{count} ") + bar
        else:
            head = f"{current:7d}/Unknown"
        if self.target and not finalize:
            clock = _format_eta(per_unit * (self.target - current))
        else:
            clock = f"{now - self._start:.0f}s"
        info = (f" {_BOLD}{clock}{_RESET}" if color else f" {clock}") + _format_time(per_unit, self.unit_name)
        info += self._metrics()
        if dynamic:
            width = len(_ANSI.sub("", head + info))
            message = "\r" + head + info + " " * max(0, self._prev_total_width - width)
            self._prev_total_width = width
            print_msg(message + ("\n" if finalize else ""), line_break=False)
        else:
            print_msg(head + info, line_break=True)
        self._last_update = now

    def _estimate_step_duration(self, current: int, now: float) -> float:
        """Seconds per step; the first step (often slow: compilation, warm-up) is left out."""
        if not current:
            return 0.0
        if self._time_after_first_step is not None and current > 1:
            per_unit = (now - self._time_after_first_step) / (current - 1)
        else:
            per_unit = (now - self._start) / current
        if current == 1:
            self._time_after_first_step = now
        return per_unit
