#!/usr/bin/env bash
# scale.sh measures iamd at growing store sizes: for each N, a fresh data directory with N
# users (2N access keys) and N roles; it reports the populate time, the start time (until
# /healthz answers), the resident memory after start and after load, and GetCallerIdentity
# (signed with one of the N users' keys) and AssumeRole throughput. Not part of the tests.
#
#   bench/scale.sh [SECONDS] N...      e.g. bench/scale.sh 5 1000 10000 100000
set -euo pipefail
secs=${1:-5}
shift
sizes=("${@:-1000 10000}")
here=$(cd "$(dirname "$0")/.." && pwd)
source "$(dirname "$0")/lib.sh"
(cd "$here" && go build -o "$work/iamd" ./cmd/iamd && go build -o "$work/populate" bench/populate.go)
url=http://127.0.0.1:18811

start() { # dir; sets pid, and ms to the milliseconds until /healthz answers
	local t0 t1
	t0=$(date +%s%N)
	"$work/iamd" serve --addr 127.0.0.1:18811 --data "$1" >>"$work/serve.log" 2>&1 &
	pid=$!
	wait_up "$url"
	t1=$(date +%s%N)
	ms=$(((t1 - t0) / 1000000))
}
stop() { kill "$pid"; wait "$pid" 2>/dev/null || true; pid=; }
rss() { awk '/VmRSS/ {printf "%.0f MB", $2/1024}' "/proc/$pid/status"; }
rps() { python3 -c 'import json,sys; d=json.load(sys.stdin); print("%.0f req/s p99 %.2f ms errors %s" % (d["requestsPerSecond"], d["p99Micros"]/1000, d.get("errors") or {}))'; }

printf '%-8s %-10s %-8s %-10s %-36s %-36s %s\n' N populate start rss-start GetCallerIdentity AssumeRole rss-after
for n in ${sizes[@]}; do
	dir=$work/data-$n
	start "$dir"
	stop
	t0=$(date +%s%N)
	read -r kid ksecret karn < <("$work/populate" -data "$dir" -users "$n" -roles "$n" 2>>"$work/populate.log")
	pop=$((($(date +%s%N) - t0) / 1000000))
	start "$dir"
	r0=$(rss)
	gci=$(AWS_ACCESS_KEY_ID=$kid AWS_SECRET_ACCESS_KEY=$ksecret "$work/iamd" bench --endpoint $url \
		--op get-caller-identity -c 8 -d "${secs}s" --warmup 1s --progress=false --json | rps)
	ar=$(AWS_ACCESS_KEY_ID=$kid AWS_SECRET_ACCESS_KEY=$ksecret "$work/iamd" bench \
		--endpoint $url --op assume-role --role-arn "$karn" -c 8 -d "${secs}s" --warmup 1s --progress=false --json | rps)
	r1=$(rss)
	stop
	printf '%-8s %-10s %-8s %-10s %-36s %-36s %s\n' "$n" "${pop}ms" "${ms}ms" "$r0" "$gci" "$ar" "$r1"
done
