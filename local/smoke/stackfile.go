package smoke

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"signin/functions/authorizer"
	"signin/functions/stackconfig"
	"signin/functions/stackfile"
)

// StackAccess reads the workloads and the groups of the stack named stack
// from its configuration file, Pulumi.<stack>.yaml in dir (the
// repository's root; empty means the working directory), as the Pulumi
// program reads them (package stackconfig). A stack without a file has
// none.
func StackAccess(dir, stack string) (authorizer.Workloads, authorizer.Groups, error) {
	path := filepath.Join(dir, stackfile.FileName(stack))
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return nil, nil, nil
	}
	access, err := stackconfig.Load(path)
	if err != nil {
		return nil, nil, fmt.Errorf("smoke: %w", err)
	}
	return access.Workloads, access.Groups, nil
}
