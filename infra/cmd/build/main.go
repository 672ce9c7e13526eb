// Command build writes the deployment archive of each function of the route
// table (gateway.Routes, the authorizer included) to a folder, as `make
// build` runs it from the repository's root:
//
//	go run ./infra/cmd/build -o build [function ...]
//
// writes build/authorizer.zip, build/hello.zip, build/me.zip, ..., built for
// Lambda (linux/arm64) with the build definition of package bundle. With no
// function named, it builds every function. It checks the route table first,
// and links neither the Pulumi program nor its SDK. With -check it only
// checks the route table against the function commands and, with -stack,
// its groups against the stack's configuration (Pulumi.<stack>.yaml), and
// builds nothing: `make test` runs that first, so a wrong table or a group
// the stack does not define stops it with one message.
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
	"signin/functions/stackconfig"
	"signin/functions/stackfile"
)

func main() {
	out := flag.String("o", "build", "the folder to write the archives to")
	dir := flag.String("C", "", "the root of the functions module (default: the repository's functions/)")
	check := flag.Bool("check", false, "only check the route table against the function commands; build nothing")
	stack := flag.String("stack", "", "with -check, also check the route table's groups against this stack's configuration, Pulumi.<stack>.yaml")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if *check {
		dir, err := checked(ctx, *dir)
		if err == nil && *stack != "" {
			err = checkGroups(filepath.Join(filepath.Dir(dir), stackfile.FileName(*stack)))
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "the route table (functions/gateway/routes.go) is wrong:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(ctx, *dir, *out, flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "build:", err)
		os.Exit(1)
	}
}

// checked checks the route table against the function commands of the
// functions module at dir (empty: the workspace's) and returns the
// module's directory.
func checked(ctx context.Context, dir string) (string, error) {
	if dir == "" {
		var err error
		if dir, err = bundle.ModuleDir(ctx); err != nil {
			return "", err
		}
	}
	return dir, bundle.CheckRoutes(dir, gateway.Routes)
}

// checkGroups checks the route table's groups against the configuration of
// the stack file at path.
func checkGroups(path string) error {
	access, err := stackconfig.Load(path)
	if err != nil {
		return err
	}
	if err := access.CheckRoutes(gateway.Routes); err != nil {
		return fmt.Errorf("%s and the route table: %w", filepath.Base(path), err)
	}
	return nil
}

// run checks the route table against the function commands of the
// functions module at dir, then builds the functions named (every function
// when none is) into out.
func run(ctx context.Context, dir, out string, names []string) error {
	dir, err := checked(ctx, dir)
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
