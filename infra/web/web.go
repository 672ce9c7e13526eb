// Package web declares where the sign-in page is served from: a private S3
// bucket that only a CloudFront distribution may read, the distribution that
// serves the page over HTTPS with strict security headers, the page's files
// and its config.json; optionally the site's own domain name, with its
// certificate and alias records.
//
// Google accepts only HTTPS origins for sign-in, and an S3 website endpoint
// speaks only HTTP, so the page is never served from S3 directly.
package web

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io/fs"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudfront"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"signin/infra/domain"
	"signin/site"
)

// componentType is the Pulumi type token of the component.
const componentType = "signin:index:Site"

// cachingOptimizedPolicyID is the ID of CloudFront's managed cache policy
// "CachingOptimized": cache by path only, compressed with gzip and Brotli,
// honouring the origin's Cache-Control.
const cachingOptimizedPolicyID = "658327ea-f89d-4fab-a63d-7e88639e58f6"

// cacheControl is the Cache-Control of every file of the page: browsers and
// CloudFront revalidate each time, so a redeploy shows at once. The page is a
// handful of small files, so revalidating costs little.
const cacheControl = "no-cache"

// minimumProtocolVersion is the oldest TLS version and set of ciphers the
// distribution accepts on its own domain name: TLS 1.2 with forward-secret
// ciphers, as CloudFront recommends.
const minimumProtocolVersion = "TLSv1.2_2021"

