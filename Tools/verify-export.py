#!/usr/bin/env python3
"""Checks an enroll-audit export with proofs, independently of enroll-audit (docs/proofs.md).

    verify-export.py EXPORT.ndjson KEY.pub [--checkpoint LATER]

Written from the specifications alone: RFC 8785 (JCS) for the leaf of each line, RFC 9162 §2.1 for
hashes, inclusion and consistency proofs, C2SP signed-note, tlog-checkpoint, tlog-proof and the body of
tlog-witness add-checkpoint for the texts. Needs the standard library, `rfc8785` and `cryptography`.
Exit 0 when every line is proven and the lines are exactly the export the checkpoint states; 4, naming
the line, otherwise; 1 on a usage error. With --checkpoint, LATER (from `enroll-audit checkpoint --key
KEY --from SIZE`: `old SIZE`, the consistency proof, a blank line, a later signed checkpoint) must be
signed by the key and prove that its tree extends the export's.
"""

import base64
import binascii
import hashlib
import json
import struct
import sys

import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

EXPORT_SET = "enroll-audit/export-set"


class Rejected(Exception):
    pass


def b64(text):
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise Rejected("not base64: %r" % text[:60])


def read_verifier_key(text):
    """name+hex key id+base64(0x01 || Ed25519 public key) (C2SP signed-note)."""
    name, key_id, data = text.strip().split("+", 2)
    raw = b64(data)
    if len(raw) != 33 or raw[0] != 0x01:
        raise ValueError("not an Ed25519 verifier key")
    computed = hashlib.sha256(name.encode() + b"\n" + raw).digest()[:4]
    if computed.hex() != key_id:
        raise ValueError("the key id does not match the key")
    return name, computed, Ed25519PublicKey.from_public_bytes(raw[1:])


def verify_note(note, key):
    """Returns the text of a signed note once a signature by `key` verifies on it."""
    name, key_id, public_key = key
    split = note.rfind("\n\n")
    if split < 0 or not note.endswith("\n"):
        raise Rejected("the checkpoint is not a signed note")
    text, signatures = note[: split + 1], note[split + 2 :].splitlines()
    verified = False
    for line in signatures:
        parts = line.split(" ")
        if len(parts) != 3 or parts[0] != "\u2014":
            raise Rejected("a signature line is malformed")
        signature = b64(parts[2])
        if parts[1] != name or signature[:4] != key_id:
            continue  # another key's signature: ignored
        try:
            public_key.verify(signature[4:], text.encode())
        except InvalidSignature:
            raise Rejected("the checkpoint's signature does not verify")
        verified = True
    if not verified:
        raise Rejected("the checkpoint is not signed by the key %s" % name)
    return text


def read_checkpoint(text, origin):
    lines = text.split("\n")[:-1]
    if len(lines) < 3 or not lines[1].isdigit() or lines[0] != origin:
        raise Rejected("not a checkpoint of %s" % origin)
    root = b64(lines[2])
    if len(root) != 32:
        raise Rejected("the checkpoint's root is not a SHA-256 hash")
    export_set = None
    for extension in lines[3:]:
        fields = extension.split(" ")
        if len(fields) == 3 and fields[0] == EXPORT_SET:
            export_set = (int(fields[1]), b64(fields[2]))
    return int(lines[1]), root, export_set


def read_proof(text):
    head, blank, note = text.partition("\n\n")
    lines = head.split("\n")
    if not blank or lines[0] != "c2sp.org/tlog-proof@v1":
        raise Rejected("the proof is not a tlog-proof@v1")
    lines = lines[1:]
    if lines and lines[0].startswith("extra "):
        lines = lines[1:]
    if not lines or not lines[0].startswith("index ") or not lines[0][6:].isdigit():
        raise Rejected("the proof has no index")
    path = [b64(line) for line in lines[1:]]
    if any(len(hash) != 32 for hash in path):
        raise Rejected("a proof hash is not a SHA-256 hash")
    return int(lines[0][6:]), path, note


