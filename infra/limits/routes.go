package limits

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"signin/functions/gateway"
)

// Resources returns the resource paths of the REST API serving routes:
// the root resource / every REST API has (GetResources lists it, so it is
// counted), and each path the routes' resource paths (ResourcePath, under
// gateway.Prefix) pass through: /api, /api/orders, /api/orders/{id}.
func Resources(routes gateway.Table) []string {
	paths := map[string]bool{"/": true}
	for _, r := range routes {
		segments := gateway.Segments(r.ResourcePath())
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
			n, gateway.Prefix, MaxResources, n-MaxResources)
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
