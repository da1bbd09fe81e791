# Shared by the HTTP benchmark scripts (sourced after `set -euo pipefail`,
# with the script's arguments): BUILD (the first argument, else $BUILD, else
# build), DURATION (5s) and THREADS (2); wrk required; a temporary directory
# and background processes cleaned up on exit, free loopback ports, and
# wrk's requests per second.
BUILD=${1:-${BUILD:-build}}
DURATION=${DURATION:-5s}
THREADS=${THREADS:-2}
command -v wrk >/dev/null || { echo "wrk is not installed (make bench installs it)"; exit 1; }
T=$(mktemp -d)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$T"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_for() {  # wait_for URL: until it answers (30 s at most)
  for _ in $(seq 1 150); do curl -sf "$1" >/dev/null && return 0; sleep 0.2; done
  echo "no answer from $1" >&2
  return 1
}
rps() {  # rps CONNECTIONS URL
  local threads=$(( $1 < THREADS ? $1 : THREADS ))
  wrk -t"$threads" -c"$1" -d"$DURATION" "$2" | awk '/Requests\/sec/ {print $2}'
}
requests() {  # requests CONNECTIONS URL: how many requests wrk completed
  local threads=$(( $1 < THREADS ? $1 : THREADS ))
  wrk -t"$threads" -c"$1" -d"$DURATION" "$2" | awk '/requests in/ {print $1}'
}
stored_bytes() {  # stored_bytes DIR: SQLite pages in use (WAL included) + other files
  python3 - "$1" <<'PY'
import os, sqlite3, sys
d = sys.argv[1]; n = 0
for f in os.listdir(d):
    p = os.path.join(d, f)
    if f.endswith(("-wal", "-shm")):
        continue
    if f.endswith(".db"):
        c = sqlite3.connect("file:%s?mode=ro" % p, uri=True)
        q = lambda s: c.execute(s).fetchone()[0]
        n += (q("PRAGMA page_count") - q("PRAGMA freelist_count")) * q("PRAGMA page_size")
        c.close()
    else:
        n += os.path.getsize(p)
print(n)
PY
}
