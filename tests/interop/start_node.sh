# Sourced by the interop scripts. start_node BINARY LOG ARGS... starts
# `BINARY serve ARGS...` on a port the node binds itself (--port 0
# --port-file: no window in which another process can take a port picked
# for it) and waits until it answers; it sets NODE (the pid) and URL. If
# the node exits or does not answer within 60 s, it prints the node's log
# and exits 1.
start_node() {
  local binary=$1 log=$2
  shift 2
  local port_file
  port_file=$(mktemp -u)
  SPDLOG_LEVEL=${SPDLOG_LEVEL:-warn} "$binary" serve --port 0 --port-file "$port_file" "$@" \
    > "$log" 2>&1 &
  NODE=$!
  for _ in $(seq 1 300); do
    if [ -s "$port_file" ]; then
      URL="http://127.0.0.1:$(cat "$port_file")"
      if curl -sf "$URL/~meta@1.0/info/address" >/dev/null; then
        rm -f "$port_file"
        return 0
      fi
    fi
    kill -0 "$NODE" 2>/dev/null || break
    sleep 0.2
  done
  echo "the node did not start ($binary serve $*):"
  cat "$log"
  exit 1
}
