package smoke

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"gopkg.in/yaml.v3"

	"signin/functions/authorizer"
)

// StackAccess reads the workloads and the groups of the stack named stack
// from its configuration file, Pulumi.<stack>.yaml in dir (the
// repository's root; empty means the working directory), as the Pulumi
// program reads them. A stack without a file, or without the settings,
// has none.
func StackAccess(dir, stack string) (authorizer.Workloads, authorizer.Groups, error) {
	path := filepath.Join(dir, "Pulumi."+stack+".yaml")
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("smoke: %w", err)
	}
	var file struct {
		Config map[string]any `yaml:"config"`
	}
	if err := yaml.Unmarshal(b, &file); err != nil {
		return nil, nil, fmt.Errorf("smoke: %s: %w", path, err)
	}
	var w authorizer.Workloads
	var g authorizer.Groups
	if v, ok := file.Config["signin:workloads"]; ok {
		raw, _ := json.Marshal(v) // YAML's values always marshal
		if w, err = authorizer.ParseWorkloads(string(raw)); err != nil {
			return nil, nil, fmt.Errorf("smoke: %s: %w", path, err)
		}
	}
	if v, ok := file.Config["signin:groups"]; ok {
		raw, _ := json.Marshal(v)
		if g, err = authorizer.ParseGroups(string(raw)); err != nil {
			return nil, nil, fmt.Errorf("smoke: %s: %w", path, err)
		}
	}
	return w, g, nil
}
