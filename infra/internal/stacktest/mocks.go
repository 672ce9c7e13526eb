// Package stacktest is the harness of infra's tests: Pulumi mocks that play
// AWS with deterministic identities and record every resource declared, the
// test stack's configuration, the functions' archives built once per test
// binary, and Declare, which declares the stack (package stack) against the
// mocks as the program does. The program's own tests (package main) and
// each component's tests share it.
package stacktest

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Deterministic identities the mocks give the resources.
const (
	Account           = "123456789012"
	Region            = "eu-central-1"
	RestAPIID         = "a1b2c3d4e5"
	DistributionID    = "E2QWRUHAPOMQZL"
	DistributionHost  = "d111111abcdef8.cloudfront.net"
	AuthorizerID      = "abc123"
	ClientID          = "123456789012-abcdefghijklmnopqrstuvwxyz012345.apps.googleusercontent.com"
	Stack             = "dev"
	Project           = "signin"
	ExecutionARN      = "arn:aws:execute-api:" + Region + ":" + Account + ":" + RestAPIID
	SiteOrigin        = "https://" + DistributionHost
	APIOrigin         = "https://" + RestAPIID + ".execute-api." + Region + ".amazonaws.com"
	APIURL            = APIOrigin + "/" + Stack + "/api"
	BasicExecutionARN = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
	// CloudFrontZoneID is the hosted zone of every CloudFront distribution.
	CloudFrontZoneID = "Z2FDTNDATAQYW2"
	// The public hosted zone the mocks' Route 53 holds.
	ZoneID   = "Z0123456789ABCDEFGHIJ"
	ZoneName = "example.com"
	// APIRegionalHost and APIRegionalZoneID are the API Gateway custom
	// domain's regional target.
	APIRegionalHost   = "d-abcd1234.execute-api." + Region + ".amazonaws.com"
	APIRegionalZoneID = "Z1U9ULNL0V5AJ3"
)

// Resource is one resource the program declared.
type Resource struct {
	Type, Name, Parent string
	// Provider is the explicit provider's reference (URN::ID), or "" for
	// the default provider.
	Provider     string
	Dependencies []string
	// RetainOnDelete says `pulumi destroy` leaves the resource in place.
	RetainOnDelete bool
	Inputs, State  resource.PropertyMap
	ID             string
}

// DependsOn reports whether r depends on the resource typ named name.
func (r Resource) DependsOn(typ, name string) bool {
	for _, d := range r.Dependencies {
		if ShortURN(d) == typ+"::"+name {
			return true
		}
	}
	return false
}

// Origin returns the origin id of the CloudFront distribution dist, and
// fails t when it has none.
func Origin(t testing.TB, dist Resource, id string) resource.PropertyMap {
	t.Helper()
	for _, o := range Value(dist.Inputs, "origins").ArrayValue() {
		if Str(o.ObjectValue(), "originId") == id {
			return o.ObjectValue()
		}
	}
	t.Fatalf("the distribution has no origin %q", id)
	return nil
}

// Mocks plays AWS for the program: it answers every resource with
// deterministic IDs and ARNs, as AWS would compute them, and records what was
// declared.
type Mocks struct {
	// DistributionHost overrides the distribution's domain name.
	DistributionHost string
	// Alter, if set, changes the state AWS reports for a resource, as if it
	// had been configured differently.
	Alter func(typ, name string, state resource.PropertyMap)
	// Zones are the hosted zones Route 53 holds, by ID; nil means the one
	// public zone ZoneName.
	Zones map[string]Zone

	mu        sync.Mutex
	resources []Resource
}

