// Package web declares where the sign-in page is served from: a private S3
// bucket that only a CloudFront distribution may read, the distribution that
// serves the page over HTTPS with strict security headers and forwards the
// API's prefix (/api, /api/*) to the API uncached, so the page calls the
// API on its own origin; the page's files as site.Build renders them for the
// stack's Google client; optionally the site's own domain name, with its
// certificate and alias records.
//
// Google accepts only HTTPS origins for sign-in, and an S3 website endpoint
// speaks only HTTP, so the page is never served from S3 directly.
package web

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudfront"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"signin/functions/gateway"
	"signin/infra/domain"
	"signin/site"
)

// componentType is the Pulumi type token of the component.
const componentType = "signin:index:Site"

// cachingOptimizedPolicyID is the ID of CloudFront's managed cache policy
// "CachingOptimized": cache by path only, compressed with gzip and Brotli,
// honouring the origin's Cache-Control.
const cachingOptimizedPolicyID = "658327ea-f89d-4fab-a63d-7e88639e58f6"

// cachingDisabledPolicyID is the ID of CloudFront's managed cache policy
// "CachingDisabled" (minimum, default and maximum TTL 0, nothing in the
// cache key): the API's answers are never cached. It is also what lets an
// origin request policy forward Authorization: CloudFront refuses
// Authorization in an origin request policy's header list, and forwards it
// with the "all viewer headers" policies only while caching is disabled
// (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/using-managed-cache-policies.html).
const cachingDisabledPolicyID = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"

// allViewerExceptHostHeaderPolicyID is the ID of CloudFront's managed
// origin request policy "AllViewerExceptHostHeader": every viewer header
// (Authorization among them), cookie and query string reaches the origin,
// except Host, which CloudFront sets to the origin's domain name. API
// Gateway answers 403 to a request whose Host is not its own, so the
// managed AllViewer policy would break every API call
// (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/using-managed-origin-request-policies.html).
const allViewerExceptHostHeaderPolicyID = "b689b0a8-53d0-40ab-baf2-68738e2966ac"

// The methods CloudFront lets a behaviour pass to its origin: it accepts
// only these three sets. The API's behaviours take the smallest that holds
// every method of the route table.
var (
	readMethods    = []string{"GET", "HEAD"}
	optionsMethods = []string{"GET", "HEAD", "OPTIONS"}
	allMethods     = []string{"GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"}
)

// apiMethods returns the AllowedMethods of the API's behaviours for the
// route table's methods: the smallest of the sets CloudFront accepts that
// holds them all.
func apiMethods(methods []string) []string {
	for _, set := range [][]string{readMethods, optionsMethods} {
		if !slices.ContainsFunc(methods, func(m string) bool { return !slices.Contains(set, m) }) {
			return set
		}
	}
	return allMethods
}

// minimumProtocolVersion is the oldest TLS version and set of ciphers the
// distribution accepts on its own domain name: TLS 1.2 with forward-secret
// ciphers, as CloudFront recommends.
const minimumProtocolVersion = "TLSv1.2_2021"

// Args configure a Site.
type Args struct {
	// ClientID is the Google client ID the page signs in with.
	ClientID string
	// Domain, if set, is the site's own domain name in Zone, with a
	// certificate from us-east-1; otherwise the site is served on
	// CloudFront's name.
	Domain string
	// Zone is the hosted zone that holds Domain.
	Zone domain.Zone
	// CloudFront is the provider in domain.CloudFrontRegion that declares
	// Domain's certificate; required with Domain.
	CloudFront *aws.Provider
	// API is where the site's gateway.Prefix is forwarded.
	API APIOrigin
	// WebACL, if set, is the ARN of the CloudFront web ACL in front of the
	// distribution.
	WebACL pulumi.StringInput
	// Logs, if set, turns on the distribution's standard logging and the
	// bucket's server access logging, into a log bucket of the site.
	Logs *Logs
}

// Logs configure the site's access logs.
type Logs struct {
	// RetentionDays is how long a log file is kept.
	RetentionDays int
}

