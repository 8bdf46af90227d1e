//go:build !unix

package sigv4

func processCPU() int64 { return 0 }
