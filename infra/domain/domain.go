// Package domain gives the site and the API names of their own in a Route 53
// hosted zone: it finds the zone, requests an ACM certificate validated
// through DNS records in it, and points the names at CloudFront or API
// Gateway with alias records.
//
// CloudFront accepts certificates from us-east-1 only, whatever the stack's
// region: the stack declares one provider for that region
// (CloudFrontProvider), and a certificate declared with it lives there.
package domain

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/acm"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/route53"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// certificateType is the Pulumi type token of the certificate component.
const certificateType = "signin:index:Certificate"

// CloudFrontRegion is the only region whose certificates CloudFront serves.
const CloudFrontRegion = "us-east-1"

// validationRecordTTL is the time to live of a validation record, in
// seconds.
const validationRecordTTL = 300

// Zone is a public Route 53 hosted zone.
type Zone struct {
	// id is the zone's ID, such as Z0123456789ABCDEFGHIJ.
	id string
	// Name is the zone's domain name, without the final dot.
	Name string
}

// LookupZone finds the public hosted zone by its ID or, when id is empty,
// by its name.
func LookupZone(ctx *pulumi.Context, id, name string) (Zone, error) {
	args := &route53.LookupZoneArgs{PrivateZone: pulumi.BoolRef(false)}
	what := "named " + name
	if id != "" {
		args.ZoneId, what = &id, id
	} else {
		args.Name = &name
	}
	z, err := route53.LookupZone(ctx, args)
	if err != nil {
		return Zone{}, fmt.Errorf("domain: finding the hosted zone %s (is it in this AWS account?): %w", what, err)
	}
	if z.PrivateZone != nil && *z.PrivateZone {
		return Zone{}, fmt.Errorf("domain: the hosted zone %s is private: certificates are validated, and users find the site, through a public zone", what)
	}
	return Zone{id: z.ZoneId, Name: strings.TrimSuffix(z.Name, ".")}, nil
}

// CertificateArgs configure a Certificate.
type CertificateArgs struct {
	// Domain is the name the certificate is for.
	Domain string
	// Zone holds Domain and receives the validation record.
	Zone Zone
	// Provider, if set, declares the certificate in its region (CloudFront
	// serves certificates from CloudFrontRegion only); otherwise the
	// stack's default provider does.
	Provider *aws.Provider
}

// Certificate is an ACM certificate validated through DNS.
type Certificate struct {
	pulumi.ResourceState

	// ARN is the certificate's ARN, known once it is issued: what uses it
	// waits for the validation.
	ARN pulumi.StringOutput
}

// NewCertificate declares the certificate name for args.Domain, its DNS
// validation record and the validation that waits for ACM to issue it.
func NewCertificate(ctx *pulumi.Context, name string, args CertificateArgs, opts ...pulumi.ResourceOption) (*Certificate, error) {
	c := &Certificate{}
	if err := ctx.RegisterComponentResource(certificateType, name, c, opts...); err != nil {
		return nil, fmt.Errorf("certificate %s: %w", name, err)
	}
	acmOpts := []pulumi.ResourceOption{pulumi.Parent(c)}
	if args.Provider != nil {
		acmOpts = append(acmOpts, pulumi.Provider(args.Provider))
	}
	cert, err := acm.NewCertificate(ctx, name, &acm.CertificateArgs{
		DomainName:       pulumi.String(args.Domain),
		ValidationMethod: pulumi.String("DNS"),
	}, acmOpts...)
	if err != nil {
		return nil, fmt.Errorf("certificate %s: %w", name, err)
	}
	record, err := validationRecord(ctx, name, args.Zone, cert, pulumi.Parent(c))
	if err != nil {
		return nil, fmt.Errorf("certificate %s: validation record: %w", name, err)
	}
	validation, err := acm.NewCertificateValidation(ctx, name, &acm.CertificateValidationArgs{
		CertificateArn:        cert.Arn,
		ValidationRecordFqdns: pulumi.StringArray{record.Fqdn},
	}, acmOpts...)
	if err != nil {
		return nil, fmt.Errorf("certificate %s: validation: %w", name, err)
	}
	c.ARN = validation.CertificateArn
	if err := ctx.RegisterResourceOutputs(c, pulumi.Map{"arn": c.ARN}); err != nil {
		return nil, fmt.Errorf("certificate %s: %w", name, err)
	}
	return c, nil
}

// validationRecord declares the DNS record in zone that proves to ACM the
// control of cert's name.
func validationRecord(ctx *pulumi.Context, name string, zone Zone, cert *acm.Certificate, opts ...pulumi.ResourceOption) (*route53.Record, error) {
	// A certificate for one name has one validation option.
	dvo := cert.DomainValidationOptions.Index(pulumi.Int(0))
	return route53.NewRecord(ctx, name+"-validation", &route53.RecordArgs{
		ZoneId:  pulumi.String(zone.id),
		Name:    dvo.ResourceRecordName().Elem(),
		Type:    dvo.ResourceRecordType().Elem(),
		Records: pulumi.StringArray{dvo.ResourceRecordValue().Elem()},
		Ttl:     pulumi.Int(validationRecordTTL),
	}, opts...)
}

// CloudFrontProvider declares the stack's one explicit AWS provider, named
// for CloudFrontRegion, for what CloudFront takes from that region only
// whatever the stack's (the site's certificate and web ACL), with the
// stack's AWS profile, if any.
func CloudFrontProvider(ctx *pulumi.Context, profile string, opts ...pulumi.ResourceOption) (*aws.Provider, error) {
	args := &aws.ProviderArgs{Region: pulumi.String(CloudFrontRegion)}
	if profile != "" {
		args.Profile = pulumi.String(profile)
	}
	p, err := aws.NewProvider(ctx, CloudFrontRegion, args, opts...)
	if err != nil {
		return nil, fmt.Errorf("provider for %s: %w", CloudFrontRegion, err)
	}
	return p, nil
}

// Target is what alias records point at: a CloudFront distribution's or an
// API Gateway domain's DNS name and hosted zone.
type Target struct {
	DNSName, ZoneID pulumi.StringInput
}

// Alias declares the A and AAAA alias records, named name-a and name-aaaa,
// that point domain in zone at target.
func Alias(ctx *pulumi.Context, name string, zone Zone, domain string, target Target, opts ...pulumi.ResourceOption) error {
	for _, typ := range []string{"A", "AAAA"} {
		if _, err := route53.NewRecord(ctx, name+"-"+strings.ToLower(typ), &route53.RecordArgs{
			ZoneId: pulumi.String(zone.id),
			Name:   pulumi.String(domain),
			Type:   pulumi.String(typ),
			Aliases: route53.RecordAliasArray{&route53.RecordAliasArgs{
				Name:                 target.DNSName,
				ZoneId:               target.ZoneID,
				EvaluateTargetHealth: pulumi.Bool(false),
			}},
		}, opts...); err != nil {
			return fmt.Errorf("domain %s: %s record: %w", domain, typ, err)
		}
	}
	return nil
}
