#!/usr/bin/env python3
"""Reads an HTML page on stdin with Python's own parser (html.parser) and prints what a browser would
build from it, as JSON: every element with its attributes, and every run of text (entities decoded).

The console's tests use it to check that values from the store became text and attribute values, never
elements, attributes or scripts: an independent parser, not a search of the source.
"""
import json
import sys
from html.parser import HTMLParser


class Facts(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements = []
        self.texts = []

    def handle_starttag(self, tag, attrs):
        self.elements.append({"tag": tag, "attributes": [[name, value or ""] for name, value in attrs]})

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_data(self, data):
        if data.strip():
            self.texts.append(data)


parser = Facts()
parser.feed(sys.stdin.read())
parser.close()
json.dump({"elements": parser.elements, "texts": parser.texts}, sys.stdout)
