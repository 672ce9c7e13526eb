package stacktest

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"signin/functions/gateway"
	"signin/infra/config"
	"signin/infra/function"
	"signin/infra/repo"
	"signin/infra/stack"
)

// WithConfig sets the stack's configuration, as Pulumi.<stack>.yaml would.
func WithConfig(cfg map[string]string) pulumi.RunOption {
	return func(info *pulumi.RunInfo) { info.Config = cfg }
}

var (
	buildOnce  sync.Once
	builtCode  map[string]function.Code
	buildError error
)

// Build builds the real archives of every function of the route table
// once per test binary (function.BuildAll), and returns those of names: a
// builder for the program.
func Build(ctx context.Context, outDir string, names []string) (map[string]function.Code, error) {
	buildOnce.Do(func() {
		builtCode, buildError = function.BuildAll(context.WithoutCancel(ctx), outDir, gateway.Routes.Functions())
	})
	code := map[string]function.Code{}
	for _, name := range names {
		c, ok := builtCode[name]
		if !ok && buildError == nil {
			return nil, fmt.Errorf("no archive built for %s", name)
		}
		code[name] = c
	}
	return code, buildError
}

// Declare declares the stack for the route table routes against m with the
// configuration cfg, as the program does once the configuration and the
// table passed their checks: the settings (config.Load), the functions'
// archives (Build) and every resource (stack.Declare).
func Declare(m *Mocks, cfg map[string]string, routes gateway.Table) error {
	return pulumi.RunErr(func(ctx *pulumi.Context) error {
		settings, err := config.Load(ctx)
		if err != nil {
			return err
		}
		root, err := repo.Find()
		if err != nil {
			return err
		}
		code, err := Build(ctx.Context(), repo.BuildDir(root), routes.Functions())
		if err != nil {
			return err
		}
		_, err = stack.Declare(ctx, settings, stack.Sources{Routes: routes, Code: code})
		return err
	}, pulumi.WithMocks(Project, Stack, m), WithConfig(cfg))
}

// Deploy declares the stack for gateway.Routes with cfg against m (new
// mocks when nil), which it returns, and fails t on an error or an
// unreadable stack file.
func Deploy(t testing.TB, m *Mocks, cfg map[string]string) *Mocks {
	t.Helper()
	if path, _, err := StackFile(); err != nil {
		t.Fatalf("the stack's file %s: %v", path, err)
	}
	if m == nil {
		m = &Mocks{}
	}
	if err := Declare(m, cfg, gateway.Routes); err != nil {
		t.Fatalf("declaring the stack failed: %v", err)
	}
	return m
}
