// Package protocoltest holds the generated code of botocore's AWS Query protocol test suites
// (testdata/botocore-protocol-tests, with botocore's licence), produced by the same generator as the
// iam and sts packages, and the conformance tests that run the suites' cases through it.
package protocoltest

//go:generate go run ../gen -protocoltests testdata/botocore-protocol-tests/input-query.json,testdata/botocore-protocol-tests/output-query.json -pkg protocoltest -out zz_generated.go
