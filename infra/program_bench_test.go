package main

import (
	"testing"

	"signin/functions/gateway"
	"signin/infra/internal/stacktest"
)

// BenchmarkProgram measures what the program costs Pulumi on every preview
// and up, besides AWS: validating the configuration and declaring every
// resource (the archives are built once, before the timer).
func BenchmarkProgram(b *testing.B) {
	if err := run(&stacktest.Mocks{}, stacktest.Config()); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := runProgram(&stacktest.Mocks{}, stacktest.Config(), gateway.Routes); err != nil {
			b.Fatal(err)
		}
	}
}
