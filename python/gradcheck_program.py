# SPDX-License-Identifier: MIT
"""Serve Python/NumPy functions to gradcheck (docs/programs.md).

A case file names the functions ("expression": "program:loss", "expected": "program:grad_W")
and says how to start the program ("program": {"command": ["python3", "net.py"]}); the program
registers its functions and serves them:

    import numpy as np
    from gradcheck_program import Program

    program = Program()

    @program.function
    def loss(W, X):                 # inputs by name: the case's variables, as 2-D float arrays
        return np.sum((W @ X) ** 2)

    @program.function
    def grad_W(W, X):
        return 2 * (W @ X) @ X.T

    if __name__ == "__main__":
        program.serve()

A function takes the variables it names (or **inputs for all of them) and returns a number, a
1-D array (a column) or a 2-D array. An exception becomes an error answer for that request
(the traceback goes to standard error, which gradcheck quotes); the program keeps serving.
Anything the functions print goes to standard error, so it cannot garble the answers.
"""

import inspect
import json
import math
import sys
import traceback

import numpy as np

__all__ = ["Program", "decode_matrix", "encode_matrix"]

_NONFINITE = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


def decode_matrix(m):
    """{"shape": [rows, cols], "data": [...] column-major} -> a rows x cols float64 array."""
    rows, cols = m["shape"]
    data = [(_NONFINITE[x] if isinstance(x, str) else x) for x in m["data"]]
    return np.array(data, dtype=np.float64).reshape((rows, cols), order="F")


def _number(x):
    if math.isfinite(x):
        return x
    return "NaN" if math.isnan(x) else ("Infinity" if x > 0 else "-Infinity")


def encode_matrix(value):
    """A number, 1-D array (a column) or 2-D array -> {"shape", "data"} in column-major order."""
    a = np.asarray(value, dtype=np.float64)
    if a.ndim == 0:
        a = a.reshape(1, 1)
    elif a.ndim == 1:
        a = a.reshape(-1, 1)
    elif a.ndim != 2:
        raise ValueError(f"a function must return a number, a vector or a matrix, not an array of shape {a.shape}")
    return {"shape": [int(a.shape[0]), int(a.shape[1])], "data": [_number(float(x)) for x in a.ravel(order="F")]}


class Program:
    """A registry of functions and the loop that serves them on standard input and output."""

    def __init__(self):
        self._functions = {}

    def function(self, f=None, *, name=None):
        """Registers f under its own name (or `name`); usable as @program.function or
        @program.function(name="loss")."""

        def register(g):
            self.add(name or g.__name__, g)
            return g

        return register(f) if f is not None else register

    def add(self, name, f):
        """Registers f as `name`."""
        if not name or name.startswith("__"):
            raise ValueError(f"invalid function name {name!r}")
        self._functions[name] = f

    def _call(self, name, inputs):
        f = self._functions[name]
        params = inspect.signature(f).parameters.values()
        if any(p.kind == p.VAR_KEYWORD for p in params):
            return f(**inputs)
        wanted = [p.name for p in params if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
        missing = [w for w in wanted if w not in inputs]
        if missing:
            raise KeyError(f"{name} takes {', '.join(missing)}, which the case does not have "
                           f"(its variables: {', '.join(inputs) or 'none'})")
        return f(**{w: inputs[w] for w in wanted})

    def answer(self, request):
        """The answer (a dict) to one request (a dict)."""
        rid = request.get("id")
        call = request.get("call")
        if call == "__describe__":
            return {"id": rid, "functions": sorted(self._functions)}
        if call not in self._functions:
            return {"id": rid, "error": f"no function {call!r}; this program serves {', '.join(sorted(self._functions))}"}
        try:
            if "batch" in request:
                points = [{k: decode_matrix(v) for k, v in p.items()} for p in request["batch"]]
                return {"id": rid, "values": [encode_matrix(self._call(call, p)) for p in points]}
            inputs = {k: decode_matrix(v) for k, v in request.get("inputs", {}).items()}
            return {"id": rid, "value": encode_matrix(self._call(call, inputs))}
        except Exception as e:  # the error of this request; the program keeps serving
            traceback.print_exc(file=sys.stderr)
            sys.stderr.flush()
            return {"id": rid, "error": f"{type(e).__name__}: {e}"}

    def serve(self, stdin=None, stdout=None):
        """Answers one request a line until standard input closes."""
        stdin = stdin or sys.stdin
        out = stdout or sys.stdout
        sys.stdout = sys.stderr  # prints inside the functions must not garble the answers
        try:
            for line in stdin:
                if not line.strip():
                    continue
                try:
                    request = json.loads(line)
                except ValueError as e:
                    print(f"gradcheck_program: not a JSON request: {e}", file=sys.stderr)
                    answer = {"id": None, "error": f"not a JSON request: {e}"}
                else:
                    answer = self.answer(request)
                out.write(json.dumps(answer, allow_nan=False) + "\n")
                out.flush()
        finally:
            sys.stdout = out
