# SPDX-License-Identifier: MIT
# A program that answers __describe__ and then misbehaves as its first argument says, for the
# tests of every failure mode (misbehaving.json): crash, hang, garbage, wrong-id, wrong-shape,
# not-numbers, bare-string (a value that is a string, not a matrix), exit-at-start, error, or
# good (answers properly). f = sum(x.^2), grad = 2 x.
import json
import os
import sys
import time

mode = sys.argv[1]
if mode == "exit-at-start":
    print("misbehave: giving up before reading anything", file=sys.stderr)
    sys.exit(3)
for line in sys.stdin:
    request = json.loads(line)
    rid = request["id"]
    if request["call"] == "__describe__":
        print(json.dumps({"id": rid, "functions": ["f", "grad"]}), flush=True)
        continue
    points = request["batch"] if "batch" in request else [request["inputs"]]
    values = []
    for p in points:
        x = p["x"]["data"]
        if request["call"] == "f":
            values.append({"shape": [1, 1], "data": [sum(v * v for v in x)]})
        else:
            values.append({"shape": p["x"]["shape"], "data": [2 * v for v in x]})
    answer = {"id": rid, "values": values} if "batch" in request else {"id": rid, "value": values[0]}
    if mode == "crash":
        print("misbehave: about to crash", file=sys.stderr)
        print("Traceback (most recent call last):\nZeroDivisionError: division by zero", file=sys.stderr, flush=True)
        sys.exit(1)
    if mode == "hang":
        print("misbehave: sleeping instead of answering", file=sys.stderr, flush=True)
        marker = os.environ.get("GRADCHECK_TEST_MARKER")
        if marker:  # the interrupt test waits for this file: the program is running
            with open(marker + ".tmp", "w") as out:
                out.write(str(os.getpid()))
            os.replace(marker + ".tmp", marker)
        time.sleep(3600)
    if mode == "garbage":
        print("this is not { json", flush=True)
        continue
    if mode == "wrong-id":
        answer["id"] = rid + 100
    if mode == "wrong-shape":
        target = answer["value"] if "value" in answer else answer["values"][0]
        target["shape"] = [2, 2]
    if mode == "not-numbers":
        target = answer["value"] if "value" in answer else answer["values"][0]
        target["data"][0] = "twelve"
    if mode == "bare-string":
        if "value" in answer:
            answer["value"] = "twelve"
        else:
            answer["values"][0] = "twelve"
    if mode == "error" and request["call"] == "grad":
        answer = {"id": rid, "error": "grad is not implemented yet"}
    print(json.dumps(answer), flush=True)
