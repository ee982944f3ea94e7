# SPDX-License-Identifier: MIT
# A two-layer network in NumPy with hand-written backward passes, served to gradcheck
# (mlp.json: `gradcheck run --allow-programs examples/numpy-mlp`).
#
#   Z1 = W1 X + b1        (H x N; X is D x N, one column per sample)
#   A1 = tanh(Z1)
#   Z2 = W2 A1 + b2       (K x N)
#   loss = sum((Z2 - Y)^2) / (2 N)
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


def backward(W1, b1, W2, b2, X, Y):
    """The gradients of loss by W1, b1, W2, b2, shaped like them."""
    N = X.shape[1]
    A1, Z2 = forward(W1, b1, W2, b2, X)
    dZ2 = (Z2 - Y) / N
    dW2 = dZ2 @ A1.T
    db2 = dZ2.sum(axis=1, keepdims=True)
    dZ1 = (W2.T @ dZ2) * (1 - A1 ** 2)
    dW1 = dZ1 @ X.T
    db1 = dZ1.sum(axis=1, keepdims=True)
    return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}


for _name in ("W1", "b1", "W2", "b2"):
    program.add("grad_" + _name, lambda _name=_name, **v: backward(**v)[_name])

if __name__ == "__main__":
    program.serve()
