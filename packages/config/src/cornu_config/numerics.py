# SPDX-License-Identifier: Apache-2.0
"""Numerical defaults: ``floatx``, ``epsilon`` and ``image_data_format`` (process-wide)."""

from __future__ import annotations

from cornu_config import _store

__all__ = ["epsilon", "floatx", "image_data_format", "set_epsilon", "set_floatx", "set_image_data_format"]


def floatx() -> str:
    """The default float type: ``"float32"`` unless set, as a string.

    Example:
        >>> from cornu_config import floatx
        >>> floatx()
        'float32'
    """
    return _store.get("floatx")


def set_floatx(value: str) -> None:
    """Set the default float type.

    Args:
        value: one of ``"bfloat16"``, ``"float16"``, ``"float32"``, ``"float64"`` (exact case).

    Raises:
        ValueError: for any other value or type.

    Example:
        >>> from cornu_config import floatx, set_floatx
        >>> set_floatx("float64"); floatx()
        'float64'
        >>> set_floatx("float32")
    """
    _store.set_value("floatx", value)


def epsilon() -> float:
    """The fuzz factor used in numeric expressions; ``1e-07`` unless set.

    Example:
        >>> from cornu_config import epsilon
        >>> epsilon()
        1e-07
    """
    return _store.get("epsilon")


def set_epsilon(value: float) -> None:
    """Set the fuzz factor.

    Args:
        value: a positive, finite real number (``int`` or ``float``; not ``bool``).

    Raises:
        ValueError: for zero, negative, infinite, NaN or non-numeric values.

    Example:
        >>> from cornu_config import epsilon, set_epsilon
        >>> set_epsilon(1e-5); epsilon()
        1e-05
        >>> set_epsilon(1e-7)
    """
    _store.set_value("epsilon", value)


def image_data_format() -> str:
    """The default image layout: ``"channels_last"`` unless set.

    Example:
        >>> from cornu_config import image_data_format
        >>> image_data_format()
        'channels_last'
    """
    return _store.get("image_data_format")


def set_image_data_format(data_format: str) -> None:
    """Set the default image layout.

    Args:
        data_format: ``"channels_first"`` or ``"channels_last"``, in any case; stored lower-case.

    Raises:
        ValueError: for any other value.

    Example:
        >>> from cornu_config import image_data_format, set_image_data_format
        >>> set_image_data_format("CHANNELS_FIRST"); image_data_format()
        'channels_first'
        >>> set_image_data_format("channels_last")
    """
    _store.set_value("image_data_format", data_format)
