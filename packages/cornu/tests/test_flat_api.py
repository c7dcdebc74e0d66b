# SPDX-License-Identifier: Apache-2.0
"""The umbrella's flat API: every lazy name resolves to the package's own object."""

from __future__ import annotations

import subprocess
import sys

import pytest

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


def test_top_level_names():
    import cornu_device

    assert cornu.device is cornu_device.device
    assert cornu.name_scope is cornu_device.name_scope
    assert sorted(dir(cornu)) == sorted(cornu.__all__)


@pytest.mark.parametrize("name", sorted(cornu.utils._dynamic_imports))
def test_every_utils_name_is_the_packages_object(name):
    import importlib

    module_name, attr = cornu.utils._dynamic_imports[name]
    assert getattr(cornu.utils, name) is getattr(importlib.import_module(module_name), attr)


def test_keras2_utils_names_are_all_there():
    keras2 = {
        "to_categorical", "normalize", "get_file", "CustomObjectScope", "custom_object_scope",
        "get_custom_objects", "register_serializable", "HDF5Matrix", "Sequence", "PyDataset",
        "multi_gpu_model", "print_summary", "plot_model", "Progbar", "clear_session",
    }
    assert keras2 <= set(cornu.utils.__all__)


@pytest.mark.parametrize("facade", ["data", "parallel"])
def test_data_and_parallel_facades_mirror_their_package(facade):
    import importlib

    package = importlib.import_module(f"cornu_{facade}")
    mod = getattr(cornu, facade)
    assert sorted(dir(mod)) == sorted(package.__all__)
    for name in package.__all__:
        assert getattr(mod, name) is getattr(package, name)
    with pytest.raises(AttributeError, match=f"cornu.{facade}"):
        mod.no_such_name  # noqa: B018


def test_using_a_name_loads_only_what_it_needs():
    code = (
        "import sys, cornu; cornu.utils.to_categorical;"
        "print(sorted(m for m in ('cornu_data','cornu_parallel','torch','jax','tensorflow') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("facade", ["data", "parallel"])
def test_a_missing_package_says_what_to_install(facade):
    # As where only the umbrella and some pieces are installed: the package cannot be imported.
    code = (
        "import sys; sys.modules['cornu_" + facade + "'] = None\n"
        "import cornu\n"
        "try:\n"
        "    cornu." + facade + ".anything\n"
        "except ImportError as e:\n"
        "    print(e)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    dist = f"cornu-{facade}"
    assert out.stdout.strip() == (
        f"cornu.{facade} needs the package '{dist}', which is not installed: pip install {dist}"
    )
