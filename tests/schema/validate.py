#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Validates case files against schema/case.schema.json with Debian's python3-jsonschema.
#
#   validate.py SCHEMA --good PATH... --bad PATH...
#
# Every *.json under a --good path must validate; every file under a --bad path must be rejected.
# Prints one line per file that does not behave, with the schema's reason; exits 1 if any.
import json
import pathlib
import sys

import jsonschema


def files(paths):
    for p in map(pathlib.Path, paths):
        yield from sorted(p.rglob("*.json")) if p.is_dir() else [p]


def main(argv):
    schema = json.loads(pathlib.Path(argv[1]).read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    mode, good, bad = None, [], []
    for a in argv[2:]:
        if a in ("--good", "--bad"):
            mode = a
        elif mode == "--good":
            good.append(a)
        elif mode == "--bad":
            bad.append(a)
        else:
            sys.exit(f"usage: {argv[0]} SCHEMA --good PATH... --bad PATH...")
    problems, counted = 0, {"good": 0, "bad": 0}
    for kind, paths in (("good", good), ("bad", bad)):
        for f in files(paths):
            counted[kind] += 1
            try:
                errors = list(validator.iter_errors(json.loads(f.read_text())))
            except (ValueError, RecursionError) as e:
                errors = [e]
            if kind == "good" and errors:
                problems += 1
                best = jsonschema.exceptions.best_match(errors) if hasattr(errors[0], "path") else errors[0]
                where = "/".join(str(p) for p in getattr(best, "absolute_path", []))
                print(f"{f}: rejected by the schema at /{where}: {getattr(best, 'message', best)}")
            elif kind == "bad" and not errors:
                problems += 1
                print(f"{f}: the schema accepts it, but it is a bad case file")
    print(f"schema: {counted['good']} good files valid, {counted['bad']} bad files rejected, {problems} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
