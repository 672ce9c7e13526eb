// Package firewall declares an AWS WAF web ACL that sheds abusive traffic
// before it reaches the API or the site: a rate-based rule that blocks a
// source IP making more requests than a limit in a window, and AWS's managed
// common rule set (the OWASP-style protections AWS maintains). Every block
// answers with a JSON body the page shows (gateway.BlockedBody), with, in
// front of the API, the CORS headers that let the page read it.
//
// The managed rule set runs in count mode and a rule after it blocks every
// request it labelled: a managed rule's own block would answer WAF's bare
// 403, which the page could not tell from the API's.
package firewall

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/wafv2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"signin/functions/gateway"
)

// componentType is the Pulumi type token of the component.
const componentType = "signin:index:Firewall"

// Scopes of a web ACL: in front of a regional resource such as an API
// Gateway stage, or of a CloudFront distribution (declared in us-east-1).
const (
	Regional   = "REGIONAL"
	CloudFront = "CLOUDFRONT"
)

// Names of the rules, which also name their CloudWatch metrics.
const (
	ruleRateLimit = "rate-limit-per-ip"
	ruleCommon    = "aws-common-rule-set"
	ruleBlock     = "block-common-rule-set-matches"
)

// commonRuleSet is AWS's managed common rule set.
const commonRuleSet = "AWSManagedRulesCommonRuleSet"

// commonRuleSetLabels is the namespace of the labels the common rule set
// adds to the requests its rules match.
const commonRuleSetLabels = "awswaf:managed:aws:core-rule-set:"

// Keys of the custom response bodies.
const (
	bodyRateLimited = "rate-limited"
	bodyBlocked     = "blocked"
)

// HTTP statuses of the blocked answers.
const (
	statusRateLimited = 429
	statusBlocked     = 403
)

// Args configure a web ACL.
type Args struct {
	// Scope is Regional or CloudFront.
	Scope string
	// RateLimit is how many requests one source IP may make in RateWindow
	// seconds (10 to 2,000,000,000, as WAF accepts).
	RateLimit int
	// RateWindow is the rate's evaluation window: 60, 120, 300 or 600 s.
	RateWindow int
	// AllowOrigin, if set, is the origin allowed to read a blocked answer
	// (Access-Control-Allow-Origin), the site's, as the API's own answers
	// allow it on the API's own address. On its own origin the page reads
	// an answer without it.
	AllowOrigin pulumi.StringInput
}

// WebACL is a web ACL and its rules.
type WebACL struct {
	pulumi.ResourceState

	// ACL is the web ACL; its ARN is what an association or a CloudFront
	// distribution names.
	ACL *wafv2.WebAcl
}

// New declares the web ACL name. opts must carry a us-east-1 provider for
// the CloudFront scope.
func New(ctx *pulumi.Context, name string, args Args, opts ...pulumi.ResourceOption) (*WebACL, error) {
	if args.Scope != Regional && args.Scope != CloudFront {
		return nil, fmt.Errorf("firewall %s: scope %q is neither %s nor %s", name, args.Scope, Regional, CloudFront)
	}
	w := &WebACL{}
	if err := ctx.RegisterComponentResource(componentType, name, w, opts...); err != nil {
		return nil, fmt.Errorf("firewall %s: %w", name, err)
	}
	var err error
	w.ACL, err = wafv2.NewWebAcl(ctx, name, &wafv2.WebAclArgs{
		Description:   pulumi.String("Sheds abusive traffic of " + ctx.Project() + "/" + ctx.Stack()),
		Scope:         pulumi.String(args.Scope),
		DefaultAction: &wafv2.WebAclDefaultActionArgs{Allow: &wafv2.WebAclDefaultActionAllowArgs{}},
		CustomResponseBodies: wafv2.WebAclCustomResponseBodyArray{
			&wafv2.WebAclCustomResponseBodyArgs{Key: pulumi.String(bodyRateLimited), ContentType: pulumi.String("APPLICATION_JSON"), Content: pulumi.String(gateway.BlockedBody(gateway.MessageRateLimited))},
			&wafv2.WebAclCustomResponseBodyArgs{Key: pulumi.String(bodyBlocked), ContentType: pulumi.String("APPLICATION_JSON"), Content: pulumi.String(gateway.BlockedBody(gateway.MessageBlocked))},
		},
		Rules: rules(name, args),
		VisibilityConfig: &wafv2.WebAclVisibilityConfigArgs{
			CloudwatchMetricsEnabled: pulumi.Bool(true),
			MetricName:               pulumi.String(name),
			SampledRequestsEnabled:   pulumi.Bool(true),
		},
	}, pulumi.Parent(w))
	if err != nil {
		return nil, fmt.Errorf("firewall %s: web ACL: %w", name, err)
	}
	if err := ctx.RegisterResourceOutputs(w, pulumi.Map{"arn": w.ACL.Arn}); err != nil {
		return nil, fmt.Errorf("firewall %s: %w", name, err)
	}
	return w, nil
}

