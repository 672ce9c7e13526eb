// Command deploy runs `pulumi preview`, `pulumi up` or `pulumi destroy` on a
// stack of this repository, after checking what they need:
//
//	go run ./infra/cmd/deploy [-stack dev] preview|up|destroy [pulumi flags...]
//
// The Makefile's preview, up and destroy targets run it.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"

	"signin/infra/deploy"
	"signin/infra/repo"
)

func main() {
	stackName := flag.String("stack", "dev", "the stack to work on")
	flag.Parse()
	if flag.NArg() < 1 {
		fmt.Fprintln(os.Stderr, "usage: deploy [-stack name] preview|up|destroy [pulumi flags...]")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, *stackName, flag.Arg(0), flag.Args()[1:]); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run(ctx context.Context, stackName, action string, args []string) error {
	a, err := deploy.ParseAction(action)
	if err != nil {
		return err
	}
	root, err := repo.Find()
	if err != nil {
		return err
	}
	r := &deploy.Runner{Root: root, Stack: stackName, Stdout: os.Stdout, Stderr: os.Stderr}
	return r.Run(ctx, a, args)
}
