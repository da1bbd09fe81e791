#!/usr/bin/env python3
"""A crash campaign against the real node (docs/crash-campaign.md).

Starts `hashpath serve` on a data directory, puts HTTP load on it — key
reads, signed POSTs through the CLI, a Lua process receiving messages
through push@1.0 — and records every acknowledged `log-seq`, every
acknowledged slot and every checkpoint the node signed. Then SIGKILLs the
node at a random moment and restarts it on the same directory. After every
kill:

  offline   `log verify`, `replay --process` and (every --replay-every
            rounds, and after the last) `replay` of the whole log pass on
            the data directory;
  online    the node starts again; every acknowledged entry is there with
            the key it was acknowledged for; every acknowledged slot is
            there and the slots are gap-free; every checkpoint seen before
            is a prefix of today's log (its root is the root of today's
            tree at its size).

With --enospc the data directory is a small tmpfs, and every few rounds the
disk is filled while the load runs: requests must fail with 503 and no
`log-seq`, nothing acknowledged may be lost, and once the space is freed
the node must serve and commit again (before it is killed).

Prints one line per round and a summary; exits 1 naming the first failed
check. Needs only Python's standard library and the hashpath binary.
"""

import argparse
import http.client
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time


class CampaignFailure(Exception):
    pass


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def http_get(port, target, timeout=10.0, headers=None):
    """(status, headers dict, body bytes), or None if the node is down."""
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        c.request("GET", target, headers=headers or {})
        r = c.getresponse()
        body = r.read()
        headers = {k.lower(): v for k, v in r.getheaders()}
        c.close()
        return r.status, headers, body
    except (OSError, http.client.HTTPException):
        return None


class Node:
    def __init__(self, binary, data, log_path):
        self.binary = binary
        self.data = data
        self.log_path = log_path
        self.port = free_port()
        self.proc = None

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.port

    def start(self, timeout=60.0):
        out = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [self.binary, "serve", "--port", str(self.port), "--data", self.data],
            stdout=out, stderr=subprocess.STDOUT, env=dict(os.environ, SPDLOG_LEVEL="warn"))
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise CampaignFailure("the node exited at start (code %d); see %s" %
                                      (self.proc.returncode, self.log_path))
            r = http_get(self.port, "/~meta@1.0/info/address", timeout=2)
            if r is not None and r[0] == 200:
                return
            time.sleep(0.05)
        raise CampaignFailure("the node did not answer within %.0f s; see %s" %
                              (timeout, self.log_path))

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()


