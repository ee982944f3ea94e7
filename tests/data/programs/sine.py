# SPDX-License-Identifier: MIT
# sum(sin(x)) at x ~ 1e6 served as a program (aliasing.json): a black box for gradcheck, with no
# complex extension, where the central rule's step h = 6.06e-6 |x| is ~2 pi, so that D(h) and
# D(2h) agree with each other far from the truth. g is the right gradient, g_aliased what those
# differences say (cos(x) sin(h) / h). f32 and g32: the same in float32 code (its inputs rounded
# to float32, aliasing-far.json).
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "python"))
from gradcheck_program import Program  # noqa: E402

program = Program()


@program.function
def f(x):
    return np.sum(np.sin(x))


@program.function
def g(x):
    return np.cos(x)


@program.function
def g_aliased(x):
    h = 6.0554544523933395e-06 * np.abs(x)
    return np.cos(x) * np.sin(h) / h


@program.function
def f32(x):
    return np.sum(np.sin(x.astype(np.float32)), dtype=np.float32)


@program.function
def g32(x):
    return np.cos(x.astype(np.float32))


program.serve()
