module signin/local

go 1.26.6

require (
	github.com/aws/aws-lambda-go v1.55.1
	github.com/chromedp/cdproto v0.159.0
	github.com/chromedp/chromedp v0.23.0
	github.com/coreos/go-oidc/v3 v3.21.0
	golang.org/x/sys v0.49.0
	signin/functions v0.0.0
	signin/infra v0.0.0
	signin/site v0.0.0
)

require (
	github.com/go-jose/go-jose/v4 v4.1.6 // indirect
	github.com/go-json-experiment/json v0.0.0-20260213210345-44df1a37e875 // indirect
	golang.org/x/oauth2 v0.36.0 // indirect
)

replace signin/functions => ../functions

replace signin/site => ../site

replace signin/infra => ../infra
