#!/usr/bin/env python3
"""Reads JSON texts, one a line, and writes each one's RFC 8785 form as hex, one a line (the Python
`rfc8785` package: the reference the Swift JCS is tested against). Integers beyond I-JSON's
±(2^53 - 1) are read as the doubles they round to, as RFC 8785 reads every number."""

import sys

import json
import rfc8785


def json_number(text):
    value = int(text)
    return value if abs(value) < 2**53 else float(value)


for line in sys.stdin.buffer:
    print(rfc8785.dumps(json.loads(line, parse_int=json_number)).hex())
