# Shared by the HTTP benchmark scripts (sourced): a temporary directory and
# background processes cleaned up on exit, free loopback ports, and wrk's
# requests per second.
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
