//go:build unix

package sigv4

import "syscall"

// processCPU returns the CPU time this process has used (user + system), so benchmarks can
// report cost per operation independently of other load on a shared machine.
func processCPU() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