def node(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()


def verify_inclusion(index, size, leaf_hash, path, root):
    """RFC 9162 §2.1.3.2."""
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf_hash
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node(p, r)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == root


def verify_consistency(first, second, first_root, second_root, path):
    """RFC 9162 §2.1.4.2."""
    if first > second:
        return False
    if first == second:
        return not path and first_root == second_root
    if first == 0 or not path:
        return False
    if first & (first - 1) == 0:
        path = [first_root] + path
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node(c, fr), node(c, sr)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and fr == first_root and sr == second_root


def verify_later(path, size, root, key):
    """A later checkpoint with the consistency proof from `size` (tlog-witness add-checkpoint body)."""
    try:
        with open(path, encoding="utf-8") as file:
            text = file.read()
    except UnicodeDecodeError:
        raise Rejected("%s: not text" % path)
    head, blank, note = text.partition("\n\n")
    lines = head.split("\n")
    if not blank or not lines[0].startswith("old ") or not lines[0][4:].isdigit() or lines[0][4:] != str(int(lines[0][4:])):
        raise Rejected("%s: no consistency proof (`old SIZE` line): ask for `checkpoint --from %d`" % (path, size))
    old = int(lines[0][4:])
    proof = [b64(line) for line in lines[1:]]
    if len(proof) > 63 or any(len(hash) != 32 for hash in proof):
        raise Rejected("%s: a proof line is not a SHA-256 hash" % path)
    try:
        later_size, later_root, _ = read_checkpoint(verify_note(note, key), key[0])
    except Rejected as error:
        raise Rejected("%s: %s" % (path, error))
    if old != size:
        raise Rejected("%s: the proof is from a tree of %d events, not the export's %d" % (path, old, size))
    if not verify_consistency(size, later_size, root, later_root, proof):
        raise Rejected("%s: the later checkpoint does not extend the export's" % path)
    return later_size


def json_number(text):
    """Integers beyond I-JSON's ±(2^53 - 1) are the doubles they round to, as RFC 8785 reads them."""
    value = int(text)
    return value if abs(value) < 2**53 else float(value)


def no_duplicates(pairs):
    members = dict(pairs)
    if len(members) != len(pairs):
        raise Rejected("a member name is repeated")
    return members


def verify(path, key):
    note = None
    previous = -1
    indices = hashlib.sha256()
    count = 0
    number = 0
    with open(path, "rb") as export:
        for number, raw in enumerate(export, start=1):
            if not raw.strip():
                continue
            try:
                event = json.loads(raw, object_pairs_hook=no_duplicates, parse_int=json_number)
                if not isinstance(event, dict) or not isinstance(event.get("proof"), str):
                    raise Rejected("the line carries no proof")
                index, hashes, line_note = read_proof(event.pop("proof"))
                if note is None:
                    note = line_note
                    size, root, export_set = read_checkpoint(verify_note(note, key), key[0])
                elif line_note != note:
                    raise Rejected("the line is proven against another checkpoint than line 1's")
                if index != event.get("position", 0) - 1 or index <= previous:
                    raise Rejected("the line is repeated, out of order, or not the position its proof is for")
                leaf = rfc8785.dumps(event)
                leaf_hash = hashlib.sha256(b"\x00" + leaf).digest()
                if not verify_inclusion(index, size, leaf_hash, hashes, root):
                    raise Rejected("the event is not in the signed tree")
            except (ValueError, TypeError, rfc8785.CanonicalizationError) as error:
                raise Rejected("line %d: %s" % (number, error))
            except Rejected as error:
                raise Rejected("line %d: %s" % (number, error))
            indices.update(struct.pack(">Q", index))
            previous = index
            count += 1
    if note is None:
        raise Rejected("the export holds no events")
    if export_set is not None and (count, indices.digest()) != export_set:
        raise Rejected("line %d: the lines are not the %d events the checkpoint lists" % (number + 1, export_set[0]))
    complete = export_set is not None or (count == size and previous == size - 1)
    return count, size, root, complete


def main(argv):
    later = None
    if len(argv) == 5 and argv[3] == "--checkpoint":
        later = argv[4]
    elif len(argv) != 3:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 1
    try:
        with open(argv[2]) as file:
            key = read_verifier_key(file.read())
    except (OSError, ValueError) as error:
        print("error: %s: %s" % (argv[2], error), file=sys.stderr)
        return 1
    try:
        count, size, root, complete = verify(argv[1], key)
        later_size = verify_later(later, size, root, key) if later else None
    except Rejected as error:
        print("REJECTED: %s" % error)
        return 4
    except OSError as error:
        print("error: %s" % error, file=sys.stderr)
        return 1
    print("ok: %d events, each proven in the signed tree of %d events of %s" % (count, size, key[0]))
    print("complete" if complete else "not proven complete: the checkpoint does not list the export's events")
    if later:
        print("consistent: the checkpoint in %s (%d events) extends the export's" % (later, later_size))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
