// Package sts is the generated AWS Query wire layer of STS (API version 2011-06-15): a Go type
// for every shape an operation uses, decoding and validation of the request form, XML encoding
// of the results, the Service interface with one method per operation, and the Operations table.
// Everything but this file is generated from ../models/sts.json; run go generate to refresh it.
package sts

//go:generate go run ../gen -model ../models/sts.json -pkg sts -out zz_generated.go
