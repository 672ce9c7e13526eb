package web

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Where the log bucket keeps each kind of log.
const (
	distributionLogPrefix = "cloudfront/"
	bucketLogPrefix       = "s3/"
)

// logBucket declares the bucket that receives the distribution's standard
// logs and the site bucket's server access logs, and turns the latter on.
// It returns what the distribution must wait for.
//
// CloudFront's standard logging writes through the bucket's ACL (it grants
// its log delivery account access when the distribution is configured), so
// the bucket keeps ACLs enabled, owned by the bucket owner
// (BucketOwnerPreferred), and blocks every public ACL and policy. S3's server
// access logging writes through the bucket policy instead.
func (s *Site) logBucket(ctx *pulumi.Context, name string, logs Logs) ([]pulumi.Resource, error) {
	parent := pulumi.Parent(s)
	logName := name + "-logs"
	var err error
	s.LogBucket, err = s3.NewBucketV2(ctx, logName, &s3.BucketV2Args{
		// The logs belong to the stack: `pulumi destroy` removes them.
		ForceDestroy: pulumi.Bool(true),
	}, parent)
	if err != nil {
		return nil, fmt.Errorf("log bucket: %w", err)
	}
	ownership, err := s3.NewBucketOwnershipControls(ctx, logName, &s3.BucketOwnershipControlsArgs{
		Bucket: s.LogBucket.ID(),
		Rule:   &s3.BucketOwnershipControlsRuleArgs{ObjectOwnership: pulumi.String("BucketOwnerPreferred")},
	}, parent)
	if err != nil {
		return nil, fmt.Errorf("log bucket ownership: %w", err)
	}
	private, err := blockPublicAccess(ctx, logName, s.LogBucket, parent)
	if err != nil {
		return nil, fmt.Errorf("log bucket public access block: %w", err)
	}
	if _, err := s3.NewBucketLifecycleConfigurationV2(ctx, logName, &s3.BucketLifecycleConfigurationV2Args{
		Bucket: s.LogBucket.ID(),
		Rules: s3.BucketLifecycleConfigurationV2RuleArray{&s3.BucketLifecycleConfigurationV2RuleArgs{
			Id:         pulumi.String("expire-logs"),
			Status:     pulumi.String("Enabled"),
			Filter:     &s3.BucketLifecycleConfigurationV2RuleFilterArgs{Prefix: pulumi.String("")},
			Expiration: &s3.BucketLifecycleConfigurationV2RuleExpirationArgs{Days: pulumi.Int(logs.RetentionDays)},
		}},
	}, parent); err != nil {
		return nil, fmt.Errorf("log bucket lifecycle: %w", err)
	}
	policy := pulumi.All(s.LogBucket.Arn, s.Bucket.Arn).ApplyT(func(v []any) (string, error) {
		return logBucketPolicy(v[0].(string), v[1].(string))
	}).(pulumi.StringOutput)
	written, err := s3.NewBucketPolicy(ctx, logName, &s3.BucketPolicyArgs{
		Bucket: s.LogBucket.ID(),
		Policy: policy,
	}, parent, pulumi.DependsOn([]pulumi.Resource{private}))
	if err != nil {
		return nil, fmt.Errorf("log bucket policy: %w", err)
	}
	if _, err := s3.NewBucketLoggingV2(ctx, name, &s3.BucketLoggingV2Args{
		Bucket:       s.Bucket.ID(),
		TargetBucket: s.LogBucket.ID(),
		TargetPrefix: pulumi.String(bucketLogPrefix),
	}, parent, pulumi.DependsOn([]pulumi.Resource{written})); err != nil {
		return nil, fmt.Errorf("bucket access logging: %w", err)
	}
	return []pulumi.Resource{ownership, private}, nil
}

// logBucketPolicy returns the policy of the log bucket logARN: S3's log
// delivery may write the access logs of the site's bucket siteARN, and no
// request without TLS may do anything.
func logBucketPolicy(logARN, siteARN string) (string, error) {
	policy, err := tlsOnlyPolicy(logARN, map[string]any{
		"Sid":       "S3WritesServerAccessLogs",
		"Effect":    "Allow",
		"Principal": map[string]string{"Service": "logging.s3.amazonaws.com"},
		"Action":    "s3:PutObject",
		"Resource":  logARN + "/" + bucketLogPrefix + "*",
		"Condition": map[string]any{
			"ArnLike": map[string]string{"aws:SourceArn": siteARN},
		},
	})
	if err != nil {
		return "", fmt.Errorf("log bucket policy: %w", err)
	}
	return policy, nil
}