// APIOrigin is the REST API as CloudFront's origin for the site's
// gateway.Prefix (/api and /api/*): the path reaches it unchanged, after
// OriginPath.
type APIOrigin struct {
	// Host is the API's regional domain name: its execute-api name, or its
	// own domain name, which serves the stage at its root. Never an
	// edge-optimized endpoint, which would be CloudFront twice.
	Host pulumi.StringInput
	// OriginPath is the stage's path on Host: "/<stage>" on the
	// execute-api name, "" on the API's own domain name.
	OriginPath string
	// Methods are the methods of the route table.
	Methods []string
}

// Site is the page, served by CloudFront from a private bucket.
type Site struct {
	pulumi.ResourceState

	// Bucket holds the page's files.
	Bucket *s3.BucketV2
	// Distribution serves the bucket over HTTPS.
	Distribution *cloudfront.Distribution
	// LogBucket receives the access logs, nil unless Args.Logs is set.
	LogBucket *s3.BucketV2
	// Origin is the site's HTTPS origin, such as https://app.example.com or
	// https://d111111abcdef8.cloudfront.net: what the API allows and what
	// Google must know as an authorized JavaScript origin.
	Origin pulumi.StringOutput
	// URL is the page's address.
	URL pulumi.StringOutput
}

// New declares the site name.
func New(ctx *pulumi.Context, name string, args Args, opts ...pulumi.ResourceOption) (*Site, error) {
	s := &Site{}
	if err := ctx.RegisterComponentResource(componentType, name, s, opts...); err != nil {
		return nil, fmt.Errorf("site %s: %w", name, err)
	}
	if err := s.declare(ctx, name, args); err != nil {
		return nil, fmt.Errorf("site %s: %w", name, err)
	}
	if err := ctx.RegisterResourceOutputs(s, pulumi.Map{
		"url":            s.URL,
		"bucket":         s.Bucket.Bucket,
		"distributionId": s.Distribution.ID(),
	}); err != nil {
		return nil, fmt.Errorf("site %s: %w", name, err)
	}
	return s, nil
}

func (s *Site) declare(ctx *pulumi.Context, name string, args Args) error {
	parent := pulumi.Parent(s)
	page := site.Config{ClientID: args.ClientID}
	files, err := site.Build(page)
	if err != nil {
		return err
	}
	ownership, private, err := s.bucket(ctx, name, parent)
	if err != nil {
		return err
	}
	oac, err := originAccessControl(ctx, name, parent)
	if err != nil {
		return err
	}
	headers, err := responseHeaders(ctx, name, page, parent)
	if err != nil {
		return err
	}
	viewer, err := certificate(ctx, name, args, parent)
	if err != nil {
		return err
	}
	logging, ready, err := s.logging(ctx, name, args.Logs)
	if err != nil {
		return err
	}
	if err := s.distribution(ctx, name, args, distributionParts{oac, headers, viewer, logging}, parent, pulumi.DependsOn(ready)); err != nil {
		return err
	}
	if err := s.address(ctx, name, args, parent); err != nil {
		return err
	}
	if err := s.readPolicy(ctx, name, private, parent); err != nil {
		return err
	}
	return s.objects(ctx, files, ownership)
}

// bucket declares the site's bucket, its ownership controls (ACLs off) and
// its public access block.
func (s *Site) bucket(ctx *pulumi.Context, name string, parent pulumi.ResourceOption) (*s3.BucketOwnershipControls, *s3.BucketPublicAccessBlock, error) {
	var err error
	s.Bucket, err = s3.NewBucketV2(ctx, name, &s3.BucketV2Args{
		// The bucket only holds copies of files in this repository.
		ForceDestroy: pulumi.Bool(true),
	}, parent)
	if err != nil {
		return nil, nil, fmt.Errorf("bucket: %w", err)
	}
	ownership, err := s3.NewBucketOwnershipControls(ctx, name, &s3.BucketOwnershipControlsArgs{
		Bucket: s.Bucket.ID(),
		Rule:   &s3.BucketOwnershipControlsRuleArgs{ObjectOwnership: pulumi.String("BucketOwnerEnforced")},
	}, parent)
	if err != nil {
		return nil, nil, fmt.Errorf("bucket ownership: %w", err)
	}
	private, err := blockPublicAccess(ctx, name, s.Bucket, parent)
	if err != nil {
		return nil, nil, fmt.Errorf("bucket public access block: %w", err)
	}
	return ownership, private, nil
}

