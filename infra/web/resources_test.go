package web_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"signin/functions/gateway"
	"signin/infra/internal/stacktest"
	"signin/site"
)

// The bucket is private: no public access at all, only the site's
// distribution may read its objects, and nothing without TLS.
func TestBucketIsReadableOnlyByTheDistribution(t *testing.T) {
	m := stacktest.Deploy(t, nil, stacktest.Config())
	bucket := m.One(t, "aws:s3/bucketV2:BucketV2", "site")
	block := m.One(t, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "site")
	for _, k := range []string{"blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"} {
		if v := stacktest.Value(block.Inputs, k); !v.IsBool() || !v.BoolValue() {
			t.Errorf("public access block %s = %v, want true", k, v)
		}
	}
	if got := stacktest.Str(m.One(t, "aws:s3/bucketOwnershipControls:BucketOwnershipControls", "site").Inputs, "rule", "objectOwnership"); got != "BucketOwnerEnforced" {
		t.Errorf("object ownership = %q, want BucketOwnerEnforced (no ACLs)", got)
	}
	if v := stacktest.Value(bucket.Inputs, "forceDestroy"); !v.IsBool() || !v.BoolValue() {
		t.Error("forceDestroy is not set: destroy would fail on the page's files")
	}
	var policy struct {
		Statement []struct {
			Sid       string
			Effect    string
			Principal json.RawMessage
			Action    string
			Resource  json.RawMessage
			Condition map[string]map[string]string
		}
	}
	if err := json.Unmarshal([]byte(stacktest.Str(m.One(t, "aws:s3/bucketPolicy:BucketPolicy", "site").Inputs, "policy")), &policy); err != nil {
		t.Fatal(err)
	}
	if len(policy.Statement) != 2 {
		t.Fatalf("bucket policy has %d statements, want 2: the distribution's read and the denial without TLS", len(policy.Statement))
	}
	bucketARN := stacktest.Str(bucket.State, "arn")
	dist := m.One(t, "aws:cloudfront/distribution:Distribution", "site")
	read := policy.Statement[0]
	if read.Effect != "Allow" || string(read.Principal) != `{"Service":"cloudfront.amazonaws.com"}` || read.Action != "s3:GetObject" ||
		string(read.Resource) != `"`+bucketARN+`/*"` || read.Condition["StringEquals"]["AWS:SourceArn"] != stacktest.Str(dist.State, "arn") {
		t.Errorf("bucket policy statement = %+v, want only distribution %s to get objects", read, stacktest.Str(dist.State, "arn"))
	}
	// An attacker on the path between a client and S3 must not see or
	// change the bucket: any request without TLS is denied, whoever makes
	// it and whatever it does, on the bucket and on every object.
	deny := policy.Statement[1]
	if deny.Effect != "Deny" || string(deny.Principal) != `"*"` || deny.Action != "s3:*" ||
		string(deny.Resource) != `["`+bucketARN+`","`+bucketARN+`/*"]` || deny.Condition["Bool"]["aws:SecureTransport"] != "false" {
		t.Errorf("bucket policy statement = %+v, want every request without TLS denied on the bucket and its objects", deny)
	}
	for _, o := range m.All("aws:s3/bucketObjectv2:BucketObjectv2") {
		if acl := stacktest.Str(o.Inputs, "acl"); acl != "" {
			t.Errorf("%s has ACL %q", o.Name, acl)
		}
	}
}

// Google accepts only HTTPS origins: viewers are sent to HTTPS and the
// distribution signs its requests to the bucket.
func TestViewersAreOnHTTPS(t *testing.T) {
	m := stacktest.Deploy(t, nil, stacktest.Config())
	dist := m.One(t, "aws:cloudfront/distribution:Distribution", "site")
	for _, c := range []struct {
		path []string
		want string
	}{
		{[]string{"defaultCacheBehavior", "viewerProtocolPolicy"}, "redirect-to-https"},
		{[]string{"defaultRootObject"}, "index.html"},
		{[]string{"defaultCacheBehavior", "responseHeadersPolicyId"}, "site-id"},
	} {
		if got := stacktest.Str(dist.Inputs, c.path...); got != c.want {
			t.Errorf("%s = %q, want %q", strings.Join(c.path, "."), got, c.want)
		}
	}
	if v := stacktest.Value(dist.Inputs, "defaultCacheBehavior", "compress"); !v.IsBool() || !v.BoolValue() {
		t.Error("compression is off")
	}
	if bucket := stacktest.Origin(t, dist, "bucket"); stacktest.Str(bucket, "originAccessControlId") != "site-id" {
		t.Errorf("bucket origin = %v, want the bucket through the origin access control", bucket)
	}
	oac := m.One(t, "aws:cloudfront/originAccessControl:OriginAccessControl", "site")
	if stacktest.Str(oac.Inputs, "signingBehavior") != "always" || stacktest.Str(oac.Inputs, "signingProtocol") != "sigv4" {
		t.Errorf("origin access control signs %q with %q, want always with sigv4", stacktest.Str(oac.Inputs, "signingBehavior"), stacktest.Str(oac.Inputs, "signingProtocol"))
	}
}

