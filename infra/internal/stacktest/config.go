package stacktest

import (
	"maps"
	"path/filepath"
	"sync"

	"signin/functions/stackconfig"
	"signin/functions/stackfile"
	"signin/infra/repo"
)

// Keys of the stack's configuration the tests set.
const (
	ClientIDKey = stackfile.Namespace + ":" + stackfile.KeyGoogleClientID
	GroupsKey   = stackfile.Namespace + ":" + stackconfig.KeyGroups
)

var stackFile struct {
	once   sync.Once
	path   string
	values map[string]string
	err    error
}

// StackFile returns the repository's file of the stack the tests run,
// Pulumi.<Stack>.yaml at its root, and its configuration as the file holds
// it, read once.
func StackFile() (path string, values map[string]string, err error) {
	stackFile.once.Do(func() {
		root, err := repo.Find()
		if err != nil {
			stackFile.err = err
			return
		}
		stackFile.path = filepath.Join(root, stackfile.FileName(Stack))
		stackFile.values, stackFile.err = stackfile.Read(stackFile.path)
	})
	return stackFile.path, stackFile.values, stackFile.err
}

// Config returns the configuration the tests deploy: the stack file's, so
// a team's allow-lists and groups (which the route table's groups name)
// are the tests' too, with the client ID ClientID: the template's
// placeholder is refused, and a team's real one stays out of the
// snapshots. Without a readable stack file it holds the client ID alone,
// and Deploy reports why.
func Config() map[string]string {
	_, values, _ := StackFile()
	cfg := maps.Clone(values)
	if cfg == nil {
		cfg = map[string]string{}
	}
	cfg[ClientIDKey] = ClientID
	return cfg
}

// ConfigWith returns Config with the settings set, each named without the
// project's namespace, such as apiLogging.
func ConfigWith(settings map[string]string) map[string]string {
	cfg := Config()
	for k, v := range settings {
		cfg[stackfile.Namespace+":"+k] = v
	}
	return cfg
}
