// Command infra is the Pulumi program of this repository (Pulumi.yaml names
// it): it validates the stack's configuration, builds the functions'
// archives into build/ as `make build` does, and declares the whole system
// with package stack.
package main

import (
	"context"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"signin/infra/config"
	"signin/infra/function"
	"signin/infra/repo"
	"signin/infra/stack"
	"signin/site"
)

func main() {
	pulumi.Run(func(ctx *pulumi.Context) error {
		_, err := program(ctx, buildFunctions)
		return err
	})
}

// builder builds the archive of every function of the repository at root.
type builder func(ctx context.Context, root string) (map[string]function.Code, error)

// program is what `pulumi up` runs: the configuration is validated before
// anything is built or declared. It returns the stack outputs it exported.
func program(ctx *pulumi.Context, build builder) (stack.Outputs, error) {
	cfg, err := config.Load(ctx)
	if err != nil {
		return nil, err
	}
	root, err := repo.Find()
	if err != nil {
		return nil, err
	}
	code, err := build(ctx.Context(), root)
	if err != nil {
		return nil, err
	}
	return stack.Declare(ctx, cfg, stack.Sources{Code: code, Site: site.Files()})
}

// buildFunctions builds every function into the repository's build folder.
func buildFunctions(ctx context.Context, root string) (map[string]function.Code, error) {
	code := map[string]function.Code{}
	for _, name := range append([]string{stack.AuthorizerFunction}, stack.RouteFunctions...) {
		c, err := function.Build(ctx, repo.FunctionsDir(root), repo.BuildDir(root), name)
		if err != nil {
			return nil, err
		}
		code[name] = c
	}
	return code, nil
}
