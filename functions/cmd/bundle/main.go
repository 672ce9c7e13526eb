// Command bundle writes the deployment archive of each function to a folder:
//
//	go run ./cmd/bundle -o ../build authorizer hello
//
// writes ../build/authorizer.zip and ../build/hello.zip, built for Lambda
// (linux/arm64) with the build definition of package bundle. With no function
// named, it builds every function.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"

	"signin/functions/bundle"
)

func main() {
	out := flag.String("o", "build", "the folder to write the archives to")
	dir := flag.String("C", ".", "the root of the functions module")
	flag.Parse()
	names := flag.Args()
	if len(names) == 0 {
		names = bundle.Functions
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, *dir, *out, names); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run(ctx context.Context, dir, out string, names []string) error {
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
