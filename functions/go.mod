module signin/functions

go 1.26.6

require (
	github.com/aws/aws-lambda-go v1.55.1
	github.com/coreos/go-oidc/v3 v3.21.0
	gopkg.in/yaml.v3 v3.0.1
)

require (
	github.com/go-jose/go-jose/v4 v4.1.4 // indirect
	github.com/stretchr/testify v1.9.0 // indirect
	golang.org/x/oauth2 v0.36.0 // indirect
)
