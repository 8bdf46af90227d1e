#!/usr/bin/env bash
# cpu.sh runs one `iamd bench` load against a fresh `iamd serve` and reports requests/s, p99
# and the CPU each side spent per request: the server's utime+stime from /proc/PID/stat, the
# load tool's from /usr/bin/time. "total" is the machine's CPU per request; on a 2-core box,
# 2,000,000 µs / total caps the rate. Not part of the tests.
#
#   bench/cpu.sh OP SECONDS [SERVER_BIN [BENCH_BIN]]     e.g. bench/cpu.sh assume-role 4
#   SERVER_ENV='GOGC=100' bench/cpu.sh assume-role 4     # environment for the server only
#
# Without binaries, iamd is built from this tree and serves as both.
set -euo pipefail
op=${1:?op}
secs=${2:-4}
source "$(dirname "$0")/lib.sh"
srv=${3:-}
if [[ -z $srv ]]; then
	here=$(cd "$(dirname "$0")/.." && pwd)
	(cd "$here" && go build -o "$work/iamd" ./cmd/iamd)
	srv=$work/iamd
fi
bench=${4:-$srv}
env ${SERVER_ENV:-} "$srv" serve --addr 127.0.0.1:18901 --data "$work/data" >/dev/null 2>&1 &
pid=$!
wait_up http://127.0.0.1:18901
s0=$(awk '{print $14+$15}' "/proc/$pid/stat")
out=$({ /usr/bin/time -f "CLIENT %U %S" "$bench" bench --endpoint http://127.0.0.1:18901 --op "$op" -c "${CONCURRENCY:-8}" \
	-d "${secs}s" --warmup 0s --progress=false --json 2>&1; })
s1=$(awk '{print $14+$15}' "/proc/$pid/stat")
python3 - "$out" "$s0" "$s1" "$(getconf CLK_TCK)" <<'PY'
import json, re, sys
out, s0, s1, tck = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
j = json.loads(out[out.index("{"):out.rindex("}") + 1])
m = re.search(r"CLIENT ([\d.]+) ([\d.]+)", out)
n = j["requests"]
client = (float(m.group(1)) + float(m.group(2))) * 1e6 / n
server = (s1 - s0) / tck * 1e6 / n
print(f"{j['requestsPerSecond']:8.0f} req/s  p99 {j['p99Micros'] / 1000:.2f} ms  errors {j.get('errors') or {}}  "
      f"server {server:.1f} µs/req  client {client:.1f} µs/req  total {server + client:.1f}")
PY
