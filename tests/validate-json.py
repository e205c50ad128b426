#!/usr/bin/python3
# validate-json.py SCHEMA [FILE...]: validates each JSON document (a file, or
# stdin without FILE) against the JSON Schema (draft 7) with Debian's
# python3-jsonschema. Prints each error with its path; exit 1 on any.
import json
import sys

from jsonschema import Draft7Validator

schema = json.load(open(sys.argv[1]))
Draft7Validator.check_schema(schema)
validator = Draft7Validator(schema)
bad = 0
for name in sys.argv[2:] or ["-"]:
    doc = json.load(sys.stdin if name == "-" else open(name))
    for err in sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path)):
        bad += 1
        print("%s: %s: %s" % (name, "/".join(map(str, err.absolute_path)) or "(top)",
                              err.message))
sys.exit(1 if bad else 0)
