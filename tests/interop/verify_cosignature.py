#!/usr/bin/env python3
"""Checks a witness cosignature on a checkpoint note, following the text of
c2sp.org/tlog-cosignature (cosignature/v1) with Python's `cryptography`
Ed25519, independently of Hashpath's code.

  usage: verify_cosignature.py WITNESS_VKEY NOTE_FILE

WITNESS_VKEY is name+hexkeyid+base64(0x04 || 32-byte key). Exits 0 and
prints the timestamp if a valid cosignature by that key is on the note.
"""
import base64
import hashlib
import struct
import sys

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

EM_DASH = "\u2014"


def main():
    vkey, note_path = sys.argv[1], sys.argv[2]
    name, keyid_hex, key_b64 = vkey.strip().split("+", 2)  # base64 may hold "+"
    raw = base64.b64decode(key_b64)
    assert raw[0] == 0x04 and len(raw) == 33, "not an Ed25519 cosigner vkey"
    # Key ID: SHA-256(<name> || "\n" || 0x04 || key)[:4]
    key_id = hashlib.sha256(name.encode() + b"\n" + raw).digest()[:4]
    assert key_id.hex() == keyid_hex, "the vkey's key ID does not match its key"
    public = Ed25519PublicKey.from_public_bytes(raw[1:])
    text = open(note_path, encoding="utf-8").read()
    body, sigs = text.split("\n\n", 1)
    body += "\n"  # the note body includes its final newline
    for line in sigs.splitlines():
        prefix = EM_DASH + " " + name + " "
        if not line.startswith(prefix):
            continue
        sig = base64.b64decode(line[len(prefix):])
        if sig[:4] != key_id or len(sig) != 4 + 8 + 64:
            continue
        (timestamp,) = struct.unpack(">Q", sig[4:12])
        message = b"cosignature/v1\n" + b"time %d\n" % timestamp + body.encode()
        try:
            public.verify(sig[12:], message)
        except InvalidSignature:
            continue
        print("cosigned by %s at %d" % (name, timestamp))
        return 0
    print("no valid cosignature by " + name, file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
