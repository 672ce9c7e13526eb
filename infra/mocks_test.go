package main

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"signin/functions/authorizer"
	"signin/functions/bundle"
	"signin/functions/gateway"
	"signin/functions/routecheck"
	"signin/infra/internal/stacktest"
)

// mustGroups parses the groups of raw (none when it is empty).
func mustGroups(t *testing.T, raw string) authorizer.Groups {
	t.Helper()
	if raw == "" {
		return nil
	}
	g, err := authorizer.ParseGroups(raw)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// run runs the program against m with the configuration cfg.
func run(m *stacktest.Mocks, cfg map[string]string) error {
	return runRoutes(m, cfg, gateway.Routes)
}

// runRoutes runs the program for the route table routes against m with
// the configuration cfg. When the program succeeds, every input it
// declared must be one AWS accepts (checkInputs), so every configuration a
// test builds is checked as the golden snapshots are.
func runRoutes(m *stacktest.Mocks, cfg map[string]string, routes gateway.Table) error {
	if err := runProgram(m, cfg, routes); err != nil {
		return err
	}
	snaps, err := stacktest.Snapshots(m)
	if err != nil {
		return err
	}
	return checkInputs(snaps)
}

// runProgram runs the program alone for the route table routes against m
// with the configuration cfg.
func runProgram(m *stacktest.Mocks, cfg map[string]string, routes gateway.Table) error {
	return pulumi.RunErr(func(ctx *pulumi.Context) error {
		_, err := program(ctx, routes, stacktest.Build)
		return err
	}, pulumi.WithMocks(stacktest.Project, stacktest.Stack, m), stacktest.WithConfig(cfg))
}

// deploy runs the program with cfg and fails the test on an error.
func deploy(t *testing.T, m *stacktest.Mocks, cfg map[string]string) *stacktest.Mocks {
	t.Helper()
	if m == nil {
		m = &stacktest.Mocks{}
	}
	if err := run(m, cfg); err != nil {
		t.Fatalf("the program failed: %v", err)
	}
	return m
}

// TestMain reads the stack's configuration and checks the route table
// against the function commands and the stack's groups once: every test of
// this package declares the program from them, so a wrong table or an
// undefined group is one message, not one per test. (`make test` checks
// them before any test: make routes.)
func TestMain(m *testing.M) {
	dir, err := bundle.ModuleDir(context.Background())
	path, _, err2 := stacktest.StackFile()
	if err == nil {
		err = err2
	}
	var stack routecheck.Stack
	if err == nil {
		stack, err = routecheck.LoadStack(path)
	}
	if err == nil {
		err = routecheck.Check(dir, gateway.Routes, stack)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "the route table or the stack's configuration is wrong, and every test of signin/infra declares them:", err)
		os.Exit(1)
	}
	os.Exit(m.Run())
}
