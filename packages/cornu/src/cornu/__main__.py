# SPDX-License-Identifier: Apache-2.0
"""``python -m cornu`` is the ``cornu`` command."""

import sys

from cornu.cli import main

sys.exit(main())
