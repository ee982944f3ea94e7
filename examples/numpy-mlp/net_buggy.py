# SPDX-License-Identifier: MIT
# net.py's twin with the bugs people write (mlp_buggy.json expects each to fail, with its
# diagnosis):
#   grad_W2  forgets the 1/N of the mean             -> scale (N times the truth)
#   grad_W1  returns X dZ1' instead of dZ1 X'          -> layout-transposed
#   grad_b1  uses tanh' = 1 - A1 instead of 1 - A1^2   -> wrong, no simpler cause
#   grad_b2  subtracts the other way round, Y - Z2      -> sign
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "python"))
from gradcheck_program import Program  # noqa: E402

program = Program()


def forward(W1, b1, W2, b2, X):
    A1 = np.tanh(W1 @ X + b1)
    return A1, W2 @ A1 + b2


@program.function
def loss(W1, b1, W2, b2, X, Y):
    _, Z2 = forward(W1, b1, W2, b2, X)
    return np.sum((Z2 - Y) ** 2) / (2 * X.shape[1])


@program.function
def grad_W2(W1, b1, W2, b2, X, Y):
    A1, Z2 = forward(W1, b1, W2, b2, X)
    return (Z2 - Y) @ A1.T  # bug: the 1/N is missing


@program.function
def grad_W1(W1, b1, W2, b2, X, Y):
    A1, Z2 = forward(W1, b1, W2, b2, X)
    dZ1 = (W2.T @ (Z2 - Y) / X.shape[1]) * (1 - A1 ** 2)
    return X @ dZ1.T  # bug: the transpose of dZ1 X'


@program.function
def grad_b1(W1, b1, W2, b2, X, Y):
    A1, Z2 = forward(W1, b1, W2, b2, X)
    dZ1 = (W2.T @ (Z2 - Y) / X.shape[1]) * (1 - A1)  # bug: tanh' is 1 - A1^2
    return dZ1.sum(axis=1, keepdims=True)


@program.function
def grad_b2(W1, b1, W2, b2, X, Y):
    _, Z2 = forward(W1, b1, W2, b2, X)
    return ((Y - Z2) / X.shape[1]).sum(axis=1, keepdims=True)  # bug: the sign


if __name__ == "__main__":
    program.serve()
