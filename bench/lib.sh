# lib.sh is sourced by the bench scripts (cpu.sh, scale.sh, sessions.sh): a scratch directory
# $work, removed at exit together with the server whose pid is in $pid; the example credentials
# the server's root user and the load tool share; wait_up URL waits until a server answers.
work=$(mktemp -d)
pid=
cleanup() {
	[[ -n $pid ]] && kill "$pid" 2>/dev/null || true
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
export AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true
export IAMD_ACCOUNT_ID=123456789012 IAMD_ROOT_ACCESS_KEY_ID=$AWS_ACCESS_KEY_ID IAMD_ROOT_SECRET_ACCESS_KEY=$AWS_SECRET_ACCESS_KEY
wait_up() { until curl -sf -o /dev/null "$1/healthz"; do sleep 0.01; done; }
