"""Schemathesis hooks for the enroll-audit OpenAPI document: bodies of the NDJSON media type.

Loaded with SCHEMATHESIS_HOOKS=ndjson_hooks (the directory on PYTHONPATH) by ServiceTests/OpenAPITests.
A generated string is sent as its UTF-8 bytes; any other generated value as one JSON line.
"""
import json

import schemathesis


@schemathesis.serializer("application/x-ndjson")
class NDJSONSerializer:
    def _bytes(self, value):
        if isinstance(value, bytes):
            return value
        if isinstance(value, str):
            return value.encode("utf-8", "surrogatepass")
        return (json.dumps(value) + "\n").encode("utf-8")

    def as_requests(self, context, value):
        return {"data": self._bytes(value)}

    def as_werkzeug(self, context, value):
        return {"data": self._bytes(value)}
