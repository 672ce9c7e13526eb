package project

import (
	"encoding/json"
	"fmt"
	"os"

	"gopkg.in/yaml.v3"
)

// ReadStackFile reads the configuration of a stack file
// (Pulumi.<stack>.yaml) as Pulumi hands it to the program: every key with
// its namespace, scalars as text and lists or objects as JSON. An encrypted
// secret is returned as its ciphertext object.
func ReadStackFile(path string) (map[string]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("project: %w", err)
	}
	var file struct {
		Config map[string]any `yaml:"config"`
	}
	if err := yaml.Unmarshal(b, &file); err != nil {
		return nil, fmt.Errorf("project: %s: %w", path, err)
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
				return nil, fmt.Errorf("project: %s: %s: %w", path, k, err)
			}
			out[k] = string(j)
		}
	}
	return out, nil
}
