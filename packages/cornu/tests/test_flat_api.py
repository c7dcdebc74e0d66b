# SPDX-License-Identifier: Apache-2.0
"""The umbrella's flat API: cornu.config mirrors cornu_config and reports the umbrella version."""

from __future__ import annotations

import cornu
import cornu_config


def test_config_facade_exports_every_cornu_config_function():
    missing = {n for n in cornu_config.__all__ if not n.startswith("_")} - set(cornu.config.__all__)
    # Internals for other packages stay out of the flat API on purpose.
    assert missing == {"SessionState", "filter_traceback", "get_uid", "print_msg", "register_session_state"}


def test_config_facade_is_the_same_functions():
    assert cornu.config.floatx is cornu_config.floatx
    assert cornu.clear_session is cornu_config.clear_session


def test_version_is_the_umbrellas():
    assert cornu.config.version() == cornu.__version__
