package proxy

import (
	"fmt"
	"strings"
	"testing"

	"signin/functions/gateway"

	"github.com/aws/aws-lambda-go/events"
)

func TestSiteOriginIsRequired(t *testing.T) {
	got, err := SiteOrigin(func(k string) string {
		return map[string]string{gateway.SiteOriginVariable: "http://localhost:8080"}[k]
	})
	if err != nil || got != "http://localhost:8080" {
		t.Errorf("SiteOrigin = %q, %v", got, err)
	}
	if _, err := SiteOrigin(func(string) string { return "" }); err == nil || !strings.Contains(err.Error(), gateway.SiteOriginVariable) {
		t.Errorf("SiteOrigin with nothing set = %v, want an error naming %s", err, gateway.SiteOriginVariable)
	}
}

func TestJSONRefusesWhatCannotBeEncoded(t *testing.T) {
	if _, err := JSON("https://example.com", 200, func() {}); err == nil {
		t.Error("JSON encoded a func")
	}
}

// A proxy function answers with its own CORS headers.
func ExampleJSON() {
	resp, err := JSON("https://d111111abcdef8.cloudfront.net", 200, Caller{Sub: "42", Email: "ada@example.com", Name: "Ada", Groups: []string{"admins"}})
	if err != nil {
		panic(err)
	}
	fmt.Println(resp.StatusCode, resp.Body)
	fmt.Println(resp.Headers["Access-Control-Allow-Origin"])
	// Output:
	// 200 {"sub":"42","email":"ada@example.com","name":"Ada","groups":["admins"]}
	// https://d111111abcdef8.cloudfront.net
}

// A function behind GET /orders/{id} reads the order's ID.
func ExamplePathParameter() {
	req := events.APIGatewayProxyRequest{
		PathParameters: map[string]string{"id": "42"},
		RequestContext: events.APIGatewayProxyRequestContext{ResourcePath: "/orders/{id}"},
	}
	id, err := PathParameter(req, "id")
	fmt.Println(id, err)
	_, err = PathParameter(req, "orderId")
	fmt.Println(err)
	// Output:
	// 42 <nil>
	// proxy: the route /orders/{id} has no path parameter {orderId}
}
