#!/usr/bin/env python3
"""An independent verifier of a Hashpath node's log, in Python's standard
library only, written from docs/log-format.md: it fetches the latest
checkpoint, checks its signed-note signature (RSA-PSS-SHA256) with the
node's public key (bound to the origin by address = SHA-256(n)), fetches an
entry and its inclusion proof and checks that the entry is in the signed
tree.

usage: log_verifier.py NODE_URL SEQ        exit 0 if everything verifies
"""
import base64
import hashlib
import json
import sys
import urllib.request

EM_DASH = "\u2014"


def fetch(url, accept=None):
    req = urllib.request.Request(url, headers={"accept": accept} if accept else {})
    with urllib.request.urlopen(req, timeout=30) as r:
        return r.read(), {k.lower(): v for k, v in r.headers.items()}


def b64url_decode(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def mgf1(seed, length):
    out = b""
    counter = 0
    while len(out) < length:
        out += hashlib.sha256(seed + counter.to_bytes(4, "big")).digest()
        counter += 1
    return out[:length]


def pss_verify(n, e, message, signature):
    """RFC 8017 EMSA-PSS-VERIFY with SHA-256 and MGF1-SHA-256, any salt length."""
    mod_bits = n.bit_length()
    em_bits = mod_bits - 1
    em_len = (em_bits + 7) // 8
    s = int.from_bytes(signature, "big")
    if s >= n:
        return False
    em = pow(s, e, n).to_bytes(em_len, "big")
    h_len = 32
    if em[-1] != 0xBC:
        return False
    masked_db, h = em[: em_len - h_len - 1], em[em_len - h_len - 1 : -1]
    unused = 8 * em_len - em_bits
    if masked_db[0] >> (8 - unused) if unused else 0:
        return False
    db = bytearray(a ^ b for a, b in zip(masked_db, mgf1(h, len(masked_db))))
    db[0] &= 0xFF >> unused
    i = 0
    while i < len(db) and db[i] == 0:
        i += 1
    if i == len(db) or db[i] != 1:
        return False
    salt = bytes(db[i + 1 :])
    m_prime = b"\x00" * 8 + hashlib.sha256(message).digest() + salt
    return hashlib.sha256(m_prime).digest() == h


def cbor_decode(data, i=0):
    """Just enough CBOR (RFC 8949) for a log entry: uints, bytes, text, arrays, maps."""
    major, info = data[i] >> 5, data[i] & 0x1F
    i += 1
    if info < 24:
        arg = info
    elif info in (24, 25, 26, 27):
        size = 1 << (info - 24)
        arg = int.from_bytes(data[i : i + size], "big")
        i += size
    else:
        raise ValueError("indefinite or reserved CBOR item")
    if major == 0:
        return arg, i
    if major in (2, 3):
        raw = data[i : i + arg]
        return (raw if major == 2 else raw.decode("utf-8")), i + arg
    if major == 4:
        out = []
        for _ in range(arg):
            item, i = cbor_decode(data, i)
            out.append(item)
        return out, i
    if major == 5:
        out = {}
        for _ in range(arg):
            k, i = cbor_decode(data, i)
            v, i = cbor_decode(data, i)
            out[k] = v
        return out, i
    raise ValueError("unexpected CBOR major type %d" % major)


def node_hash(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()


def verify_inclusion(leaf, index, size, proof, root):
    """RFC 9162 section 2.1.3.2."""
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def main(url, seq):
    # 1. The checkpoint: a C2SP signed note.
    note, headers = fetch(url + "/~log@1.0/checkpoint")
    text = note.decode("utf-8")
    body, _, sigs = text.partition("\n\n")
    body += "\n"
    origin, size, root_b64 = body.splitlines()
    size = int(size)
    root = base64.b64decode(root_b64)
    assert origin.startswith("hashpath/"), origin
    n_bytes = b64url_decode(headers["public-key"])
    address = base64.urlsafe_b64encode(hashlib.sha256(n_bytes).digest()).rstrip(b"=").decode()
    assert origin == "hashpath/" + address, "the public key is not the origin's"
    n = int.from_bytes(n_bytes, "big")
    key_id = hashlib.sha256(origin.encode() + b"\n" + b"\xff" + b"rsa-pss-sha256:" + n_bytes).digest()[:4]
    verified = False
    for line in sigs.splitlines():
        dash, name, blob = line.split(" ")
        raw = base64.b64decode(blob)
        if dash == EM_DASH and name == origin and raw[:4] == key_id:
            verified = pss_verify(n, 65537, body.encode(), raw[4:])
    assert verified, "no valid signature by the node on the checkpoint"
    assert seq < size, "entry %d is not covered by checkpoint %d" % (seq, size)

    # 2. The entry: its CBOR bytes are the leaf.
    entry, _ = fetch("%s/~log@1.0/entry/%d" % (url, seq))
    fields, end = cbor_decode(entry)
    assert end == len(entry) and fields["seq"] == seq and fields["v"] in (1, 2, 3)
    assert (fields["v"] == 3) == ("req-full" in fields or "base-full" in fields), \
        "a full copy's ID (req-full, base-full) is what version 3 means"
    leaf = hashlib.sha256(b"\x00" + entry).digest()

    # 3. The inclusion proof, against the signed root.
    proof_json, _ = fetch("%s/~log@1.0/proof/inclusion?seq=%d&size=%d" % (url, seq, size), "application/json")
    proof = json.loads(proof_json)
    hashes = [base64.b64decode(h) for h in proof["proof"].split(",") if h]
    assert base64.b64decode(proof["root"]) == root
    assert verify_inclusion(leaf, seq, size, hashes, root), "the inclusion proof does not verify"
    print("verified: entry %d (%s %s) is in checkpoint %d of %s" % (seq, fields["device"], fields["key"], size, origin))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1].rstrip("/"), int(sys.argv[2])))
