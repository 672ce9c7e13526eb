package apigw_test

import (
	"context"
	"fmt"
	"log"
	"net/http/httptest"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"signin/functions/gateway"
	"signin/functions/hello"
	"signin/functions/policy"
	"signin/local/apigw"
)

// The emulated API serves a route table with any lambda.Handler as its
// functions (the local stack passes functions running under the emulator):
// it checks the token's shape, asks the authorizer, caches its answer and
// renders the mapping template, as API Gateway does.
func Example() {
	authorizer := func(_ context.Context, req events.APIGatewayCustomAuthorizerRequest) (events.APIGatewayCustomAuthorizerResponse, error) {
		stage, err := policy.Stage(req.MethodArn)
		if err != nil {
			return events.APIGatewayCustomAuthorizerResponse{}, err
		}
		return events.APIGatewayCustomAuthorizerResponse{
			PrincipalID:    "1234567890",
			PolicyDocument: policy.Document(policy.Allow, stage+"/*/*"),
			Context:        map[string]any{gateway.ContextName: "Ada Lovelace"},
		}, nil
	}
	api, err := apigw.New(apigw.Config{
		Routes:      gateway.Table{{Method: "GET", Path: "/", Function: "hello", Integration: gateway.Template}},
		Authorizer:  lambda.NewHandler(authorizer),
		Functions:   map[string]lambda.Handler{"hello": lambda.NewHandler(hello.Handle)},
		AllowOrigin: "http://localhost:8080",
		Region:      "eu-central-1", AccountID: "123456789012", APIID: "example", Stage: "local",
	})
	if err != nil {
		log.Fatal(err)
	}
	for _, authorization := range []string{"", "header.payload.signature", "header.payload.signature"} {
		req := httptest.NewRequest("GET", "/api", nil)
		if authorization != "" {
			req.Header.Set(gateway.AuthorizationHeader, authorization)
		}
		rec := httptest.NewRecorder()
		api.ServeHTTP(rec, req)
		fmt.Println(rec.Code, rec.Header().Get(apigw.CacheHeader), rec.Body.String())
	}
	// Output:
	// 401  {"message":"Unauthorized"}
	// 200 miss {"message":"Hello Ada Lovelace!"}
	// 200 hit {"message":"Hello Ada Lovelace!"}
}