// The origin access control and the response headers policy are
// account-wide whatever the region: a fixed name would make a second stack of
// the same name in the account (another person's local backend, another
// region) fail to deploy, so their names are left to Pulumi, which adds a
// random suffix.
func TestAccountWideCloudFrontResourcesAreAutoNamed(t *testing.T) {
	m := stacktest.Deploy(t, nil, stacktest.Config())
	for _, typ := range []string{
		"aws:cloudfront/originAccessControl:OriginAccessControl",
		"aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy",
	} {
		t.Run(typ, func(t *testing.T) {
			if name := stacktest.Str(m.One(t, typ, "site").Inputs, "name"); name != "" {
				t.Errorf("name = %q, want none: Pulumi names it uniquely", name)
			}
		})
	}
}

// The page's security headers: a CSP allowing Google Identity Services and
// its own origin (where the API is) and nothing inline, HSTS, nosniff, no framing, a referrer policy
// and the opener policy Google's popup needs.
func TestSecurityHeaders(t *testing.T) {
	m := stacktest.Deploy(t, nil, stacktest.Config())
	p := m.One(t, "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy", "site").Inputs
	csp := stacktest.Str(p, "securityHeadersConfig", "contentSecurityPolicy", "contentSecurityPolicy")
	want, err := site.Config{ClientID: stacktest.ClientID}.ContentSecurityPolicy()
	if err != nil {
		t.Fatal(err)
	}
	if csp != want {
		t.Errorf("CSP = %q, want %q", csp, want)
	}
	directives := map[string][]string{}
	for _, d := range strings.Split(csp, ";") {
		f := strings.Fields(d)
		directives[f[0]] = f[1:]
	}
	for _, c := range []struct{ directive, source string }{
		{"script-src", "https://accounts.google.com/gsi/client"},
		{"style-src", "https://accounts.google.com/gsi/style"},
		{"frame-src", "https://accounts.google.com/gsi/"},
		{"connect-src", "https://accounts.google.com/gsi/"},
		{"connect-src", "'self'"},
		{"img-src", "https://*.googleusercontent.com"},
		{"default-src", "'self'"},
		{"frame-ancestors", "'none'"},
	} {
		if !slices.Contains(directives[c.directive], c.source) {
			t.Errorf("%s %v lacks %s", c.directive, directives[c.directive], c.source)
		}
	}
	for _, unsafe := range []string{"'unsafe-inline'", "'unsafe-eval'", "*", "http:", "https:"} {
		for d, sources := range directives {
			if slices.Contains(sources, unsafe) {
				t.Errorf("%s allows %s", d, unsafe)
			}
		}
	}
	for _, c := range []struct {
		path []string
		want string
	}{
		{[]string{"securityHeadersConfig", "frameOptions", "frameOption"}, "DENY"},
		{[]string{"securityHeadersConfig", "referrerPolicy", "referrerPolicy"}, "strict-origin-when-cross-origin"},
	} {
		if got := stacktest.Str(p, c.path...); got != c.want {
			t.Errorf("%s = %q, want %q", strings.Join(c.path, "."), got, c.want)
		}
	}
	if v := stacktest.Value(p, "securityHeadersConfig", "strictTransportSecurity", "accessControlMaxAgeSec"); !v.IsNumber() || v.NumberValue() < 31536000 {
		t.Errorf("HSTS max-age = %v, want at least a year", v)
	}
	if v := stacktest.Value(p, "securityHeadersConfig", "contentTypeOptions", "override"); !v.IsBool() || !v.BoolValue() {
		t.Error("X-Content-Type-Options: nosniff is not set")
	}
	items := stacktest.Value(p, "customHeadersConfig", "items").ArrayValue()
	if len(items) != 1 || stacktest.Str(items[0].ObjectValue(), "header") != "Cross-Origin-Opener-Policy" || stacktest.Str(items[0].ObjectValue(), "value") != "same-origin-allow-popups" {
		t.Errorf("custom headers = %v, want Cross-Origin-Opener-Policy: same-origin-allow-popups", items)
	}
}

// The page's files are uploaded as site.Build renders them for the stack's
// client, with their content types and caching: the document revalidated
// on every use, everything else content-hashed and kept a year.
func TestSiteFiles(t *testing.T) {
	m := stacktest.Deploy(t, nil, stacktest.Config())
	objects := map[string]stacktest.Resource{}
	for _, o := range m.All("aws:s3/bucketObjectv2:BucketObjectv2") {
		objects[stacktest.Str(o.Inputs, "key")] = o
	}
	files, err := site.Build(site.Config{ClientID: stacktest.ClientID})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		o, ok := objects[f.Name]
		if !ok {
			t.Errorf("%s is not uploaded", f.Name)
			continue
		}
		for field, want := range map[string]string{"contentType": f.ContentType, "cacheControl": f.CacheControl} {
			if got := stacktest.Str(o.Inputs, field); got != want {
				t.Errorf("%s: %s = %q, want %q", f.Name, field, got, want)
			}
		}
		if got, err := base64.StdEncoding.DecodeString(stacktest.Str(o.Inputs, "contentBase64")); err != nil || !bytes.Equal(got, f.Body) {
			t.Errorf("%s: uploaded %d bytes (%v), want the %d bytes site.Build renders", f.Name, len(got), err, len(f.Body))
		}
	}
	if len(objects) != len(files) {
		t.Errorf("uploaded %d objects, want %d", len(objects), len(files))
	}
}