// Args configure a Site.
type Args struct {
	// Files are the page's static files, such as site.Files().
	Files fs.FS
	// ClientID is the Google client ID the page signs in with.
	ClientID string
	// APIURL is the address the page calls, for config.json.
	APIURL pulumi.StringInput
	// Domain, if set, is the site's own domain name in Zone, with a
	// certificate from us-east-1; otherwise the site is served on
	// CloudFront's name.
	Domain string
	// Zone is the hosted zone that holds Domain.
	Zone domain.Zone
	// AWSProfile is the AWS profile of the us-east-1 provider.
	AWSProfile string
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
	var err error
	s.Bucket, err = s3.NewBucketV2(ctx, name, &s3.BucketV2Args{
		// The bucket only holds copies of files in this repository.
		ForceDestroy: pulumi.Bool(true),
	}, parent)
	if err != nil {
		return fmt.Errorf("bucket: %w", err)
	}
	ownership, err := s3.NewBucketOwnershipControls(ctx, name, &s3.BucketOwnershipControlsArgs{
		Bucket: s.Bucket.ID(),
		Rule:   &s3.BucketOwnershipControlsRuleArgs{ObjectOwnership: pulumi.String("BucketOwnerEnforced")},
	}, parent)
	if err != nil {
		return fmt.Errorf("bucket ownership: %w", err)
	}
	private, err := s3.NewBucketPublicAccessBlock(ctx, name, &s3.BucketPublicAccessBlockArgs{
		Bucket:                s.Bucket.ID(),
		BlockPublicAcls:       pulumi.Bool(true),
		BlockPublicPolicy:     pulumi.Bool(true),
		IgnorePublicAcls:      pulumi.Bool(true),
		RestrictPublicBuckets: pulumi.Bool(true),
	}, parent)
	if err != nil {
		return fmt.Errorf("bucket public access block: %w", err)
	}
	// The origin access control and the response headers policy are
	// account-wide, whatever the region: their names are left to Pulumi,
	// which adds a random suffix, so that two stacks of the same name (two
	// people's local backends, or two regions) can share an account.
	oac, err := cloudfront.NewOriginAccessControl(ctx, name, &cloudfront.OriginAccessControlArgs{
		Description:                   pulumi.String("CloudFront signs its requests to the site's bucket."),
		OriginAccessControlOriginType: pulumi.String("s3"),
		SigningBehavior:               pulumi.String("always"),
		SigningProtocol:               pulumi.String("sigv4"),
	}, parent)
	if err != nil {
		return fmt.Errorf("origin access control: %w", err)
	}
	headers, err := cloudfront.NewResponseHeadersPolicy(ctx, name, &cloudfront.ResponseHeadersPolicyArgs{
		Comment: pulumi.String("Security headers of the sign-in page"),
		SecurityHeadersConfig: &cloudfront.ResponseHeadersPolicySecurityHeadersConfigArgs{
			ContentSecurityPolicy: &cloudfront.ResponseHeadersPolicySecurityHeadersConfigContentSecurityPolicyArgs{
				ContentSecurityPolicy: args.APIURL.ToStringOutput().ApplyT(func(apiURL string) (string, error) {
					return site.Config{ClientID: args.ClientID, APIURL: apiURL}.ContentSecurityPolicy()
				}).(pulumi.StringOutput),
				Override: pulumi.Bool(true),
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
		return fmt.Errorf("response headers policy: %w", err)
	}
	viewer := &cloudfront.DistributionViewerCertificateArgs{
		CloudfrontDefaultCertificate: pulumi.Bool(true),
	}
	var aliases pulumi.StringArray
	if args.Domain != "" {
		cert, err := domain.NewCertificate(ctx, name, domain.CertificateArgs{
			Domain:  args.Domain,
			Zone:    args.Zone,
			Region:  domain.CloudFrontRegion,
			Profile: args.AWSProfile,
		}, parent)
		if err != nil {
			return err
		}
		aliases = pulumi.StringArray{pulumi.String(args.Domain)}
		viewer = &cloudfront.DistributionViewerCertificateArgs{
			AcmCertificateArn:      cert.ARN,
			SslSupportMethod:       pulumi.String("sni-only"),
			MinimumProtocolVersion: pulumi.String(minimumProtocolVersion),
		}
	}
	var logging cloudfront.DistributionLoggingConfigPtrInput
	distributionOpts := []pulumi.ResourceOption{parent}
	if args.Logs != nil {
		ready, err := s.logBucket(ctx, name, *args.Logs)
		if err != nil {
			return err
		}
		logging = &cloudfront.DistributionLoggingConfigArgs{
			Bucket:         s.LogBucket.BucketDomainName,
			Prefix:         pulumi.String(distributionLogPrefix),
			IncludeCookies: pulumi.Bool(false),
		}
		distributionOpts = append(distributionOpts, pulumi.DependsOn(ready))
	}
	const originID = "bucket"
	s.Distribution, err = cloudfront.NewDistribution(ctx, name, &cloudfront.DistributionArgs{
		WebAclId:          args.WebACL,
		LoggingConfig:     logging,
		Aliases:           aliases,
		Enabled:           pulumi.Bool(true),
		Comment:           pulumi.String("Sign-in page of " + ctx.Project() + "/" + ctx.Stack()),
		DefaultRootObject: pulumi.String("index.html"),
		HttpVersion:       pulumi.String("http2and3"),
		IsIpv6Enabled:     pulumi.Bool(true),
		PriceClass:        pulumi.String("PriceClass_100"),
		Origins: cloudfront.DistributionOriginArray{
			&cloudfront.DistributionOriginArgs{
				OriginId:              pulumi.String(originID),
				DomainName:            s.Bucket.BucketRegionalDomainName,
				OriginAccessControlId: oac.ID(),
			},
		},
		DefaultCacheBehavior: &cloudfront.DistributionDefaultCacheBehaviorArgs{
			TargetOriginId:          pulumi.String(originID),
			ViewerProtocolPolicy:    pulumi.String("redirect-to-https"),
			AllowedMethods:          pulumi.ToStringArray([]string{"GET", "HEAD"}),
			CachedMethods:           pulumi.ToStringArray([]string{"GET", "HEAD"}),
			Compress:                pulumi.Bool(true),
			CachePolicyId:           pulumi.String(cachingOptimizedPolicyID),
			ResponseHeadersPolicyId: headers.ID(),
		},
		Restrictions: &cloudfront.DistributionRestrictionsArgs{
			GeoRestriction: &cloudfront.DistributionRestrictionsGeoRestrictionArgs{
				RestrictionType: pulumi.String("none"),
			},
		},
		ViewerCertificate: viewer,
	}, distributionOpts...)
	if err != nil {
		return fmt.Errorf("distribution: %w", err)
	}
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

	policy := pulumi.All(s.Bucket.Arn, s.Distribution.Arn).ApplyT(func(v []any) (string, error) {
		return bucketPolicy(v[0].(string), v[1].(string))
	}).(pulumi.StringOutput)
	if _, err := s3.NewBucketPolicy(ctx, name, &s3.BucketPolicyArgs{
		Bucket: s.Bucket.ID(),
		Policy: policy,
	}, parent, pulumi.DependsOn([]pulumi.Resource{private})); err != nil {
		return fmt.Errorf("bucket policy: %w", err)
	}

	after := pulumi.DependsOn([]pulumi.Resource{ownership})
	if err := fs.WalkDir(args.Files, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := fs.ReadFile(args.Files, path)
		if err != nil {
			return err
		}
		return s.object(ctx, path, &s3.BucketObjectv2Args{
			ContentBase64: pulumi.String(base64.StdEncoding.EncodeToString(body)),
		}, after)
	}); err != nil {
		return fmt.Errorf("files: %w", err)
	}
	config := args.APIURL.ToStringOutput().ApplyT(func(apiURL string) (string, error) {
		b, err := site.Config{ClientID: args.ClientID, APIURL: apiURL}.JSON()
		return string(b), err
	}).(pulumi.StringOutput)
	if err := s.object(ctx, site.ConfigPath, &s3.BucketObjectv2Args{Content: config}, after); err != nil {
		return fmt.Errorf("%s: %w", site.ConfigPath, err)
	}
	return nil
}

// object uploads one file of the page at key, with the content set in args.
func (s *Site) object(ctx *pulumi.Context, key string, args *s3.BucketObjectv2Args, opts ...pulumi.ResourceOption) error {
	args.Bucket = s.Bucket.ID()
	args.Key = pulumi.String(key)
	args.ContentType = pulumi.String(site.ContentType(key))
	args.CacheControl = pulumi.String(cacheControl)
	_, err := s3.NewBucketObjectv2(ctx, "site/"+key, args, append(opts, pulumi.Parent(s))...)
	return err
}

// denyWithoutTLS is the statement of a bucket policy that denies every
// request to bucketARN made without TLS, as AWS's S3 security best practices
// advise. The explicit Deny overrides any Allow.
func denyWithoutTLS(bucketARN string) map[string]any {
	return map[string]any{
		"Sid":       "DenyRequestsWithoutTLS",
		"Effect":    "Deny",
		"Principal": "*",
		"Action":    "s3:*",
		"Resource":  []string{bucketARN, bucketARN + "/*"},
		"Condition": map[string]any{
			"Bool": map[string]string{"aws:SecureTransport": "false"},
		},
	}
}

// bucketPolicy returns the policy of bucketARN: the CloudFront distribution
// distributionARN, and nothing else, may read its objects, and no request
// without TLS may do anything, as AWS's S3 security best practices advise.
// The explicit Deny overrides any Allow, the distribution's included.
func bucketPolicy(bucketARN, distributionARN string) (string, error) {
	policy := map[string]any{
		"Version": "2012-10-17",
		"Statement": []map[string]any{{
			"Sid":       "CloudFrontReadsObjects",
			"Effect":    "Allow",
			"Principal": map[string]string{"Service": "cloudfront.amazonaws.com"},
			"Action":    "s3:GetObject",
			"Resource":  bucketARN + "/*",
			"Condition": map[string]any{
				"StringEquals": map[string]string{"AWS:SourceArn": distributionARN},
			},
		}, denyWithoutTLS(bucketARN)},
	}
	b, err := json.Marshal(policy)
	if err != nil {
		return "", fmt.Errorf("bucket policy: %w", err)
	}
	return string(b), nil
}
