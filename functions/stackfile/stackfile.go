// Package stackfile reads a stack's configuration file, Pulumi.<stack>.yaml,
// as Pulumi hands its values to the program, without the Pulumi SDK or any
// AWS library: what the Pulumi program's tests, the command that drives the
// pulumi CLI (infra/deploy) and the offline stack (`make dev`) read.
package stackfile

import (
	"encoding/json"
	"fmt"
	"os"

	"gopkg.in/yaml.v3"
)

// Namespace is the prefix of this project's keys in a stack file: the
// project's name in Pulumi.yaml.
const Namespace = "signin"

// FileName returns the name of the stack's configuration file.
func FileName(stack string) string {
	return "Pulumi." + stack + ".yaml"
}

// Read reads the configuration of a stack file (Pulumi.<stack>.yaml) as
// Pulumi hands it to the program: every key with its namespace, scalars as
// text and lists or objects as JSON. An encrypted secret is returned as its
// ciphertext object.
func Read(path string) (map[string]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("stackfile: %w", err)
	}
	var file struct {
		Config map[string]any `yaml:"config"`
	}
	if err := yaml.Unmarshal(b, &file); err != nil {
		return nil, fmt.Errorf("stackfile: %s: %w", path, err)
	}
	out := make(map[string]string, len(file.Config))
	for k, v := range file.Config {
		switch v := v.(type) {
		case string:
			out[k] = v
		case int, float64, bool:
			out[k] = fmt.Sprint(v)
		default:
			j, err := json.Marshal(v)
			if err != nil {
				return nil, fmt.Errorf("stackfile: %s: %s: %w", path, k, err)
			}
			out[k] = string(j)
		}
	}
	return out, nil
}