// Pitfalls 19 and 20: the site's /api and /api/* go to the API's regional
// domain, over HTTPS only, never cached, with every viewer header but Host
// (so Authorization reaches the API, and API Gateway, which answers 403 to
// a Host not its own, sees its own name); and no custom error response
// turns an API 403 or 404 into the page.
func TestTheAPIIsOnTheSiteOrigin(t *testing.T) {
	for _, c := range []struct {
		name             string
		cfg              map[string]string
		host, originPath string
	}{
		{"execute-api", stacktest.Config(), strings.TrimPrefix(stacktest.APIOrigin, "https://"), "/" + stacktest.Stack},
		{"custom domain", stacktest.OptionsConfig(), "api." + stacktest.ZoneName, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			dist := stacktest.Deploy(t, nil, c.cfg).One(t, "aws:cloudfront/distribution:Distribution", "site")
			api := stacktest.Origin(t, dist, "api")
			if got := stacktest.Str(api, "domainName"); got != c.host {
				t.Errorf("API origin domainName = %q, want %q", got, c.host)
			}
			if got := stacktest.Str(api, "originPath"); got != c.originPath {
				t.Errorf("API origin originPath = %q, want %q", got, c.originPath)
			}
			if got := stacktest.Str(api, "customOriginConfig", "originProtocolPolicy"); got != "https-only" {
				t.Errorf("API origin protocol policy = %q, want https-only: the token must not cross the network in the clear", got)
			}
			if got := stacktest.Value(api, "customOriginConfig", "originSslProtocols"); !got.IsArray() || len(got.ArrayValue()) != 1 || got.ArrayValue()[0].StringValue() != "TLSv1.2" {
				t.Errorf("API origin TLS versions = %v, want TLSv1.2 only", got)
			}
			if v := stacktest.Value(dist.Inputs, "customErrorResponses"); v.IsArray() && len(v.ArrayValue()) > 0 {
				t.Errorf("custom error responses %v apply to the API's behaviours too: an API 403 or 404 would become the page", v)
			}
			behaviours := stacktest.Value(dist.Inputs, "orderedCacheBehaviors").ArrayValue()
			var patterns []string
			for _, b := range behaviours {
				b := b.ObjectValue()
				patterns = append(patterns, stacktest.Str(b, "pathPattern"))
				for _, want := range []struct{ field, value, why string }{
					{"targetOriginId", "api", "the API"},
					{"cachePolicyId", "4135ea2d-6df8-44a3-9df3-4b5a84be39ad", "CachingDisabled: no API answer is cached, and Authorization may be forwarded"},
					{"originRequestPolicyId", "b689b0a8-53d0-40ab-baf2-68738e2966ac", "AllViewerExceptHostHeader: Authorization reaches the API, Host does not"},
					{"viewerProtocolPolicy", "https-only", "no token over plain HTTP"},
				} {
					if got := stacktest.Str(b, want.field); got != want.value {
						t.Errorf("%s: %s = %q, want %q (%s)", stacktest.Str(b, "pathPattern"), want.field, got, want.value, want.why)
					}
				}
				if got, want := stringList(stacktest.Value(b, "allowedMethods")), cloudFrontMethods(gateway.Routes.Methods()); !slices.Equal(got, want) {
					t.Errorf("%s: allowedMethods = %v, want %v, CloudFront's smallest set that holds the route table's methods %v", stacktest.Str(b, "pathPattern"), got, want, gateway.Routes.Methods())
				}
				for _, unwanted := range []string{"forwardedValues", "defaultTtl", "maxTtl", "minTtl"} {
					if v := stacktest.Value(b, unwanted); !v.IsNull() {
						t.Errorf("%s: %s = %v, want none beside the cache policy", stacktest.Str(b, "pathPattern"), unwanted, v)
					}
				}
			}
			if want := []string{gateway.Prefix, gateway.Prefix + "/*"}; !slices.Equal(patterns, want) {
				t.Errorf("API behaviours = %v, want %v", patterns, want)
			}
		})
	}
}

// cloudFrontMethods returns the smallest of the sets of methods CloudFront
// lets a cache behaviour allow that holds methods.
func cloudFrontMethods(methods []string) []string {
	for _, set := range [][]string{
		{"GET", "HEAD"},
		{"GET", "HEAD", "OPTIONS"},
	} {
		if !slices.ContainsFunc(methods, func(m string) bool { return !slices.Contains(set, m) }) {
			return set
		}
	}
	return []string{"GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"}
}

// stringList returns the strings of the list v.
func stringList(v resource.PropertyValue) []string {
	var out []string
	if v.IsArray() {
		for _, e := range v.ArrayValue() {
			out = append(out, e.StringValue())
		}
	}
	return out
}
