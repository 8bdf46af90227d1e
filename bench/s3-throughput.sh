#!/usr/bin/env bash
# s3-throughput.sh measures large-object throughput through iamd's S3 front against the same
# backend served bare (bench/s3direct.go: internal/s3/local with nothing in front), side by side
# in one run, alternating the two for ROUNDS rounds; and the memory a 1 GiB PUT and GET add to
# the iamd process (VmHWM, the peak resident set, before and after). Not part of the tests.
#
#   bench/s3-throughput.sh [SECONDS [ROUNDS]]        e.g. bench/s3-throughput.sh 6 3
#   SIZE=64MiB CONCURRENCY=2 bench/s3-throughput.sh  # object size and connections
#   IAMD=/path/to/iamd bench/s3-throughput.sh            # measure that build of iamd
#   VERSITYGW=/path/to/versitygw bench/s3-throughput.sh   # the backend is a versitygw (posix),
#       served bare and behind iamd (--s3-backend http://…), with the same credentials
set -euo pipefail
secs=${1:-6}
rounds=${2:-3}
size=${SIZE:-64MiB}
conc=${CONCURRENCY:-2}
source "$(dirname "$0")/lib.sh"
here=$(cd "$(dirname "$0")/.." && pwd)
(cd "$here" && go build -o "$work/iamd" ./cmd/iamd && go build -o "$work/s3direct" bench/s3direct.go)
[[ -n ${IAMD:-} ]] && cp "$IAMD" "$work/iamd" # another build of iamd, e.g. to compare revisions
backend=()
if [[ -n ${VERSITYGW:-} ]]; then
	mkdir -p "$work/direct"
	env -u AWS_CA_BUNDLE "$VERSITYGW" --access "$AWS_ACCESS_KEY_ID" --secret "$AWS_SECRET_ACCESS_KEY" \
		--port 127.0.0.1:18912 posix "$work/direct" >/dev/null 2>&1 &
	backend=(--s3-backend http://127.0.0.1:18912)
	export IAMD_S3_BACKEND_ACCESS_KEY_ID=$AWS_ACCESS_KEY_ID IAMD_S3_BACKEND_SECRET_ACCESS_KEY=$AWS_SECRET_ACCESS_KEY
else
	"$work/s3direct" 127.0.0.1:18912 "$work/direct" >/dev/null 2>&1 &
fi
dpid=$!
until curl -s -o /dev/null http://127.0.0.1:18912/; do sleep 0.01; done
"$work/iamd" serve --addr 127.0.0.1:18911 --data "$work/data" --audit=false "${backend[@]}" >/dev/null 2>&1 &
pid=$!
trap 'kill $dpid 2>/dev/null || true; cleanup' EXIT
wait_up http://127.0.0.1:18911
run() { # endpoint op → MB/s
	"$work/iamd" bench --endpoint "$1" --op "$2" --large-object-size "$size" -c "$conc" -d "${secs}s" \
		--warmup 1s --progress=false --json --bucket "bench-$3" 2>/dev/null |
		python3 -c 'import json,sys; j=json.load(sys.stdin); print("%.0f %d" % (j["megabytesPerSecond"], j.get("errors") and sum(j["errors"].values()) or 0))'
}
for op in s3-put-large s3-get-large; do
	for ((i = 1; i <= rounds; i++)); do
		read -r d de < <(run http://127.0.0.1:18912 "$op" direct)
		read -r f fe < <(run http://127.0.0.1:18911 "$op" front)
		python3 -c "import sys; d,f=float(sys.argv[1]),float(sys.argv[2]); print(f'$op round $i: direct {d:.0f} MB/s  iamd {f:.0f} MB/s  iamd/direct {100*f/d:.1f} %  errors {sys.argv[3]}/{sys.argv[4]}')" "$d" "$f" "$de" "$fe"
	done
done
hwm() { awk '/VmHWM/ {print $2}' "/proc/$pid/status"; }
before=$(hwm)
"$work/iamd" bench --endpoint http://127.0.0.1:18911 --op s3-put-large --large-object-size 1GiB -c 1 -n 1 --warmup 0s --duration 0 --progress=false --bucket bench-gib >/dev/null
"$work/iamd" bench --endpoint http://127.0.0.1:18911 --op s3-get-large --large-object-size 1GiB -c 1 -n 1 --warmup 0s --duration 0 --progress=false --bucket bench-gib >/dev/null
after=$(hwm)
echo "1 GiB PUT then GET through iamd: peak RSS ${before} KiB before, ${after} KiB after (+$(((after - before) / 1024)) MiB)"
