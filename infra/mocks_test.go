package main

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"signin/functions/authorizer"
	"signin/functions/bundle"
	"signin/functions/gateway"
	"signin/functions/stackconfig"
	"signin/functions/stackfile"
	"signin/infra/function"
	"signin/infra/project"
)

// Deterministic identities the mocks give the resources.
const (
	account           = "123456789012"
	region            = "eu-central-1"
	restAPIID         = "a1b2c3d4e5"
	distributionID    = "E2QWRUHAPOMQZL"
	distributionHost  = "d111111abcdef8.cloudfront.net"
	authorizerID      = "abc123"
	testClientID      = "123456789012-abcdefghijklmnopqrstuvwxyz012345.apps.googleusercontent.com"
	testStack         = "dev"
	testProject       = "signin"
	executionARN      = "arn:aws:execute-api:" + region + ":" + account + ":" + restAPIID
	siteOrigin        = "https://" + distributionHost
	apiOrigin         = "https://" + restAPIID + ".execute-api." + region + ".amazonaws.com"
	apiURL            = apiOrigin + "/" + testStack + "/api"
	basicExecutionARN = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
	// cloudFrontZoneID is the hosted zone of every CloudFront distribution.
	cloudFrontZoneID = "Z2FDTNDATAQYW2"
	// The public hosted zone the mocks' Route 53 holds.
	zoneID   = "Z0123456789ABCDEFGHIJ"
	zoneName = "example.com"
	// apiRegionalHost and apiRegionalZoneID are the API Gateway custom
	// domain's regional target.
	apiRegionalHost   = "d-abcd1234.execute-api." + region + ".amazonaws.com"
	apiRegionalZoneID = "Z1U9ULNL0V5AJ3"
)