class Acks:
    """What the node acknowledged, shared by the load threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.entries = {}      # log-seq -> the key its step resolved
        self.slots = set()     # acknowledged slots of the process
        self.checkpoints = {}  # size -> root (base64), as the node signed them
        self.refused = 0       # 503s (full disk)
        self.refused_with_seq = 0
        self.leaky_reasons = 0  # 503 reasons naming files or SQLite
        self.after_space = 0   # acknowledgements after space was freed


def reader(port, acks, stop, prefix):
    n = 0
    conn = None
    while not stop.is_set():
        n += 1
        value = "%s%d" % (prefix, n)
        try:
            if conn is None:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            conn.request("GET", "/~message@1.0&k=%s/k" % value)
            r = conn.getresponse()
            body = r.read()
        except (OSError, http.client.HTTPException):
            conn = None
            time.sleep(0.01)
            continue
        seq = r.getheader("log-seq")
        with acks.lock:
            if r.status == 200 and seq is not None:
                if body.decode() != value:
                    raise CampaignFailure("GET k=%s answered %r" % (value, body[:80]))
                acks.entries[int(seq)] = "k"
                acks.after_space += 1
            elif r.status == 503:
                acks.refused += 1
                if seq is not None:
                    acks.refused_with_seq += 1
                # Say what failed, not where: no file paths, no SQLite words.
                if b"/" in body or b"sqlite" in body.lower():
                    acks.leaky_reasons += 1


def pusher(binary, url, wallet, pid, acks, stop):
    while not stop.is_set():
        p = subprocess.run(
            [binary, "process", "send", pid, "--tag", "Action=Ping", "--push", "--node", url,
             "--wallet", wallet], capture_output=True, text=True)
        if p.returncode == 0 and p.stdout.strip().isdigit():
            with acks.lock:
                acks.slots.add(int(p.stdout.strip()))
                acks.after_space += 1


def checkpoint_watcher(port, acks, stop):
    while not stop.is_set():
        r = http_get(port, "/~log@1.0/checkpoint", timeout=5)
        if r is not None and r[0] == 200 and "size" in r[1]:
            with acks.lock:
                acks.checkpoints[int(r[1]["size"])] = r[1]["root"]
        time.sleep(0.1)


def run_cli(args, what):
    p = subprocess.run(args, capture_output=True, text=True)
    if p.returncode != 0:
        raise CampaignFailure("%s failed (exit %d): %s" %
                              (what, p.returncode, (p.stderr or p.stdout).strip()[-600:]))
    return p.stdout


def fill_disk(directory):
    """Writes a filler file until the file system is full; returns its path."""
    path = os.path.join(directory, "filler")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        for size in (1 << 20, 1 << 12, 1):
            chunk = b"\0" * size
            try:
                while True:
                    os.write(fd, chunk)
            except OSError:
                pass
    finally:
        os.close(fd)
    return path


def check_online(node, acks, pid):
    """The restarted node holds what was acknowledged and signed."""
    with acks.lock:
        entries = dict(acks.entries)
        slots = set(acks.slots)
        checkpoints = dict(acks.checkpoints)
    r = http_get(node.port, "/~log@1.0/checkpoint")
    if r is None or r[0] != 200:
        raise CampaignFailure("the restarted node has no checkpoint")
    size = int(r[1]["size"])
    # Every acknowledged entry: the last, and a sample of the others.
    seqs = sorted(entries)
    sample = set(seqs[-1:]) | set(random.sample(seqs, min(40, len(seqs))))
    for seq in sorted(sample):
        e = http_get(node.port, "/~log@1.0/entry/%d" % seq)
        if e is None or e[0] != 200:
            raise CampaignFailure("acknowledged entry %d is missing after the restart" % seq)
        if e[1].get("key") != entries[seq]:
            raise CampaignFailure("entry %d has key %r, acknowledged for %r" %
                                  (seq, e[1].get("key"), entries[seq]))
    # Every checkpoint seen is consistent with today's log.
    for old_size, old_root in checkpoints.items():
        if old_size == 0:
            continue
        to = max(size, old_size)
        p = http_get(node.port, "/~log@1.0/proof/consistency?from=%d&to=%d" % (old_size, to))
        if p is None or p[0] != 200:
            raise CampaignFailure("no consistency proof from checkpoint %d (status %s): the "
                                  "log lost entries it signed" % (old_size, p and p[0]))
        if p[1].get("first-root") != old_root:
            raise CampaignFailure("checkpoint %d was signed with root %s; today's tree has %s" %
                                  (old_size, old_root, p[1].get("first-root")))
    # Slots: every acknowledged one, and no gaps.
    cur = http_get(node.port, "/%s~process@1.0/slot/current" % pid)
    if cur is None or cur[0] != 200:
        raise CampaignFailure("cannot read the process's current slot: %s" % (cur and cur[2][:200]))
    current = int(cur[2])
    if slots and max(slots) > current:
        raise CampaignFailure("slot %d was acknowledged; the scheduler is at %d" %
                              (max(slots), current))
    for first in range(0, current + 1, 1000):
        last = min(current, first + 999)
        page = http_get(node.port, "/%s~process@1.0/schedule?from=%d&to=%d" % (pid, first, last),
                        headers={"accept": "application/json"})
        if page is None or page[0] != 200:
            raise CampaignFailure("cannot read slots %d..%d" % (first, last))
        present = {int(k) for k in json.loads(page[2])["assignments"]}
        missing = [s for s in range(first, last + 1) if s not in present]
        if missing:
            raise CampaignFailure("slot %d is missing (the scheduler is at %d)" %
                                  (missing[0], current))
    return size, current


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--hashpath", required=True, help="the hashpath binary")
    ap.add_argument("--work", required=True, help="a scratch directory (emptied)")
    ap.add_argument("--kills", type=int, default=10)
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--enospc", action="store_true", help="data on a small tmpfs, filled at times")
    ap.add_argument("--enospc-every", type=int, default=5)
    ap.add_argument("--tmpfs-size", default="1g", help="the tmpfs for --enospc (mount's size=)")
    ap.add_argument("--replay-every", type=int, default=1,
                    help="replay the whole log every K rounds (and after the last)")
    args = ap.parse_args()

    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    random.seed(seed)
    binary = os.path.abspath(args.hashpath)
    here = os.path.dirname(os.path.abspath(__file__))
    work = os.path.abspath(args.work)
    mounted = False
    if os.path.ismount(work):
        subprocess.run(["umount", work], check=False)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    data = os.path.join(work, "data")
    if args.enospc:
        m = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=" + args.tmpfs_size, "tmpfs", work],
                           capture_output=True, text=True)
        if m.returncode != 0:
            # The kill rounds still run; only the full-disk rounds need the mount.
            print("skipped: the ENOSPC rounds (they need permission to mount a tmpfs: %s)" %
                  m.stderr.strip(), flush=True)
            args.enospc = False
        else:
            mounted = True
    os.makedirs(data, exist_ok=True)
    wallet = os.path.join(work, "client.json")
    run_cli([binary, "wallet", "new", "-o", wallet], "wallet new")

    started = time.time()
    # The node's own output goes beside the scratch directory, not on it.
    node = Node(binary, data, work.rstrip("/") + "-node.log")
    if os.path.exists(node.log_path):
        os.remove(node.log_path)
    acks = Acks()
    try:
        node.start()
        pid = run_cli([binary, "process", "spawn", "--module", os.path.join(here, "pingpong.lua"),
                       "--node", node.url, "--wallet", wallet], "process spawn").strip()
        replays = 0
        for round_no in range(1, args.kills + 1):
            fill = args.enospc and round_no % args.enospc_every == 0
            stop = threading.Event()
            threads = [threading.Thread(target=reader, args=(node.port, acks, stop, "r%da" % round_no)),
                       threading.Thread(target=reader, args=(node.port, acks, stop, "r%db" % round_no)),
                       threading.Thread(target=pusher, args=(binary, node.url, wallet, pid, acks, stop)),
                       threading.Thread(target=checkpoint_watcher, args=(node.port, acks, stop))]
            for t in threads:
                t.daemon = True
                t.start()
            refused_before = acks.refused
            if fill:
                time.sleep(random.uniform(0.2, 0.6))
                filler = fill_disk(work)
                time.sleep(1.5)  # load against a full disk
                with acks.lock:
                    acks.after_space = 0
                os.remove(filler)
                deadline = time.time() + 20
                while time.time() < deadline and acks.after_space < 3:
                    time.sleep(0.05)
                if acks.after_space < 3:
                    raise CampaignFailure("round %d: the node did not recover after the disk "
                                          "was freed" % round_no)
            time.sleep(random.uniform(0.2, 1.5))
            node.kill()
            stop.set()
            for t in threads:
                t.join(timeout=60)
            if acks.refused_with_seq:
                raise CampaignFailure("a 503 carried log-seq: an unrecorded step was acknowledged")
            if acks.leaky_reasons:
                raise CampaignFailure("a 503's reason named a file or SQLite internals")
            # Offline, as an auditor with the data directory would.
            run_cli([binary, "log", "verify", "--data", data], "log verify")
            # A Lua process's live state is rebuilt only from slot 0, so the
            # whole log is replayed (every --replay-every rounds, and last).
            if round_no % args.replay_every == 0 or round_no == args.kills:
                run_cli([binary, "replay", "--data", data], "replay")
                replays += 1
            run_cli([binary, "replay", "--data", data, "--process", pid], "replay --process")
            node.start()
            size, slot = check_online(node, acks, pid)
            print("round %d: %scheckpoint %d, slot %d, %d entries and %d slots acknowledged, "
                  "%d checkpoints seen%s" %
                  (round_no, "ENOSPC " if fill else "", size, slot, len(acks.entries),
                   len(acks.slots), len(acks.checkpoints),
                   ", %d refused while full" % (acks.refused - refused_before) if fill else ""),
                  flush=True)
        node.kill()
        elapsed = time.time() - started
        print("campaign: %d kills%s in %.1f s (%.2f s per kill), seed %d: every acknowledged "
              "entry (%d) and slot (%d) survived; log verify and replay --process passed after "
              "every kill, full replay after %d" %
              (args.kills, " with ENOSPC rounds" if args.enospc else "", elapsed,
               elapsed / max(1, args.kills), seed, len(acks.entries), len(acks.slots), replays))
        return 0
    except CampaignFailure as e:
        print("FAILED (seed %d): %s" % (seed, e), file=sys.stderr)
        try:
            node.kill()
        except Exception:
            pass
        return 1
    finally:
        if mounted:
            subprocess.run(["umount", "-l", work], check=False)


if __name__ == "__main__":
    sys.exit(main())