// originAccessControl declares how CloudFront signs its requests to the
// bucket. Its name, as the response headers policy's, is left to Pulumi,
// which adds a random suffix: both are account-wide, whatever the region,
// so two stacks of the same name (two people's local backends, or two
// regions) can share an account.
func originAccessControl(ctx *pulumi.Context, name string, parent pulumi.ResourceOption) (*cloudfront.OriginAccessControl, error) {
	oac, err := cloudfront.NewOriginAccessControl(ctx, name, &cloudfront.OriginAccessControlArgs{
		Description:                   pulumi.String("CloudFront signs its requests to the site's bucket."),
		OriginAccessControlOriginType: pulumi.String("s3"),
		SigningBehavior:               pulumi.String("always"),
		SigningProtocol:               pulumi.String("sigv4"),
	}, parent)
	if err != nil {
		return nil, fmt.Errorf("origin access control: %w", err)
	}
	return oac, nil
}

// responseHeaders declares the page's security headers, from package site.
func responseHeaders(ctx *pulumi.Context, name string, page site.Config, parent pulumi.ResourceOption) (*cloudfront.ResponseHeadersPolicy, error) {
	csp, err := page.ContentSecurityPolicy()
	if err != nil {
		return nil, err
	}
	headers, err := cloudfront.NewResponseHeadersPolicy(ctx, name, &cloudfront.ResponseHeadersPolicyArgs{
		Comment: pulumi.String("Security headers of the sign-in page"),
		SecurityHeadersConfig: &cloudfront.ResponseHeadersPolicySecurityHeadersConfigArgs{
			ContentSecurityPolicy: &cloudfront.ResponseHeadersPolicySecurityHeadersConfigContentSecurityPolicyArgs{
				ContentSecurityPolicy: pulumi.String(csp),
				Override:              pulumi.Bool(true),
			},
			StrictTransportSecurity: &cloudfront.ResponseHeadersPolicySecurityHeadersConfigStrictTransportSecurityArgs{
				AccessControlMaxAgeSec: pulumi.Int(site.HSTSMaxAge),
				IncludeSubdomains:      pulumi.Bool(true),
				Override:               pulumi.Bool(true),
			},
			ContentTypeOptions: &cloudfront.ResponseHeadersPolicySecurityHeadersConfigContentTypeOptionsArgs{
				Override: pulumi.Bool(true),
			},
			FrameOptions: &cloudfront.ResponseHeadersPolicySecurityHeadersConfigFrameOptionsArgs{
				FrameOption: pulumi.String(site.FrameOptions),
				Override:    pulumi.Bool(true),
			},
			ReferrerPolicy: &cloudfront.ResponseHeadersPolicySecurityHeadersConfigReferrerPolicyArgs{
				ReferrerPolicy: pulumi.String(site.ReferrerPolicy),
				Override:       pulumi.Bool(true),
			},
		},
		CustomHeadersConfig: &cloudfront.ResponseHeadersPolicyCustomHeadersConfigArgs{
			Items: cloudfront.ResponseHeadersPolicyCustomHeadersConfigItemArray{
				&cloudfront.ResponseHeadersPolicyCustomHeadersConfigItemArgs{
					Header:   pulumi.String("Cross-Origin-Opener-Policy"),
					Value:    pulumi.String(site.CrossOriginOpenerPolicy),
					Override: pulumi.Bool(true),
				},
			},
		},
	}, parent)
	if err != nil {
		return nil, fmt.Errorf("response headers policy: %w", err)
	}
	return headers, nil
}

