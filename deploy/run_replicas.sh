#!/usr/bin/env bash
# Run N convscope replicas on loopback ports behind nginx (sticky per visitor).
#
#   deploy/run_replicas.sh N BASEPORT PROXYPORT [extra `streamlit run` flags...]
#
# Starts `streamlit run streamlit_app.py` (or $APP) on 127.0.0.1:BASEPORT .. BASEPORT+N-1,
# waits until each answers /_stcore/health, writes an nginx config from
# deploy/nginx.conf.template into a temp directory and runs nginx on
# 127.0.0.1:PROXYPORT in the foreground. Ctrl-C, SIGTERM or any process dying
# stops all of them and removes the temp directory. Needs Debian's nginx
# (`apt-get install -y nginx`). One replica per core is the usual choice: each
# Streamlit process runs its scripts on one core at a time (the GIL).
set -euo pipefail

usage() { echo "usage: $0 N BASEPORT PROXYPORT [streamlit flags...]" >&2; exit 2; }
[[ $# -ge 3 ]] || usage
n=$1 base=$2 proxy=$3
shift 3
for v in "$n" "$base" "$proxy"; do [[ $v =~ ^[0-9]+$ ]] || usage; done
(( n >= 1 && n <= 64 )) || { echo "N must be 1..64, got $n" >&2; exit 2; }
(( base >= 1024 && base + n - 1 <= 65535 )) || { echo "BASEPORT out of range: $base" >&2; exit 2; }
(( proxy < base || proxy >= base + n )) || { echo "PROXYPORT $proxy is a replica port" >&2; exit 2; }
command -v nginx >/dev/null || { echo "nginx not found: apt-get install -y nginx" >&2; exit 1; }

root=$(cd "$(dirname "$0")/.." && pwd)
python=${PYTHON:-python3}
run_dir=$(mktemp -d "${TMPDIR:-/tmp}/convscope-replicas.XXXXXX")
chmod 755 "$run_dir"  # nginx workers drop root privileges
pids=()

stop() {
    trap - EXIT INT TERM
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for _ in $(seq 100); do  # up to 10 s for a clean stop, then force
        alive=0
        for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
        (( alive )) || break
        sleep 0.1
    done
    for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
    rm -rf "$run_dir"
}
trap stop EXIT
trap 'exit 143' INT TERM

# Streamlit's own frontend files (their names carry a content hash, so they never
# change under a name): nginx serves a gzipped copy, so a new visitor's ~7 MB of
# scripts go out as ~2 MB and take no replica's time. Made while replicas start.
static=$("$python" -c 'import pathlib, streamlit; print(pathlib.Path(streamlit.__file__).parent)')
"$python" - "$static/static/static" "$run_dir/static/static" <<'PY' &
import gzip, shutil, sys
from pathlib import Path
copy = Path(shutil.copytree(sys.argv[1], sys.argv[2]))
for path in list(copy.rglob("*")):
    if path.suffix in {".js", ".css", ".svg", ".json", ".txt"}:
        path.with_name(path.name + ".gz").write_bytes(gzip.compress(path.read_bytes(), 6))
PY
copying=$!

# glibc malloc that gives memory back (same values as the Dockerfile, a test
# compares them): two arenas instead of one per script thread, and buffers of
# 64 KB and more in their own mappings, returned to the system when freed.
export MALLOC_ARENA_MAX=2
export MALLOC_MMAP_THRESHOLD_=65536

# One cookie secret for all replicas: signed cookies stay valid whichever answers.
secret=$("$python" -c 'import secrets; print(secrets.token_hex(32))')
cd "$root"
for (( i = 0; i < n; i++ )); do
    STREAMLIT_SERVER_COOKIE_SECRET=$secret "$python" -m streamlit run "${APP:-streamlit_app.py}" \
        --server.address=127.0.0.1 --server.port=$((base + i)) --server.headless=true \
        --server.fileWatcherType=none "$@" >"$run_dir/replica$i.log" 2>&1 &
    pids+=($!)
done

healthy() { "$python" - "$1" <<'PY'
import sys, time, urllib.request
deadline = time.monotonic() + 90
while time.monotonic() < deadline:
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/_stcore/health", timeout=2)
        sys.exit(0)
    except OSError:
        time.sleep(0.25)
sys.exit(1)
PY
}
for (( i = 0; i < n; i++ )); do
    healthy $((base + i)) || { echo "replica $i did not start:" >&2; cat "$run_dir/replica$i.log" >&2; exit 1; }
done

pool="" upstreams="" cookie_map="" name_map=""
for (( i = 0; i < n; i++ )); do
    addr="127.0.0.1:$((base + i))"
    pool+="        server $addr max_fails=1 fail_timeout=5s;"$'\n'
    upstreams+="    upstream convscope_r$i {"$'\n'"        server $addr max_fails=1 fail_timeout=5s;"$'\n'
    for (( j = 0; j < n; j++ )); do
        (( j == i )) || upstreams+="        server 127.0.0.1:$((base + j)) backup;"$'\n'
    done
    upstreams+="    }"$'\n'
    cookie_map+="        r$i convscope_r$i;"$'\n'
    name_map+="        \"$addr\" r$i;"$'\n'
done
POOL=$pool UPSTREAMS=$upstreams COOKIES=$cookie_map NAMES=$name_map \
LISTEN="127.0.0.1:$proxy" RUN_DIR=$run_dir "$python" - "$root/deploy/nginx.conf.template" \
    >"$run_dir/nginx.conf" <<'PY'
import os, sys
text = open(sys.argv[1]).read()
for marker, name in [("@POOL_SERVERS@", "POOL"), ("@REPLICA_UPSTREAMS@", "UPSTREAMS"),
                     ("@COOKIE_TO_UPSTREAM@", "COOKIES"), ("@ADDRESS_TO_NAME@", "NAMES"),
                     ("@LISTEN@", "LISTEN"), ("@RUN_DIR@", "RUN_DIR")]:
    text = text.replace(marker, os.environ[name].rstrip("\n"))
sys.stdout.write(text)
PY

wait "$copying" || { echo "could not copy Streamlit's static files" >&2; exit 1; }
nginx -t -q -p "$run_dir" -e "$run_dir/error.log" -c "$run_dir/nginx.conf"
nginx -p "$run_dir" -e "$run_dir/error.log" -c "$run_dir/nginx.conf" -g 'daemon off;' &
pids+=($!)
healthy "$proxy" || { echo "nginx did not start:" >&2; cat "$run_dir/error.log" >&2; exit 1; }
echo "convscope: $n replica(s) on 127.0.0.1:$base-$((base + n - 1)), proxy at http://127.0.0.1:$proxy/"

# Until any of them exits (or a signal arrives); then stop the rest.
set +e
wait -n "${pids[@]}"
echo "a replica or nginx exited; stopping the rest" >&2
exit 1