// registered is one resource the program declared.
type registered struct {
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

// mocks plays AWS for the program: it answers every resource with
// deterministic IDs and ARNs, as AWS would compute them, and records what was
// declared.
type mocks struct {
	// distributionHost overrides the distribution's domain name.
	distributionHost string
	// alter, if set, changes the state AWS reports for a resource, as if it
	// had been configured differently.
	alter func(typ, name string, state resource.PropertyMap)
	// zones are the hosted zones Route 53 holds, by ID; nil means the one
	// public zone zoneName.
	zones map[string]zone

	mu        sync.Mutex
	resources []registered
}

func (m *mocks) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	state := args.Inputs.Copy()
	set := func(k, v string) { state[resource.PropertyKey(k)] = resource.NewProperty(v) }
	id := args.Name + "-id"
	name := args.Name + "-0a1b2c3"
	switch args.TypeToken {
	case "aws:s3/bucketV2:BucketV2":
		id = "signin-" + name
		set("bucket", id)
		set("arn", "arn:aws:s3:::"+id)
		set("bucketRegionalDomainName", id+".s3."+region+".amazonaws.com")
		set("bucketDomainName", id+".s3.amazonaws.com")
	case "aws:cloudfront/distribution:Distribution":
		id = distributionID
		host := distributionHost
		if m.distributionHost != "" {
			host = m.distributionHost
		}
		set("domainName", host)
		set("hostedZoneId", cloudFrontZoneID)
		set("arn", "arn:aws:cloudfront::"+account+":distribution/"+id)
	case "aws:apigateway/restApi:RestApi":
		id = restAPIID
		set("name", name)
		set("rootResourceId", "r00t1d")
		set("executionArn", executionARN)
		set("arn", "arn:aws:apigateway:"+region+"::/restapis/"+id)
	case "aws:apigateway/authorizer:Authorizer":
		id = authorizerID
	case "aws:lambda/function:Function":
		arn := "arn:aws:lambda:" + region + ":" + account + ":function:" + name
		set("name", name)
		set("arn", arn)
		set("invokeArn", "arn:aws:apigateway:"+region+":lambda:path/2015-03-31/functions/"+arn+"/invocations")
	case "aws:iam/role:Role":
		// Pulumi names a role with a namePrefix by adding a 26-character
		// suffix; without one, as it names everything else.
		if prefix := args.Inputs["namePrefix"]; prefix.IsString() {
			name = prefix.StringValue() + "20260101000000000000000001"
		}
		set("name", name)
		set("arn", "arn:aws:iam::"+account+":role/"+name)
	case "aws:acm/certificate:Certificate":
		domain := args.Inputs["domainName"].StringValue()
		id = "arn:aws:acm:" + m.providerRegion(args) + ":" + account + ":certificate/" + args.Name
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
		set("regionalDomainName", apiRegionalHost)
		set("regionalZoneId", apiRegionalZoneID)
	case "aws:apigateway/stage:Stage":
		set("arn", "arn:aws:apigateway:"+region+"::/restapis/"+restAPIID+"/stages/"+args.Inputs["stageName"].StringValue())
	case "aws:wafv2/webAcl:WebAcl":
		id = args.Name + "-0a1b2c3d"
		// A CloudFront web ACL's ARN says global, a regional one's regional.
		scope := map[string]string{"CLOUDFRONT": "global", "REGIONAL": "regional"}[str(args.Inputs, "scope")]
		set("arn", "arn:aws:wafv2:"+m.providerRegion(args)+":"+account+":"+scope+"/webacl/"+args.Name+"/"+id)
	case "aws:sns/topic:Topic":
		set("arn", "arn:aws:sns:"+region+":"+account+":"+name)
	case "aws:cloudwatch/logGroup:LogGroup":
		lg := str(args.Inputs, "name")
		if prefix := str(args.Inputs, "namePrefix"); prefix != "" {
			lg = prefix + "0a1b2c3"
		}
		set("name", lg)
		set("arn", "arn:aws:logs:"+region+":"+account+":log-group:"+lg)
	}
	if m.alter != nil {
		m.alter(args.TypeToken, args.Name, state)
	}
	rpc := args.RegisterRPC
	m.mu.Lock()
	defer m.mu.Unlock()
	m.resources = append(m.resources, registered{
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

// providerRegion returns the region of the resource's explicit provider,
// or the stack's.
func (m *mocks) providerRegion(args pulumi.MockResourceArgs) string {
	ref := args.RegisterRPC.GetProvider()
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, r := range m.resources {
		if r.Type == "pulumi:providers:aws" && strings.HasSuffix(ref, "::"+r.ID) {
			return str(r.Inputs, "region")
		}
	}
	return region
}

// zone is a Route 53 hosted zone of the mocks.
type zone struct {
	name    string
	private bool
}

func (m *mocks) Call(args pulumi.MockCallArgs) (resource.PropertyMap, error) {
	if args.Token != "aws:route53/getZone:getZone" {
		return nil, fmt.Errorf("unexpected call of %s", args.Token)
	}
	zones := m.zones
	if zones == nil {
		zones = map[string]zone{zoneID: {name: zoneName}}
	}
	for id, z := range zones {
		if (args.Args["zoneId"].HasValue() && args.Args["zoneId"].StringValue() == id) ||
			(args.Args["name"].HasValue() && strings.TrimSuffix(args.Args["name"].StringValue(), ".") == z.name) {
			return resource.PropertyMap{
				"id":          resource.NewProperty(id),
				"zoneId":      resource.NewProperty(id),
				"name":        resource.NewProperty(z.name),
				"privateZone": resource.NewProperty(z.private),
			}, nil
		}
	}
	return nil, fmt.Errorf("no matching Route 53 Hosted Zone found")
}

// all returns the declared resources of type typ, sorted by name.
func (m *mocks) all(typ string) []registered {
	var out []registered
	for _, r := range m.resources {
		if r.Type == typ {
			out = append(out, r)
		}
	}
	slices.SortFunc(out, func(a, b registered) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// one returns the resource of type typ named name.
func (m *mocks) one(t *testing.T, typ, name string) registered {
	t.Helper()
	for _, r := range m.resources {
		if r.Type == typ && r.Name == name {
			return r
		}
	}
	t.Fatalf("no %s named %s among %d resources", typ, name, len(m.resources))
	return registered{}
}

// str returns the string at the path of keys in props, or "" if absent.
func str(props resource.PropertyMap, path ...string) string {
	v := value(props, path...)
	if !v.IsString() {
		return ""
	}
	return v.StringValue()
}

// value returns the value at the path of keys in props.
func value(props resource.PropertyMap, path ...string) resource.PropertyValue {
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

// stringMap returns the map of strings at the path of keys in props.
func stringMap(props resource.PropertyMap, path ...string) map[string]string {
	v := value(props, path...)
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

// stackFile is the repository's file of the stack the tests run,
// Pulumi.dev.yaml.
var stackFile = filepath.Join("..", stackfile.FileName(testStack))

// testConfig is the configuration of the stack the tests run, as its file
// holds it: a team's allow-lists and groups (which the route table's groups
// name) are the tests' too. The client ID is testClientID: the template's
// placeholder is refused, and a team's real one stays out of the snapshots.
func testConfig() map[string]string {
	cfg := maps.Clone(stackValues)
	cfg[clientIDKey] = testClientID
	return cfg
}

// stackValues is the stack file's configuration, read by TestMain.
var stackValues map[string]string

// clientIDKey is the client ID's key in a stack's configuration.
const clientIDKey = project.Namespace + ":" + project.KeyGoogleClientID

// withGroups returns cfg with the groups of its configuration and groups
// (which win over those of the same name), as JSON for the groups setting.
func withGroups(t *testing.T, cfg map[string]string, groups authorizer.Groups) map[string]string {
	t.Helper()
	all := authorizer.Groups{}
	if raw, ok := cfg[groupsKey]; ok {
		var err error
		if all, err = authorizer.ParseGroups(raw); err != nil {
			t.Fatal(err)
		}
	}
	maps.Copy(all, groups)
	b, err := json.Marshal(all)
	if err != nil {
		t.Fatal(err)
	}
	cfg[groupsKey] = string(b)
	return cfg
}

// mustGroups parses the groups of raw (none when it is empty).
func mustGroups(t *testing.T, raw string) authorizer.Groups {
	t.Helper()
	if raw == "" {
		return nil
	}
	g, err := authorizer.ParseGroups(raw)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// groupsKey and workloadsKey are the groups' and the workloads' keys in a
// stack's configuration.
const (
	groupsKey    = project.Namespace + ":" + stackconfig.KeyGroups
	workloadsKey = project.Namespace + ":" + stackconfig.KeyWorkloads
)

// withConfig sets the stack's configuration, as Pulumi.<stack>.yaml would.
func withConfig(cfg map[string]string) pulumi.RunOption {
	return func(info *pulumi.RunInfo) { info.Config = cfg }
}

var (
	buildOnce  sync.Once
	builtCode  map[string]function.Code
	buildError error
)

// buildOnceForTests builds the real archives of every function of the
// route table once per test binary.
func buildOnceForTests(ctx context.Context, root string, names []string) (map[string]function.Code, error) {
	buildOnce.Do(func() {
		builtCode, buildError = buildFunctions(context.WithoutCancel(ctx), root, gateway.Routes.Functions())
	})
	code := map[string]function.Code{}
	for _, name := range names {
		c, ok := builtCode[name]
		if !ok && buildError == nil {
			return nil, fmt.Errorf("no archive built for %s", name)
		}
		code[name] = c
	}
	return code, buildError
}

// run runs the program against m with the configuration cfg.
func run(m *mocks, cfg map[string]string) error {
	return runRoutes(m, cfg, gateway.Routes)
}

// runRoutes runs the program for the route table routes against m with
// the configuration cfg. When the program succeeds, every input it
// declared must be one AWS accepts (checkInputs), so every configuration a
// test builds is checked as the golden snapshots are.
func runRoutes(m *mocks, cfg map[string]string, routes gateway.Table) error {
	if err := runProgram(m, cfg, routes); err != nil {
		return err
	}
	snaps, err := snapshots(m)
	if err != nil {
		return err
	}
	return checkInputs(snaps)
}

// runProgram runs the program alone for the route table routes against m
// with the configuration cfg.
func runProgram(m *mocks, cfg map[string]string, routes gateway.Table) error {
	return pulumi.RunErr(func(ctx *pulumi.Context) error {
		_, err := program(ctx, routes, buildOnceForTests)
		return err
	}, pulumi.WithMocks(testProject, testStack, m), withConfig(cfg))
}

// deploy runs the program with cfg and fails the test on an error.
func deploy(t *testing.T, m *mocks, cfg map[string]string) *mocks {
	t.Helper()
	if m == nil {
		m = &mocks{}
	}
	if err := run(m, cfg); err != nil {
		t.Fatalf("the program failed: %v", err)
	}
	return m
}

// TestMain reads the stack's configuration and checks the route table
// against the function commands and the stack's groups once: every test of
// this package declares the program from them, so a wrong table or an
// undefined group is one message, not one per test. (`make test` checks
// them before any test: make routes.)
func TestMain(m *testing.M) {
	dir, err := bundle.ModuleDir(context.Background())
	if err == nil {
		err = bundle.CheckRoutes(dir, gateway.Routes)
	}
	var access stackconfig.Authorizer
	if err == nil {
		access, err = stackconfig.Load(stackFile)
	}
	if err == nil {
		err = access.CheckRoutes(gateway.Routes)
	}
	if err == nil {
		stackValues, err = stackfile.Read(stackFile)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "the route table or the stack's configuration is wrong, and every test of signin/infra declares them:", err)
		os.Exit(1)
	}
	os.Exit(m.Run())
}
