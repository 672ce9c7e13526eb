// Package me is the function behind GET /me, a Lambda proxy route: it
// answers the caller's verified identity, {"sub", "email", "name", "groups"},
// from the authorizer's context.
//
// A request without that context can only reach it through a deployment
// mistake (a route outside the authorizer): it answers 500 and logs why,
// and never an identity it did not get from the authorizer.
package me

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/aws/aws-lambda-go/events"

	"signin/functions/proxy"
)

// Handler answers GET /me for the page at Origin.
type Handler struct {
	// Origin is the site's origin, which the CORS headers allow.
	Origin string
	// Logger receives why a request could not be served.
	Logger *slog.Logger
}

// Handle is the Lambda handler.
func (h Handler) Handle(ctx context.Context, req events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
	caller, err := proxy.CallerOf(req)
	if err != nil {
		h.Logger.ErrorContext(ctx, "me: no caller", slog.String("error", err.Error()),
			slog.String("resourcePath", req.RequestContext.ResourcePath))
		return proxy.InternalError(h.Origin), nil
	}
	return proxy.JSON(h.Origin, http.StatusOK, caller)
}