// certificate declares the certificate of args.Domain, if set, and returns
// the distribution's viewer certificate: that one, or CloudFront's default.
func certificate(ctx *pulumi.Context, name string, args Args, parent pulumi.ResourceOption) (*cloudfront.DistributionViewerCertificateArgs, error) {
	if args.Domain == "" {
		return &cloudfront.DistributionViewerCertificateArgs{
			CloudfrontDefaultCertificate: pulumi.Bool(true),
		}, nil
	}
	cert, err := domain.NewCertificate(ctx, name, domain.CertificateArgs{
		Domain:   args.Domain,
		Zone:     args.Zone,
		Provider: args.CloudFront,
	}, parent)
	if err != nil {
		return nil, err
	}
	return &cloudfront.DistributionViewerCertificateArgs{
		AcmCertificateArn:      cert.ARN,
		SslSupportMethod:       pulumi.String("sni-only"),
		MinimumProtocolVersion: pulumi.String(minimumProtocolVersion),
	}, nil
}

// logging declares the log bucket of logs, if set, and returns the
// distribution's logging configuration and what it must wait for.
func (s *Site) logging(ctx *pulumi.Context, name string, logs *Logs) (cloudfront.DistributionLoggingConfigPtrInput, []pulumi.Resource, error) {
	if logs == nil {
		return nil, nil, nil
	}
	ready, err := s.logBucket(ctx, name, *logs)
	if err != nil {
		return nil, nil, err
	}
	return &cloudfront.DistributionLoggingConfigArgs{
		Bucket:         s.LogBucket.BucketDomainName,
		Prefix:         pulumi.String(distributionLogPrefix),
		IncludeCookies: pulumi.Bool(false),
	}, ready, nil
}

// distributionParts are what the distribution uses of the resources
// declared before it.
type distributionParts struct {
	oac     *cloudfront.OriginAccessControl
	headers *cloudfront.ResponseHeadersPolicy
	viewer  *cloudfront.DistributionViewerCertificateArgs
	logging cloudfront.DistributionLoggingConfigPtrInput
}

// The distribution's origins: the bucket, and the API for gateway.Prefix.
const originID, apiOriginID = "bucket", "api"

// distribution declares the distribution that serves the bucket, and the
// API under gateway.Prefix.
func (s *Site) distribution(ctx *pulumi.Context, name string, args Args, parts distributionParts, opts ...pulumi.ResourceOption) error {
	var aliases pulumi.StringArray
	if args.Domain != "" {
		aliases = pulumi.StringArray{pulumi.String(args.Domain)}
	}
	var err error
	s.Distribution, err = cloudfront.NewDistribution(ctx, name, &cloudfront.DistributionArgs{
		WebAclId:          args.WebACL,
		LoggingConfig:     parts.logging,
		Aliases:           aliases,
		Enabled:           pulumi.Bool(true),
		Comment:           pulumi.String("Sign-in page of " + ctx.Project() + "/" + ctx.Stack()),
		DefaultRootObject: pulumi.String("index.html"),
		HttpVersion:       pulumi.String("http2and3"),
		IsIpv6Enabled:     pulumi.Bool(true),
		PriceClass:        pulumi.String("PriceClass_100"),
		Origins:           s.origins(parts.oac, args.API),
		// The API's behaviours come first: CloudFront takes the first
		// pattern that matches. No CustomErrorResponses: they apply to every
		// behaviour, and one that turned 403 or 404 into the page would
		// replace the API's own answers.
		OrderedCacheBehaviors: apiBehaviours(args.API.Methods),
		DefaultCacheBehavior: &cloudfront.DistributionDefaultCacheBehaviorArgs{
			TargetOriginId:          pulumi.String(originID),
			ViewerProtocolPolicy:    pulumi.String("redirect-to-https"),
			AllowedMethods:          pulumi.ToStringArray([]string{"GET", "HEAD"}),
			CachedMethods:           pulumi.ToStringArray([]string{"GET", "HEAD"}),
			Compress:                pulumi.Bool(true),
			CachePolicyId:           pulumi.String(cachingOptimizedPolicyID),
			ResponseHeadersPolicyId: parts.headers.ID(),
		},
		Restrictions: &cloudfront.DistributionRestrictionsArgs{
			GeoRestriction: &cloudfront.DistributionRestrictionsGeoRestrictionArgs{
				RestrictionType: pulumi.String("none"),
			},
		},
		ViewerCertificate: parts.viewer,
	}, opts...)
	if err != nil {
		return fmt.Errorf("distribution: %w", err)
	}
	return nil
}

