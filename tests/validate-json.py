#!/usr/bin/python3
# validate-json.py SCHEMA [FILE...]: validates each file (or stdin without
# FILE), which must hold exactly one JSON document, against the JSON Schema
# with Debian's python3-jsonschema (the draft the schema names: 7 or
# 2020-12). Prints each error with the file and the path in the document;
# exit 1 on any. One process for many documents: the tests validate every
# verb's output on every fixture root.
import json
import sys

from jsonschema.validators import validator_for

schema = json.load(open(sys.argv[1]))
cls = validator_for(schema)
cls.check_schema(schema)
validator = cls(schema)
bad = 0
for name in sys.argv[2:] or ["-"]:
    try:
        doc = json.load(sys.stdin if name == "-" else open(name))
    except ValueError as e:
        bad += 1
        print("%s: not one JSON document: %s" % (name, e))
        continue
    for err in sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path)):
        bad += 1
        print("%s: %s: %s" % (name, "/".join(map(str, err.absolute_path)) or "(top)",
                              err.message))
sys.exit(1 if bad else 0)
