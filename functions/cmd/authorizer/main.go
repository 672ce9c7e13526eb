// Command authorizer is the API's Lambda authorizer, TOKEN and REQUEST (package
// authorizer), configured from the environment: GOOGLE_CLIENT_ID, and
// optionally OIDC_ISSUER, OIDC_JWKS_URL, ALLOWED_EMAILS, ALLOWED_DOMAINS,
// TRUST_EMAILS_WITHOUT_HD, ACCESS_GROUPS, WORKLOADS and ROUTE_GROUPS. A missing or
// malformed setting stops it at start with a message naming it.
//
// It fetches the issuer's keys during init, before the first invocation,
// while Lambda gives init a full share of CPU; if that fails, it starts
// anyway and the first decision fetches them, within what is left of the
// fetch's timeout (package authorizer, KeySet.Prefetch). A workload
// issuer's discovery and keys wait for its first token.
//
// It runs as many Go threads at once as Lambda gives it vCPUs (package
// procs).
package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"signin/functions/authorizer"
	"signin/functions/procs"
)

func main() {
	procs.SetForLambda()
	logger := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	cfg, err := authorizer.ConfigFromEnv(os.Getenv)
	if err != nil {
		logger.Error("invalid configuration", slog.String("error", err.Error()))
		os.Exit(1)
	}
	keys := authorizer.NewKeySet(cfg.JWKSURL, logger)
	if err := keys.Prefetch(context.Background()); err != nil {
		logger.Warn("fetching the signing keys during init failed; the first decision fetches them",
			slog.String("error", err.Error()))
	}
	lambda.Start(authorizer.New(cfg, keys, logger).Dispatch)
}
