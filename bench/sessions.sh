#!/usr/bin/env bash
# sessions.sh shows that GetCallerIdentity with temporary credentials does not slow down as
# sessions are issued (tokens are stateless: issuing one writes nothing): it measures
# GetCallerIdentity signed with a role session, issues sessions with AssumeRole up to each
# total in TOTALS, and measures again at each, with the server's resident memory. Not part of
# the tests.
#
#   bench/sessions.sh [TOTALS] [SECONDS]     e.g. bench/sessions.sh "10000 100000 1000000" 5
set -euo pipefail
totals=${1:-100000}
secs=${2:-5}
here=$(cd "$(dirname "$0")/.." && pwd)
source "$(dirname "$0")/lib.sh"
(cd "$here" && go build -o "$work/iamd" ./cmd/iamd)
url=http://127.0.0.1:18821
"$work/iamd" serve --addr 127.0.0.1:18821 --data "$work/data" >"$work/serve.log" 2>&1 &
pid=$!
wait_up "$url"

# A user, its key, a role trusting it, and one session of that role (boto3, as a client would).
read -r ukey usecret role skey ssecret stoken < <(python3 - "$url" <<'PY'
import json, sys, boto3
url = sys.argv[1]
iam = boto3.client("iam", endpoint_url=url)
iam.create_user(UserName="sess-bench")
k = iam.create_access_key(UserName="sess-bench")["AccessKey"]
trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
         "Principal": {"AWS": "arn:aws:iam::123456789012:user/sess-bench"}}]}
arn = iam.create_role(RoleName="sess-bench", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
sts = boto3.client("sts", endpoint_url=url, aws_access_key_id=k["AccessKeyId"], aws_secret_access_key=k["SecretAccessKey"])
c = sts.assume_role(RoleArn=arn, RoleSessionName="bench", DurationSeconds=3600)["Credentials"]
print(k["AccessKeyId"], k["SecretAccessKey"], arn, c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"])
PY
)
rss() { awk '/VmRSS/ {printf "%.0f MB", $2/1024}' "/proc/$pid/status"; }
gci() {
	AWS_ACCESS_KEY_ID=$skey AWS_SECRET_ACCESS_KEY=$ssecret AWS_SESSION_TOKEN=$stoken "$work/iamd" bench \
		--endpoint $url --op get-caller-identity -c 8 -d "${secs}s" --warmup 1s --progress=false --json |
		python3 -c 'import json,sys; d=json.load(sys.stdin); print("%.0f req/s p99 %.2f ms errors %s" % (d["requestsPerSecond"], d["p99Micros"]/1000, d.get("errors") or {}))'
}
echo "sessions issued: 1        GetCallerIdentity (session credentials): $(gci)  rss $(rss)"
issued=1
for total in $totals; do
	n=$((total - issued))
	AWS_ACCESS_KEY_ID=$ukey AWS_SECRET_ACCESS_KEY=$usecret "$work/iamd" bench --endpoint $url --op assume-role \
		--role-arn "$role" -n "$n" -d 0 -c 8 --warmup 0 --progress=false --json |
		python3 -c 'import json,sys; d=json.load(sys.stdin); print("issued %d more sessions: %.0f req/s, errors %s" % (d["requests"], d["requestsPerSecond"], d.get("errors") or {}))'
	issued=$total
	echo "sessions issued: $issued   GetCallerIdentity (session credentials): $(gci)  rss $(rss)"
done