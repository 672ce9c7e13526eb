package gateway_test

import (
	"fmt"

	"signin/functions/gateway"
)

// A resource's CORS preflight allows its routes' methods and OPTIONS.
func ExampleTable_AllowedMethods() {
	routes := gateway.Table{
		{Method: "DELETE", Path: "/me", Function: "me", Integration: gateway.Proxy},
		{Method: "GET", Path: "/me", Function: "me", Integration: gateway.Proxy},
	}
	fmt.Println(routes.AllowedMethods("/me"))
	// Output: GET,DELETE,OPTIONS
}

// Validate names every route that is wrong and says how to fix it.
func ExampleTable_Validate() {
	routes := gateway.Table{
		{Method: "GET", Path: "/", Function: "hello", Integration: gateway.Template},
		{Method: "GET", Path: "/orders", Function: "orders", Integration: gateway.Proxy},
	}
	// The directories under functions/cmd.
	commands := []string{"authorizer", "hello", "me"}
	fmt.Println(routes.Validate(commands))
	// Output:
	// gateway: route GET /orders -> orders (proxy): no function orders: create functions/cmd/orders (package main)
	// gateway: functions/cmd/me has no route: add a line for it to gateway.Routes, or remove it
}

// Every route's resource lives under the one prefix, /api: the path the
// page calls on its own origin and other clients at the API's address.
func ExampleRoute_ResourcePath() {
	for _, r := range []gateway.Route{
		{Method: "GET", Path: "/", Function: "hello", Integration: gateway.Template},
		{Method: "GET", Path: "/orders/{id}", Function: "orders", Integration: gateway.Proxy},
	} {
		fmt.Println(r.Method, r.Path, "->", r.ResourcePath())
	}
	// Output:
	// GET / -> /api
	// GET /orders/{id} -> /api/orders/{id}
}
