package main

import (
	"path/filepath"
	"testing"

	"signin/functions/gateway"
	"signin/infra/internal/golden"
	"signin/infra/internal/stacktest"
)

// Every resource the program declares, with its inputs, parent, provider
// and dependencies, is in a golden file, so a reviewer sees every
// infrastructure change as a diff: testdata/resources.golden.json for the
// default configuration, testdata/resources.options.golden.json with every
// option set and a route restricted to a group (stacktest.OptionsRoutes). What depends on the Go toolchain (the archives' bytes) or on
// the page's content (another part's files) is recorded by name only.
func TestResourcesMatchTheGoldenSnapshot(t *testing.T) {
	for _, c := range []struct {
		file   string
		cfg    map[string]string
		routes gateway.Table
	}{
		{"resources.golden.json", stacktest.SnapshotConfig(), gateway.Routes},
		{"resources.options.golden.json", stacktest.OptionsConfig(), stacktest.OptionsRoutes()},
	} {
		t.Run(c.file, func(t *testing.T) {
			m := &stacktest.Mocks{}
			if err := runRoutes(m, c.cfg, c.routes); err != nil {
				t.Fatalf("the program failed: %v", err)
			}
			golden.CheckDiff(t, filepath.Join("testdata", c.file), stacktest.JSON(t, m), stacktest.Diff)
		})
	}
}
