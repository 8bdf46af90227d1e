#!/usr/bin/env bash
# compare.sh runs the same `iamd bench` workload against iamd, moto's server and (when a minio
# binary is on PATH or in $MINIO) MinIO's STS, interleaved A B C A B C …, and prints the median
# requests/s and p99 of each target and iamd's ratio to each peer. Not part of the tests.
#
#   bench/compare.sh [OP] [ROUNDS] [SECONDS] [CONCURRENCY]
#   OP: get-caller-identity (default) | assume-role
#
# Everything runs on loopback; the servers are stopped at the end.
set -euo pipefail
op=${1:-get-caller-identity}
rounds=${2:-3}
secs=${3:-5}
conc=${4:-8}
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE
export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
export AWS_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true
unset AWS_SESSION_TOKEN AWS_PROFILE AWS_ENDPOINT_URL || true

(cd "$here" && go build -o "$work/iamd" ./cmd/iamd)
IAMD_ACCOUNT_ID=123456789012 IAMD_ROOT_ACCESS_KEY_ID=$AWS_ACCESS_KEY_ID \
	IAMD_ROOT_SECRET_ACCESS_KEY=$AWS_SECRET_ACCESS_KEY \
	"$work/iamd" serve --addr 127.0.0.1:18801 --data "$work/iamd-data" >"$work/iamd.log" 2>&1 &
pids+=($!)
targets=("iamd=http://127.0.0.1:18801")

python3 -m moto.server -H 127.0.0.1 -p 18802 >"$work/moto.log" 2>&1 &
pids+=($!)
targets+=("moto=http://127.0.0.1:18802")

minio=${MINIO:-$(command -v minio || true)}
if [[ -n "$minio" && "$op" == assume-role ]]; then
	MINIO_ROOT_USER=minioadmin MINIO_ROOT_PASSWORD=minioadmin-secret \
		"$minio" server "$work/minio-data" --address 127.0.0.1:18803 --quiet >"$work/minio.log" 2>&1 &
	pids+=($!)
	targets+=("minio=http://127.0.0.1:18803")
fi

wait_up() { # url
	for _ in $(seq 100); do
		curl -s -o /dev/null "$1" && return 0
		sleep 0.2
	done
	echo "compare.sh: $1 did not come up" >&2
	return 1
}
for t in "${targets[@]}"; do wait_up "${t#*=}"; done

for r in $(seq "$rounds"); do
	for t in "${targets[@]}"; do
		name=${t%%=*} url=${t#*=}
		extra=()
		if [[ $name == minio ]]; then
			export AWS_ACCESS_KEY_ID=minioadmin AWS_SECRET_ACCESS_KEY=minioadmin-secret
			extra=(--role-arn arn:minio:iam:::role/dummy)
		else
			export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
		fi
		"$work/iamd" bench --endpoint "$url" --op "$op" -c "$conc" -d "${secs}s" --warmup 1s \
			--progress=false --json "${extra[@]}" >"$work/$name.$r.json"
		echo "round $r $name: $(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print("%.0f req/s, p99 %.2f ms, errors %s" % (d["requestsPerSecond"], d["p99Micros"]/1000, d.get("errors") or {}))' "$work/$name.$r.json")"
	done
done

python3 - "$work" "$op" "${targets[@]}" <<'PY'
import json, statistics, sys, glob, os
work, op, targets = sys.argv[1], sys.argv[2], [t.split("=")[0] for t in sys.argv[3:]]
med = {}
print(f"\n{op}: median of rounds")
for t in targets:
    runs = [json.load(open(f)) for f in sorted(glob.glob(os.path.join(work, t + ".*.json")))]
    rps = statistics.median(r["requestsPerSecond"] for r in runs)
    p99 = statistics.median(r["p99Micros"] for r in runs) / 1000
    errs = sum(sum((r.get("errors") or {}).values()) for r in runs)
    med[t] = rps
    print(f"  {t:6} {rps:9.0f} req/s  p99 {p99:7.2f} ms  errors {errs}")
for t in targets[1:]:
    if med[t] > 0:
        print(f"  iamd / {t}: {med['iamd'] / med[t]:.1f}x")
PY
