package proxy

import (
	"fmt"
	"strings"
	"testing"

	"signin/functions/gateway"
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
