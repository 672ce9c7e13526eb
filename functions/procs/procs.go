// Package procs sizes GOMAXPROCS to the CPU Lambda gives a function: a
// share in proportion to its memory, one full vCPU at 1,769 MB, while the
// machine shows the function two or more CPUs. Go's default, one P per
// CPU shown (at least two under a cgroup limit), then runs threads that
// spin looking for work and burn a share they do not have: at 128 MB
// (7.2% of a vCPU) they cost the cold start a tenth of its CPU time
// (docs/performance.md).
package procs

import (
	"os"
	"runtime"
	"strconv"
)

// VCPUMemoryMB is the memory size at which Lambda gives a function one
// full vCPU.
const VCPUMemoryMB = 1769

// ForLambda returns the GOMAXPROCS for a function with the environment
// getenv on a machine showing ncpu CPUs: its memory size
// (AWS_LAMBDA_FUNCTION_MEMORY_SIZE, in MB) in vCPUs, rounded up, at most
// ncpu. It returns 0, meaning Go's default, when GOMAXPROCS is set in the
// environment or the memory size is missing or not a positive number.
func ForLambda(getenv func(string) string, ncpu int) int {
	if getenv("GOMAXPROCS") != "" {
		return 0
	}
	mb, err := strconv.Atoi(getenv("AWS_LAMBDA_FUNCTION_MEMORY_SIZE"))
	if err != nil || mb <= 0 {
		return 0
	}
	return min((mb+VCPUMemoryMB-1)/VCPUMemoryMB, max(ncpu, 1))
}

// SetForLambda sets GOMAXPROCS as ForLambda says for this process.
func SetForLambda() {
	if n := ForLambda(os.Getenv, runtime.NumCPU()); n > 0 {
		runtime.GOMAXPROCS(n)
	}
}