// NewResource records a declared resource and answers its state: its
// inputs, with the identities AWS would compute.
func (m *Mocks) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	state := args.Inputs.Copy()
	set := func(k, v string) { state[resource.PropertyKey(k)] = resource.NewProperty(v) }
	id := args.Name + "-id"
	name := args.Name + "-0a1b2c3"
	switch args.TypeToken {
	case "aws:s3/bucketV2:BucketV2":
		id = "signin-" + name
		set("bucket", id)
		set("arn", "arn:aws:s3:::"+id)
		set("bucketRegionalDomainName", id+".s3."+Region+".amazonaws.com")
		set("bucketDomainName", id+".s3.amazonaws.com")
	case "aws:cloudfront/distribution:Distribution":
		id = DistributionID
		host := DistributionHost
		if m.DistributionHost != "" {
			host = m.DistributionHost
		}
		set("domainName", host)
		set("hostedZoneId", CloudFrontZoneID)
		set("arn", "arn:aws:cloudfront::"+Account+":distribution/"+id)
	case "aws:apigateway/restApi:RestApi":
		id = RestAPIID
		set("name", name)
		set("rootResourceId", "r00t1d")
		set("executionArn", ExecutionARN)
		set("arn", "arn:aws:apigateway:"+Region+"::/restapis/"+id)
	case "aws:apigateway/authorizer:Authorizer":
		id = AuthorizerID
	case "aws:lambda/function:Function":
		arn := "arn:aws:lambda:" + Region + ":" + Account + ":function:" + name
		set("name", name)
		set("arn", arn)
		set("invokeArn", "arn:aws:apigateway:"+Region+":lambda:path/2015-03-31/functions/"+arn+"/invocations")
	case "aws:iam/role:Role":
		// Pulumi names a role with a namePrefix by adding a 26-character
		// suffix; without one, as it names everything else.
		if prefix := args.Inputs["namePrefix"]; prefix.IsString() {
			name = prefix.StringValue() + "20260101000000000000000001"
		}
		set("name", name)
		set("arn", "arn:aws:iam::"+Account+":role/"+name)
	case "aws:acm/certificate:Certificate":
		domain := args.Inputs["domainName"].StringValue()
		id = "arn:aws:acm:" + m.providerRegion(args) + ":" + Account + ":certificate/" + args.Name
		set("arn", id)
		state["domainValidationOptions"] = resource.NewProperty([]resource.PropertyValue{resource.NewProperty(resource.PropertyMap{
			"domainName":          resource.NewProperty(domain),
			"resourceRecordName":  resource.NewProperty("_0123abcd." + domain + "."),
			"resourceRecordType":  resource.NewProperty("CNAME"),
			"resourceRecordValue": resource.NewProperty("_4567efgh.acm-validations.aws."),
		})})
	case "aws:acm/certificateValidation:CertificateValidation":
		set("certificateArn", args.Inputs["certificateArn"].StringValue())
	case "aws:route53/record:Record":
		set("fqdn", strings.TrimSuffix(args.Inputs["name"].StringValue(), "."))
	case "aws:apigateway/domainName:DomainName":
		set("regionalDomainName", APIRegionalHost)
		set("regionalZoneId", APIRegionalZoneID)
	case "aws:apigateway/stage:Stage":
		set("arn", "arn:aws:apigateway:"+Region+"::/restapis/"+RestAPIID+"/stages/"+args.Inputs["stageName"].StringValue())
	case "aws:wafv2/webAcl:WebAcl":
		id = args.Name + "-0a1b2c3d"
		// A CloudFront web ACL's ARN says global, a regional one's regional.
		scope := map[string]string{"CLOUDFRONT": "global", "REGIONAL": "regional"}[Str(args.Inputs, "scope")]
		set("arn", "arn:aws:wafv2:"+m.providerRegion(args)+":"+Account+":"+scope+"/webacl/"+args.Name+"/"+id)
	case "aws:sns/topic:Topic":
		set("arn", "arn:aws:sns:"+Region+":"+Account+":"+name)
	case "aws:cloudwatch/logGroup:LogGroup":
		lg := Str(args.Inputs, "name")
		if prefix := Str(args.Inputs, "namePrefix"); prefix != "" {
			lg = prefix + "0a1b2c3"
		}
		set("name", lg)
		set("arn", "arn:aws:logs:"+Region+":"+Account+":log-group:"+lg)
	}
	if m.Alter != nil {
		m.Alter(args.TypeToken, args.Name, state)
	}
	rpc := args.RegisterRPC
	m.mu.Lock()
	defer m.mu.Unlock()
	m.resources = append(m.resources, Resource{
		Type:           args.TypeToken,
		Name:           args.Name,
		Parent:         rpc.GetParent(),
		Provider:       rpc.GetProvider(),
		Dependencies:   rpc.GetDependencies(),
		RetainOnDelete: rpc.GetRetainOnDelete(),
		Inputs:         args.Inputs,
		State:          state,
		ID:             id,
	})
	return id, state, nil
}

