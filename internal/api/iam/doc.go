// Package iam is the generated AWS Query wire layer of IAM (API version 2010-05-08): a Go type
// for every shape an operation uses, decoding and validation of the request form, XML encoding
// of the results, the Service interface with one method per operation, and the Operations table.
// Everything but this file is generated from ../models/iam.json; run go generate to refresh it.
package iam

//go:generate go run ../gen -model ../models/iam.json -pkg iam -out zz_generated.go
