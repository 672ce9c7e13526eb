package main

import (
	"testing"

	"signin/functions/gateway"
)

// BenchmarkProgram measures what the program costs Pulumi on every preview
// and up, besides AWS: validating the configuration and declaring every
// resource (the archives are built once, before the timer).
func BenchmarkProgram(b *testing.B) {
	if err := run(&mocks{}, testConfig()); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := runProgram(&mocks{}, testConfig(), gateway.Routes); err != nil {
			b.Fatal(err)
		}
	}
}
