// Command me is the function behind GET /me (package me), a Lambda proxy
// route, configured from the environment: SITE_ORIGIN, the site's origin its
// CORS headers allow. A missing setting stops it at start with a message
// naming it. It runs as many Go threads at once as Lambda gives it vCPUs
// (package procs).
package main

import (
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"signin/functions/me"
	"signin/functions/procs"
	"signin/functions/proxy"
)

func main() {
	procs.SetForLambda()
	logger := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	origin, err := proxy.SiteOrigin(os.Getenv)
	if err != nil {
		logger.Error("invalid configuration", slog.String("error", err.Error()))
		os.Exit(1)
	}
	lambda.Start(me.Handler{Origin: origin, Logger: logger}.Handle)
}