// origins are the distribution's origins: the bucket, read through oac,
// and the API.
func (s *Site) origins(oac *cloudfront.OriginAccessControl, api APIOrigin) cloudfront.DistributionOriginArray {
	return cloudfront.DistributionOriginArray{
		&cloudfront.DistributionOriginArgs{
			OriginId:              pulumi.String(originID),
			DomainName:            s.Bucket.BucketRegionalDomainName,
			OriginAccessControlId: oac.ID(),
		},
		&cloudfront.DistributionOriginArgs{
			OriginId:   pulumi.String(apiOriginID),
			DomainName: api.Host,
			OriginPath: pulumi.String(api.OriginPath),
			CustomOriginConfig: &cloudfront.DistributionOriginCustomOriginConfigArgs{
				OriginProtocolPolicy: pulumi.String("https-only"),
				OriginSslProtocols:   pulumi.ToStringArray([]string{"TLSv1.2"}),
				HttpPort:             pulumi.Int(80),
				HttpsPort:            pulumi.Int(443),
			},
		},
	}
}

// apiBehaviours are the behaviours of gateway.Prefix and what is under it:
// to the API, uncached, with the viewer's headers but Host.
func apiBehaviours(methods []string) cloudfront.DistributionOrderedCacheBehaviorArray {
	var behaviours cloudfront.DistributionOrderedCacheBehaviorArray
	for _, pattern := range []string{gateway.Prefix, gateway.Prefix + "/*"} {
		behaviours = append(behaviours, &cloudfront.DistributionOrderedCacheBehaviorArgs{
			PathPattern:           pulumi.String(pattern),
			TargetOriginId:        pulumi.String(apiOriginID),
			ViewerProtocolPolicy:  pulumi.String("https-only"),
			AllowedMethods:        pulumi.ToStringArray(apiMethods(methods)),
			CachedMethods:         pulumi.ToStringArray(readMethods),
			CachePolicyId:         pulumi.String(cachingDisabledPolicyID),
			OriginRequestPolicyId: pulumi.String(allViewerExceptHostHeaderPolicyID),
		})
	}
	return behaviours
}

// address sets the site's origin and URL: its own domain name, with its
// alias records, or the distribution's.
func (s *Site) address(ctx *pulumi.Context, name string, args Args, parent pulumi.ResourceOption) error {
	s.Origin = pulumi.Sprintf("https://%s", s.Distribution.DomainName)
	if args.Domain != "" {
		s.Origin = pulumi.String("https://" + args.Domain).ToStringOutput()
		if err := domain.Alias(ctx, name, args.Zone, args.Domain, domain.Target{
			DNSName: s.Distribution.DomainName,
			ZoneID:  s.Distribution.HostedZoneId,
		}, parent); err != nil {
			return err
		}
	}
	s.URL = pulumi.Sprintf("%s/", s.Origin)
	return nil
}

// readPolicy declares the bucket's policy: the distribution alone reads
// it, over TLS. It waits for the public access block private.
func (s *Site) readPolicy(ctx *pulumi.Context, name string, private *s3.BucketPublicAccessBlock, parent pulumi.ResourceOption) error {
	policy := pulumi.All(s.Bucket.Arn, s.Distribution.Arn).ApplyT(func(v []any) (string, error) {
		return bucketPolicy(v[0].(string), v[1].(string))
	}).(pulumi.StringOutput)
	if _, err := s3.NewBucketPolicy(ctx, name, &s3.BucketPolicyArgs{
		Bucket: s.Bucket.ID(),
		Policy: policy,
	}, parent, pulumi.DependsOn([]pulumi.Resource{private})); err != nil {
		return fmt.Errorf("bucket policy: %w", err)
	}
	return nil
}

