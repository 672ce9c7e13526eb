package gateway

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
)

// The quotas AWS documents that the route table and the authorizer's
// settings can reach: what the route check (package routecheck) measures
// them against, wherever it runs. infra/limits, the program's list of AWS's
// quotas, reads them from here; docs/infrastructure.md cites the AWS page of
// each.

// API Gateway: a stage name of at most 128 characters, a method ARN of at
// most 1,600 bytes, an authorizer result cache of at most 3,600 seconds,
// and by default 300 resources and 10 authorizers per REST API.
const (
	MaxStageName     = 128
	MaxMethodARN     = 1600
	MaxAuthorizerTTL = 3600
	MaxResources     = 300
	MaxAuthorizers   = 10
)

// MaxEnvironment is the largest environment of a Lambda function, 4 KB,
// measured as the variables' compact JSON object, keys and values included.
const MaxEnvironment = 4096

// Resources returns the resource paths of the REST API serving t: the root
// resource / every REST API has (GetResources lists it, so it is counted),
// and each path the routes' resource paths (ResourcePath, under Prefix)
// pass through: /api, /api/orders, /api/orders/{id}.
func (t Table) Resources() []string {
	paths := map[string]bool{"/": true}
	for _, r := range t {
		segments := Segments(r.ResourcePath())
		for i := range segments {
			paths["/"+strings.Join(segments[:i+1], "/")] = true
		}
	}
	return slices.Sorted(maps.Keys(paths))
}

// CheckResources reports a REST API of n resources, the root resource
// included, over MaxResources.
func CheckResources(n int) error {
	if n > MaxResources {
		return fmt.Errorf("the API has %d resources (its root, and one per path segment of the route table under %s), more than the %d API Gateway allows an API by default: remove %d, or raise the quota (Service Quotas, \"Resources per API\") first",
			n, Prefix, MaxResources, n-MaxResources)
	}
	return nil
}

// CheckAuthorizers reports a REST API of n authorizers over MaxAuthorizers.
func CheckAuthorizers(n int) error {
	if n > MaxAuthorizers {
		return fmt.Errorf("the API has %d authorizers, more than the %d API Gateway allows an API by default: remove %d, or raise the quota (AWS Support, \"Authorizers per API\") first",
			n, MaxAuthorizers, n-MaxAuthorizers)
	}
	return nil
}

// environmentSize returns the size of the environment env as Lambda
// measures it against MaxEnvironment: its compact JSON object, in bytes.
func environmentSize(env map[string]string) (int, error) {
	if len(env) == 0 {
		return 0, nil
	}
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(env); err != nil {
		return 0, fmt.Errorf("measuring the Lambda environment: %w", err)
	}
	return len(strings.TrimSuffix(b.String(), "\n")), nil
}

// CheckEnvironment reports a Lambda environment over MaxEnvironment, naming
// its variables largest first with the bytes each takes.
func CheckEnvironment(env map[string]string) error {
	size, err := environmentSize(env)
	if err != nil || size <= MaxEnvironment {
		return err
	}
	names := make([]string, 0, len(env))
	for k := range env {
		names = append(names, k)
	}
	sort.Slice(names, func(i, j int) bool {
		a, b := len(names[i])+len(env[names[i]]), len(names[j])+len(env[names[j]])
		return a > b || a == b && names[i] < names[j]
	})
	parts := make([]string, len(names))
	for i, k := range names {
		parts[i] = fmt.Sprintf("%s %d", k, len(k)+len(env[k]))
	}
	return fmt.Errorf("the Lambda environment takes %d bytes, %d more than the %d (4 KB) Lambda allows (bytes by variable: %s)",
		size, size-MaxEnvironment, MaxEnvironment, strings.Join(parts, ", "))
}
