//go:build unix

package emulator_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"runtime"

	"signin/functions/bundle"
	"signin/local/emulator"
)

// A function built for the host runs under the emulator as it would on
// Lambda: Start returns once it accepts invocations, and the first Invoke
// starts the bootstrap, a cold start.
func Example() {
	ctx := context.Background()
	// The emulator, as the local module (..) pins it.
	rie, err := emulator.Path(ctx, "..")
	if err != nil {
		log.Fatal(err)
	}
	// The hello function of the functions module, built for this machine.
	dir, err := os.MkdirTemp("", "example-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	bootstrap := filepath.Join(dir, bundle.EntryName)
	host := bundle.Target{GOOS: runtime.GOOS, GOARCH: runtime.GOARCH}
	if err := bundle.Binary(ctx, bundle.Options{Dir: "../../functions", Function: "hello", Target: host}, bootstrap); err != nil {
		log.Fatal(err)
	}

	fn, err := emulator.Start(ctx, emulator.Options{RIE: rie, Bootstrap: bootstrap})
	if err != nil {
		log.Fatal(err)
	}
	defer fn.Close()
	answer, err := fn.Invoke(ctx, []byte(`{"name": "Ada Lovelace"}`))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(string(answer))
	// Output: {"message":"Hello Ada Lovelace!"}
}