// rules are the web ACL name's rules, in order: the rate rule per source
// IP, AWS's common rule set counting its matches, and the rule blocking
// them.
func rules(name string, args Args) wafv2.WebAclRuleArray {
	headers := blockHeaders(args.AllowOrigin)
	return wafv2.WebAclRuleArray{
		&wafv2.WebAclRuleArgs{
			Name:     pulumi.String(ruleRateLimit),
			Priority: pulumi.Int(0),
			Action:   block(statusRateLimited, bodyRateLimited, headers),
			Statement: &wafv2.WebAclRuleStatementArgs{
				RateBasedStatement: &wafv2.WebAclRuleStatementRateBasedStatementArgs{
					AggregateKeyType:    pulumi.String("IP"),
					Limit:               pulumi.Int(args.RateLimit),
					EvaluationWindowSec: pulumi.Int(args.RateWindow),
				},
			},
			VisibilityConfig: metric(name, ruleRateLimit),
		},
		&wafv2.WebAclRuleArgs{
			Name:           pulumi.String(ruleCommon),
			Priority:       pulumi.Int(1),
			OverrideAction: &wafv2.WebAclRuleOverrideActionArgs{Count: &wafv2.WebAclRuleOverrideActionCountArgs{}},
			Statement: &wafv2.WebAclRuleStatementArgs{
				ManagedRuleGroupStatement: &wafv2.WebAclRuleStatementManagedRuleGroupStatementArgs{
					VendorName: pulumi.String("AWS"),
					Name:       pulumi.String(commonRuleSet),
				},
			},
			VisibilityConfig: metric(name, ruleCommon),
		},
		&wafv2.WebAclRuleArgs{
			Name:     pulumi.String(ruleBlock),
			Priority: pulumi.Int(2),
			Action:   block(statusBlocked, bodyBlocked, headers),
			Statement: &wafv2.WebAclRuleStatementArgs{
				LabelMatchStatement: &wafv2.WebAclRuleStatementLabelMatchStatementArgs{
					Scope: pulumi.String("NAMESPACE"),
					Key:   pulumi.String(commonRuleSetLabels),
				},
			},
			VisibilityConfig: metric(name, ruleBlock),
		},
	}
}

// metric is the visibility of the rule of the web ACL name: its CloudWatch
// metric and sampled requests.
func metric(name, rule string) *wafv2.WebAclRuleVisibilityConfigArgs {
	return &wafv2.WebAclRuleVisibilityConfigArgs{
		CloudwatchMetricsEnabled: pulumi.Bool(true),
		MetricName:               pulumi.String(name + "-" + rule),
		SampledRequestsEnabled:   pulumi.Bool(true),
	}
}

// blockHeaders are the headers of a blocked answer: none, or, with
// allowOrigin, the CORS header that lets that origin read it.
func blockHeaders(allowOrigin pulumi.StringInput) wafv2.WebAclRuleActionBlockCustomResponseResponseHeaderArray {
	if allowOrigin == nil {
		return nil
	}
	return wafv2.WebAclRuleActionBlockCustomResponseResponseHeaderArray{
		&wafv2.WebAclRuleActionBlockCustomResponseResponseHeaderArgs{Name: pulumi.String("Access-Control-Allow-Origin"), Value: allowOrigin},
		&wafv2.WebAclRuleActionBlockCustomResponseResponseHeaderArgs{Name: pulumi.String("Vary"), Value: pulumi.String("Origin")},
	}
}

// block answers status with the custom response body and headers.
func block(status int, body string, headers wafv2.WebAclRuleActionBlockCustomResponseResponseHeaderArray) *wafv2.WebAclRuleActionArgs {
	return &wafv2.WebAclRuleActionArgs{Block: &wafv2.WebAclRuleActionBlockArgs{
		CustomResponse: &wafv2.WebAclRuleActionBlockCustomResponseArgs{
			ResponseCode:          pulumi.Int(status),
			CustomResponseBodyKey: pulumi.String(body),
			ResponseHeaders:       headers,
		},
	}}
}

// Protect associates the web ACL with the regional resource resourceARN,
// such as an API Gateway stage.
func (w *WebACL) Protect(ctx *pulumi.Context, name string, resourceARN pulumi.StringInput) error {
	if _, err := wafv2.NewWebAclAssociation(ctx, name, &wafv2.WebAclAssociationArgs{
		ResourceArn: resourceARN,
		WebAclArn:   w.ACL.Arn,
	}, pulumi.Parent(w)); err != nil {
		return fmt.Errorf("firewall %s: association: %w", name, err)
	}
	return nil
}
