package api_test

import (
	"slices"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"signin/functions/gateway"
	"signin/infra/internal/stacktest"
)

// trigger returns the deployment's trigger after a run against m with cfg.
func trigger(t *testing.T, m *stacktest.Mocks, cfg map[string]string) string {
	t.Helper()
	stacktest.Deploy(t, m, cfg)
	got := stacktest.Str(m.One(t, "aws:apigateway/deployment:Deployment", "api").Inputs, "triggers", "configuration")
	if got == "" {
		t.Fatal("the deployment has no trigger")
	}
	return got
}

// alterInput returns an alter function that sets key of the resource typ
// named name to v, as if the program had declared it so.
func alterInput(typ, name string, key string, v resource.PropertyValue) func(string, string, resource.PropertyMap) {
	return func(gotTyp, gotName string, state resource.PropertyMap) {
		if gotTyp == typ && gotName == name {
			state[resource.PropertyKey(key)] = v
		}
	}
}

// Pitfall 1: API Gateway serves the last deployment, so the deployment must
// be replaced whenever a method, integration, response or the authorizer
// changes, and only then.
func TestDeploymentTriggerFollowsTheAPIConfiguration(t *testing.T) {
	base := trigger(t, &stacktest.Mocks{}, stacktest.Config())
	if again := trigger(t, &stacktest.Mocks{}, stacktest.Config()); again != base {
		t.Fatalf("an unchanged program changed the trigger from %s to %s: every up would redeploy", base, again)
	}
	ttl := stacktest.Config()
	ttl["signin:authorizerCacheTtl"] = "30"
	for _, c := range []struct {
		name  string
		mocks *stacktest.Mocks
		cfg   map[string]string
	}{
		{"authorizer cache TTL", &stacktest.Mocks{}, ttl},
		{"request template", &stacktest.Mocks{Alter: alterInput("aws:apigateway/integration:Integration", "api-api-get", "requestTemplates",
			resource.NewProperty(resource.PropertyMap{"application/json": resource.NewProperty(`{"name": "$context.authorizer.name"}`)}))}, stacktest.Config()},
		{"method authorization", &stacktest.Mocks{Alter: alterInput("aws:apigateway/method:Method", "api-api-get", "authorization", resource.NewProperty("NONE"))}, stacktest.Config()},
		{"authorizer identity pattern", &stacktest.Mocks{Alter: alterInput("aws:apigateway/authorizer:Authorizer", "api", "identityValidationExpression", resource.NewProperty(".*"))}, stacktest.Config()},
		{"gateway response template", &stacktest.Mocks{Alter: alterInput("aws:apigateway/response:Response", "api-default_4xx", "responseTemplates",
			resource.NewProperty(resource.PropertyMap{"application/json": resource.NewProperty(`{}`)}))}, stacktest.Config()},
		{"integration response", &stacktest.Mocks{Alter: alterInput("aws:apigateway/integrationResponse:IntegrationResponse", "api-api-get-500", "selectionPattern", resource.NewProperty("Error.*"))}, stacktest.Config()},
		{"method response", &stacktest.Mocks{Alter: alterInput("aws:apigateway/methodResponse:MethodResponse", "api-api-options-200", "responseModels", resource.NewProperty(resource.PropertyMap{}))}, stacktest.Config()},
		{"proxy integration", &stacktest.Mocks{Alter: alterInput("aws:apigateway/integration:Integration", "api-api-me-get", "type", resource.NewProperty("AWS"))}, stacktest.Config()},
		{"resource path part", &stacktest.Mocks{Alter: alterInput("aws:apigateway/resource:Resource", "api-api-me", "pathPart", resource.NewProperty("you"))}, stacktest.Config()},
		{"site origin (CORS)", &stacktest.Mocks{DistributionHost: "d222222abcdef8.cloudfront.net"}, stacktest.Config()},
		{"execute-api endpoint switched off", &stacktest.Mocks{Alter: alterInput("aws:apigateway/restApi:RestApi", "api", "disableExecuteApiEndpoint", resource.NewProperty(true))}, stacktest.Config()},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := trigger(t, c.mocks, c.cfg); got == base {
				t.Errorf("changing the %s kept the trigger %s: the stage would keep serving the old API", c.name, base)
			}
		})
	}
}

// The deployment is created only after every part of the API it snapshots.
func TestDeploymentWaitsForEveryPartOfTheAPI(t *testing.T) {
	m := stacktest.Deploy(t, nil, stacktest.Config())
	deps := m.One(t, "aws:apigateway/deployment:Deployment", "api").Dependencies
	for _, typ := range []string{
		"aws:apigateway/authorizer:Authorizer",
		"aws:apigateway/resource:Resource",
		"aws:apigateway/method:Method",
		"aws:apigateway/integration:Integration",
		"aws:apigateway/methodResponse:MethodResponse",
		"aws:apigateway/integrationResponse:IntegrationResponse",
		"aws:apigateway/response:Response",
	} {
		parts := m.All(typ)
		if len(parts) == 0 {
			t.Errorf("no %s declared", typ)
		}
		for _, r := range parts {
			if !slices.ContainsFunc(deps, func(urn string) bool {
				u := resource.URN(urn)
				return string(u.Type()) == typ && u.Name() == r.Name
			}) {
				t.Errorf("the deployment does not wait for %s %s", typ, r.Name)
			}
		}
	}
}

// A route added to the table redeploys the stage: the table is part of the
// trigger, as are the resource, method and integration it adds.
func TestDeploymentTriggerFollowsTheRouteTable(t *testing.T) {
	base := trigger(t, &stacktest.Mocks{}, stacktest.Config())
	m := &stacktest.Mocks{}
	routes := append(slices.Clone(gateway.Routes), gateway.Route{Method: "DELETE", Path: "/me", Function: "me", Integration: gateway.Proxy})
	if err := stacktest.Declare(m, stacktest.Config(), routes); err != nil {
		t.Fatal(err)
	}
	if got := stacktest.Str(m.One(t, "aws:apigateway/deployment:Deployment", "api").Inputs, "triggers", "configuration"); got == base {
		t.Errorf("a new route kept the trigger %s: the stage would not serve it", base)
	}
}
