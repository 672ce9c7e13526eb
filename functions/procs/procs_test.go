package procs_test

import (
	"fmt"
	"testing"

	"signin/functions/procs"
)

func TestForLambda(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		ncpu int
		want int
	}{
		{"128 MB: one", map[string]string{"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128"}, 2, 1},
		{"one vCPU exactly", map[string]string{"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "1769"}, 2, 1},
		{"just over one vCPU", map[string]string{"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "1770"}, 2, 2},
		{"10 GB: the CPUs shown", map[string]string{"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "10240"}, 6, 6},
		{"GOMAXPROCS set: Go's default, which reads it", map[string]string{"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128", "GOMAXPROCS": "4"}, 2, 0},
		{"not on Lambda: Go's default", map[string]string{}, 2, 0},
		{"malformed memory size: Go's default", map[string]string{"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128MB"}, 2, 0},
		{"zero memory size: Go's default", map[string]string{"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "0"}, 2, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := procs.ForLambda(func(k string) string { return tt.env[k] }, tt.ncpu); got != tt.want {
				t.Errorf("ForLambda = %d, want %d", got, tt.want)
			}
		})
	}
}

func ExampleForLambda() {
	env := map[string]string{"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "3008"}
	fmt.Println(procs.ForLambda(func(k string) string { return env[k] }, 2))
	// Output: 2
}