// providerRegion returns the Region of the resource's explicit provider,
// or the stack's.
func (m *Mocks) providerRegion(args pulumi.MockResourceArgs) string {
	ref := args.RegisterRPC.GetProvider()
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, r := range m.resources {
		if r.Type == "pulumi:providers:aws" && strings.HasSuffix(ref, "::"+r.ID) {
			return Str(r.Inputs, "region")
		}
	}
	return Region
}

// Zone is a Route 53 hosted zone of the mocks: its name, and whether it
// is private.
type Zone struct {
	Name    string
	Private bool
}

// Call answers Route 53's getZone from Zones; any other call is an error.
func (m *Mocks) Call(args pulumi.MockCallArgs) (resource.PropertyMap, error) {
	if args.Token != "aws:route53/getZone:getZone" {
		return nil, fmt.Errorf("unexpected call of %s", args.Token)
	}
	zones := m.Zones
	if zones == nil {
		zones = map[string]Zone{ZoneID: {Name: ZoneName}}
	}
	for id, z := range zones {
		if (args.Args["zoneId"].HasValue() && args.Args["zoneId"].StringValue() == id) ||
			(args.Args["name"].HasValue() && strings.TrimSuffix(args.Args["name"].StringValue(), ".") == z.Name) {
			return resource.PropertyMap{
				"id":          resource.NewProperty(id),
				"zoneId":      resource.NewProperty(id),
				"name":        resource.NewProperty(z.Name),
				"privateZone": resource.NewProperty(z.Private),
			}, nil
		}
	}
	return nil, fmt.Errorf("no matching Route 53 Hosted Zone found")
}

// Resources returns every resource declared so far, in the order of
// declaration.
func (m *Mocks) Resources() []Resource {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.resources)
}

// All returns the declared resources of type typ, sorted by name.
func (m *Mocks) All(typ string) []Resource {
	var out []Resource
	for _, r := range m.resources {
		if r.Type == typ {
			out = append(out, r)
		}
	}
	slices.SortFunc(out, func(a, b Resource) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// One returns the resource of type typ named name.
func (m *Mocks) One(t *testing.T, typ, name string) Resource {
	t.Helper()
	for _, r := range m.resources {
		if r.Type == typ && r.Name == name {
			return r
		}
	}
	t.Fatalf("no %s named %s among %d resources", typ, name, len(m.resources))
	return Resource{}
}

// Str returns the string at the path of keys in props, or "" if absent.
func Str(props resource.PropertyMap, path ...string) string {
	v := Value(props, path...)
	if !v.IsString() {
		return ""
	}
	return v.StringValue()
}

// Value returns the value at the path of keys in props.
func Value(props resource.PropertyMap, path ...string) resource.PropertyValue {
	v := resource.NewProperty(props)
	for _, k := range path {
		if v.IsSecret() {
			v = v.SecretValue().Element
		}
		if !v.IsObject() {
			return resource.NewNullProperty()
		}
		v = v.ObjectValue()[resource.PropertyKey(k)]
	}
	return v
}

// StringMap returns the map of strings at the path of keys in props.
func StringMap(props resource.PropertyMap, path ...string) map[string]string {
	v := Value(props, path...)
	out := map[string]string{}
	if !v.IsObject() {
		return out
	}
	for k, e := range v.ObjectValue() {
		if e.IsString() {
			out[string(k)] = e.StringValue()
		}
	}
	return out
}
