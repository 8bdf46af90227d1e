// Package protocoltest holds the generated code of botocore's AWS Query protocol test suites
// (../../../../shared/testdata/botocore-protocol-tests), produced by the same generator as the
// iam and sts packages, and the conformance tests that run the suites' cases through it.
package protocoltest

//go:generate go run ../gen -protocoltests ../../../../shared/testdata/botocore-protocol-tests/input-query.json,../../../../shared/testdata/botocore-protocol-tests/output-query.json -pkg protocoltest -out zz_generated.go
