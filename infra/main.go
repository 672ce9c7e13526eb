// Command infra is the Pulumi program of this repository (Pulumi.yaml names
// it): it validates the stack's configuration and the route table, builds
// the functions' archives into build/ as `make build` does, and declares the
// whole system with package stack.
package main

import (
	"context"
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"signin/functions/bundle"
	"signin/functions/gateway"
	"signin/functions/routecheck"
	"signin/infra/config"
	"signin/infra/function"
	"signin/infra/repo"
	"signin/infra/stack"
)

func main() {
	pulumi.Run(func(ctx *pulumi.Context) error {
		_, err := program(ctx, gateway.Routes, function.BuildAll)
		return err
	})
}

// builder builds the archive of each function named into the folder
// outDir, as function.BuildAll does.
type builder func(ctx context.Context, outDir string, names []string) (map[string]function.Code, error)

// program is what `pulumi up` runs: the configuration, then the route
// table (routecheck.Check, as `make build`, `make dev` and `make routes`
// run it), are validated against this repository's rules and AWS's limits
// before anything is built or declared, so a bad route or a setting AWS
// would refuse fails `pulumi preview` with one message naming every
// problem. It returns the stack outputs it exported.
func program(ctx *pulumi.Context, routes gateway.Table, build builder) (stack.Outputs, error) {
	cfg, err := config.Load(ctx)
	if err != nil {
		return nil, err
	}
	root, err := repo.Find()
	if err != nil {
		return nil, err
	}
	functions, err := bundle.ModuleDir(ctx.Context())
	if err != nil {
		return nil, err
	}
	if err := routecheck.Check(functions, routes, routecheck.Stack{ClientID: cfg.GoogleClientID, Access: cfg.Authorizer}); err != nil {
		return nil, fmt.Errorf("invalid configuration of stack %s: %w", ctx.Stack(), err)
	}
	code, err := build(ctx.Context(), repo.BuildDir(root), routes.Functions())
	if err != nil {
		return nil, err
	}
	return stack.Declare(ctx, cfg, stack.Sources{Routes: routes, Code: code})
}
