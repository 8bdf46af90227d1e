#!/usr/bin/env bash
# ab.sh compares two iamd server binaries by alternating bench/cpu.sh runs (A B A B …), so both
# see the same moods of a shared machine, and prints each one's median and range of server CPU
# per request and of requests/s. The load tool is B's binary for both. Not part of the tests.
#
#   bench/ab.sh ROUNDS OP BIN_A BIN_B      e.g. bench/ab.sh 8 assume-role /tmp/iamd-before /tmp/iamd
#   SECS=4 (per run)
set -euo pipefail
rounds=${1:?rounds}
op=${2:?op}
a=${3:?binary A}
b=${4:?binary B}
here=$(cd "$(dirname "$0")" && pwd)
for _ in $(seq "$rounds"); do
	for bin in "$a" "$b"; do
		echo "$bin $("$here/cpu.sh" "$op" "${SECS:-4}" "$bin" "$b")"
	done
done | tee /dev/stderr | python3 -c '
import re, statistics, sys
runs = {}
for line in sys.stdin:
    m = re.search(r"^(\S+)\s+(\d+) req/s.*server ([\d.]+)", line)
    if m:
        runs.setdefault(m.group(1), []).append((float(m.group(3)), int(m.group(2))))
for name, v in runs.items():
    cpu, rps = sorted(x[0] for x in v), sorted(x[1] for x in v)
    print(f"{name}: server µs/req median {statistics.median(cpu):.1f} ({cpu[0]:.1f}–{cpu[-1]:.1f}), "
          f"req/s median {statistics.median(rps):.0f} ({rps[0]}–{rps[-1]})")
'