// objects uploads the page's files, once the bucket's ownership controls
// are in place.
func (s *Site) objects(ctx *pulumi.Context, files []site.File, ownership *s3.BucketOwnershipControls) error {
	after := pulumi.DependsOn([]pulumi.Resource{ownership})
	for _, f := range files {
		if err := s.object(ctx, f, after); err != nil {
			return fmt.Errorf("%s: %w", f.Name, err)
		}
	}
	return nil
}

// object uploads one file of the page, with its headers: the document
// revalidated on every use, everything it refers to content-hashed and
// cached for a year (site.Build).
func (s *Site) object(ctx *pulumi.Context, f site.File, opts ...pulumi.ResourceOption) error {
	_, err := s3.NewBucketObjectv2(ctx, "site/"+f.Name, &s3.BucketObjectv2Args{
		Bucket:        s.Bucket.ID(),
		Key:           pulumi.String(f.Name),
		ContentBase64: pulumi.String(base64.StdEncoding.EncodeToString(f.Body)),
		ContentType:   pulumi.String(f.ContentType),
		CacheControl:  pulumi.String(f.CacheControl),
	}, append(opts, pulumi.Parent(s))...)
	return err
}

// tlsOnlyPolicy returns the JSON policy of bucketARN made of the statement
// allow and one that denies every request made without TLS, as AWS's S3
// security best practices advise. The explicit Deny overrides any Allow.
func tlsOnlyPolicy(bucketARN string, allow map[string]any) (string, error) {
	b, err := json.Marshal(map[string]any{
		"Version": "2012-10-17",
		"Statement": []map[string]any{allow, {
			"Sid":       "DenyRequestsWithoutTLS",
			"Effect":    "Deny",
			"Principal": "*",
			"Action":    "s3:*",
			"Resource":  []string{bucketARN, bucketARN + "/*"},
			"Condition": map[string]any{
				"Bool": map[string]string{"aws:SecureTransport": "false"},
			},
		}},
	})
	return string(b), err
}

// bucketPolicy returns the policy of bucketARN: the CloudFront distribution
// distributionARN, and nothing else, may read its objects, and no request
// without TLS may do anything, as AWS's S3 security best practices advise.
// The explicit Deny overrides any Allow, the distribution's included.
func bucketPolicy(bucketARN, distributionARN string) (string, error) {
	policy, err := tlsOnlyPolicy(bucketARN, map[string]any{
		"Sid":       "CloudFrontReadsObjects",
		"Effect":    "Allow",
		"Principal": map[string]string{"Service": "cloudfront.amazonaws.com"},
		"Action":    "s3:GetObject",
		"Resource":  bucketARN + "/*",
		"Condition": map[string]any{
			"StringEquals": map[string]string{"AWS:SourceArn": distributionARN},
		},
	})
	if err != nil {
		return "", fmt.Errorf("bucket policy: %w", err)
	}
	return policy, nil
}

// blockPublicAccess declares, under name, the public access block that
// refuses every public ACL and bucket policy of bucket.
func blockPublicAccess(ctx *pulumi.Context, name string, bucket *s3.BucketV2, opts ...pulumi.ResourceOption) (*s3.BucketPublicAccessBlock, error) {
	return s3.NewBucketPublicAccessBlock(ctx, name, &s3.BucketPublicAccessBlockArgs{
		Bucket:                bucket.ID(),
		BlockPublicAcls:       pulumi.Bool(true),
		BlockPublicPolicy:     pulumi.Bool(true),
		IgnorePublicAcls:      pulumi.Bool(true),
		RestrictPublicBuckets: pulumi.Bool(true),
	}, opts...)
}
