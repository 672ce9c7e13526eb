package dashboard_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"signin/infra/config"
	"signin/infra/internal/stacktest"
)

// The dashboard's per-route queries name each route by the resource path
// API Gateway writes in the access log: the path of the resource its method
// is declared on, whatever prefix the API puts in front of the table's
// paths.
func TestDashboardQueriesTheDeclaredResourcePaths(t *testing.T) {
	m := stacktest.Deploy(t, nil, stacktest.ConfigWith(map[string]string{config.KeyAPILogging: "true", config.KeyAPILoggingRole: config.LoggingRoleAccount}))
	paths := map[string]string{"r00t1d": "/"}
	var resolve func(id string) string
	resolve = func(id string) string {
		if p, ok := paths[id]; ok {
			return p
		}
		for _, r := range m.All("aws:apigateway/resource:Resource") {
			if r.ID == id {
				parent := resolve(stacktest.Str(r.Inputs, "parentId"))
				paths[id] = strings.TrimSuffix(parent, "/") + "/" + stacktest.Str(r.Inputs, "pathPart")
				return paths[id]
			}
		}
		t.Fatalf("no resource %s", id)
		return ""
	}
	body := stacktest.Str(m.One(t, "aws:cloudwatch/dashboard:Dashboard", "dashboard").Inputs, "dashboardBody")
	routes := 0
	for _, method := range m.All("aws:apigateway/method:Method") {
		verb := stacktest.Str(method.Inputs, "httpMethod")
		if verb == "OPTIONS" {
			continue
		}
		routes++
		filter := fmt.Sprintf(`filter httpMethod = %q and resourcePath = %q`, verb, resolve(stacktest.Str(method.Inputs, "resourceId")))
		if !strings.Contains(body, jsonText(filter)) {
			t.Errorf("the dashboard has no query %s", filter)
		}
	}
	if routes == 0 {
		t.Fatal("no route methods declared")
	}
}

// jsonText returns s as it reads inside a JSON string.
func jsonText(s string) string {
	b, _ := json.Marshal(s)
	return string(b[1 : len(b)-1])
}
