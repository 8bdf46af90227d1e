// Package policyengines measures iamd's policy engine beside three peers (cedar-go, minio/pkg's
// policy package and OPA's Rego) on one workload: the same IAM identity policy, translated into
// each engine's language, and the same requests, prepared once so that only the decision is
// timed. A test checks that the four engines decide every request alike, and records the
// requests where a peer's language cannot say what IAM says.
//
// It is a module of its own so that iamd's go.mod never depends on the peers; it uses the
// working tree's policy package through a replace directive.
package policyengines
