package api

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/apigateway"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"signin/infra/domain"
)

// domainType is the Pulumi type token of the custom domain component.
const domainType = "signin:index:ApiDomain"

// securityPolicy is the oldest TLS version the custom domain accepts.
const securityPolicy = "TLS_1_2"

// DomainArgs configure the API's custom domain.
type DomainArgs struct {
	// Name is the domain name, such as api.example.com.
	Name string
	// Zone is the hosted zone that holds Name.
	Zone domain.Zone
	// RestAPI is the API the domain serves.
	RestAPI *apigateway.RestApi
	// Stage is the stage the domain serves at its root.
	Stage *apigateway.Stage
}

// Domain is the API's own domain name: a regional API Gateway domain with a
// certificate in the stack's region, its stage at the root of the name, and
// the alias records that point the name at it.
type Domain struct {
	pulumi.ResourceState
}

// NewDomain declares the custom domain name of args.RestAPI's stage.
func NewDomain(ctx *pulumi.Context, name string, args DomainArgs, opts ...pulumi.ResourceOption) (*Domain, error) {
	d := &Domain{}
	if err := ctx.RegisterComponentResource(domainType, name, d, opts...); err != nil {
		return nil, fmt.Errorf("api domain %s: %w", name, err)
	}
	parent := pulumi.Parent(d)
	cert, err := domain.NewCertificate(ctx, name, domain.CertificateArgs{
		Domain: args.Name,
		Zone:   args.Zone,
	}, parent)
	if err != nil {
		return nil, fmt.Errorf("api domain %s: %w", name, err)
	}
	dn, err := apigateway.NewDomainName(ctx, name, &apigateway.DomainNameArgs{
		DomainName:             pulumi.String(args.Name),
		RegionalCertificateArn: cert.ARN,
		SecurityPolicy:         pulumi.String(securityPolicy),
		EndpointConfiguration: &apigateway.DomainNameEndpointConfigurationArgs{
			Types:         pulumi.String("REGIONAL"),
			IpAddressType: pulumi.String("dualstack"),
		},
	}, parent)
	if err != nil {
		return nil, fmt.Errorf("api domain %s: %w", name, err)
	}
	if _, err := apigateway.NewBasePathMapping(ctx, name, &apigateway.BasePathMappingArgs{
		DomainName: dn.DomainName,
		RestApi:    args.RestAPI.ID(),
		StageName:  args.Stage.StageName,
	}, parent); err != nil {
		return nil, fmt.Errorf("api domain %s: base path mapping: %w", name, err)
	}
	if err := domain.Alias(ctx, name, args.Zone, args.Name, domain.Target{
		DNSName: dn.RegionalDomainName,
		ZoneID:  dn.RegionalZoneId,
	}, parent); err != nil {
		return nil, fmt.Errorf("api domain %s: %w", name, err)
	}
	if err := ctx.RegisterResourceOutputs(d, pulumi.Map{
		"regionalDomainName": dn.RegionalDomainName,
	}); err != nil {
		return nil, fmt.Errorf("api domain %s: %w", name, err)
	}
	return d, nil
}
