# SPDX-License-Identifier: Apache-2.0
"""The Sequence of Keras's documentation, in a module of its own: process workers started with
spawn or forkserver (the default once JAX or TensorFlow is loaded) import the class by name."""

from __future__ import annotations

import math

import numpy as np

import cornu


class CIFAR10Sequence(cornu.utils.Sequence):
    # keras.utils.Sequence / PyDataset docstring, with the image loading replaced by arrays.
    def __init__(self, x_set, y_set, batch_size, **kwargs):
        super().__init__(**kwargs)
        self.x, self.y = x_set, y_set
        self.batch_size = batch_size

    def __len__(self):
        return math.ceil(len(self.x) / self.batch_size)

    def __getitem__(self, idx):
        low = idx * self.batch_size
        high = min(low + self.batch_size, len(self.x))
        batch_x = self.x[low:high]
        batch_y = self.y[low:high]
        return np.array([img / 255.0 for img in batch_x]), np.array(batch_y)
