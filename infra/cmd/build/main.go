// Command build writes the deployment archive of each function of the route
// table (gateway.Routes, the authorizer included) to a folder, as `make
// build` runs it from the repository's root:
//
//	go run ./infra/cmd/build -o build [-stack dev] [function ...]
//
// writes build/authorizer.zip, build/hello.zip, build/me.zip, ..., built for
// Lambda (linux/arm64) with the build definition of package bundle. With no
// function named, it builds every function. It runs the route check first
// (routecheck.Check, as the Pulumi program and `make dev` do: the table, the
// function commands, the stack's groups from Pulumi.<stack>.yaml and AWS's
// quotas), and links neither the Pulumi program nor its SDK. With -check it
// only checks and builds nothing: `make routes`, which `make test` runs
// first, so a wrong table or a group the stack does not define stops it
// with one message naming every problem.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"slices"

	"signin/functions/bundle"
	"signin/functions/gateway"
	"signin/functions/routecheck"
	"signin/functions/stackfile"
)

func main() {
	out := flag.String("o", "build", "the folder to write the archives to")
	dir := flag.String("C", "", "the root of the functions module (default: the repository's functions/)")
	check := flag.Bool("check", false, "only check the route table; build nothing")
	stack := flag.String("stack", stackfile.DefaultStack, "the stack whose configuration (Pulumi.<stack>.yaml, beside functions/) the route table is checked against")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if *check {
		if _, err := checked(ctx, *dir, *stack); err != nil {
			fmt.Fprintln(os.Stderr, "the route table (functions/gateway/routes.go) or the stack's configuration is wrong:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(ctx, *dir, *stack, *out, flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "build:", err)
		os.Exit(1)
	}
}

// checked runs the route check for the functions module at dir (empty: the
// workspace's) and the stack's configuration, the stack file beside the
// module, and returns the module's directory.
func checked(ctx context.Context, dir, stack string) (string, error) {
	if dir == "" {
		var err error
		if dir, err = bundle.ModuleDir(ctx); err != nil {
			return "", err
		}
	}
	st, err := routecheck.LoadStack(filepath.Join(filepath.Dir(dir), stackfile.FileName(stack)))
	if err != nil {
		return "", err
	}
	return dir, routecheck.Check(dir, gateway.Routes, st)
}

// run runs the route check for the functions module at dir and the stack,
// then builds the functions named (every function when none is) into out.
func run(ctx context.Context, dir, stack, out string, names []string) error {
	dir, err := checked(ctx, dir, stack)
	if err != nil {
		return err
	}
	all := gateway.Routes.Functions()
	if len(names) == 0 {
		names = all
	}
	for _, name := range names {
		if !slices.Contains(all, name) {
			return fmt.Errorf("no function %s: the functions are %v", name, all)
		}
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return fmt.Errorf("creating %s: %w", out, err)
	}
	for _, name := range names {
		archive, err := bundle.Build(ctx, bundle.Options{Dir: dir, Function: name})
		if err != nil {
			return err
		}
		path := filepath.Join(out, name+".zip")
		if err := os.WriteFile(path, archive, 0o644); err != nil {
			return fmt.Errorf("writing %s: %w", path, err)
		}
		fmt.Printf("%s (%d bytes)\n", path, len(archive))
	}
	return nil
}
