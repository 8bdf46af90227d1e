// Package deps holds no code: its test enforces the project's dependency rules (which package may
// import which), in the manner of Go's own go/build deps_test.
package deps
