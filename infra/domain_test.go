package main

import (
	"strings"
	"testing"

	"signin/functions/gateway"
	"signin/infra/config"
)

// domainConfig is a valid configuration with the site at app.example.com
// and the API at its default name, in the zone found by name.
func domainConfig() map[string]string {
	cfg := testConfig()
	cfg["signin:"+config.KeySiteDomain] = "app." + zoneName
	cfg["signin:"+config.KeyHostedZoneName] = zoneName
	return cfg
}

// Every wrong domain setting, alone or with others, stops the program
// before any resource is declared, with a message naming the setting and
// the fix.
func TestDomainConfigErrorsSayHowToFixThem(t *testing.T) {
	for _, c := range []struct {
		name string
		set  map[string]string
		want []string
	}{
		{"site domain with a scheme", map[string]string{config.KeySiteDomain: "https://app.example.com"}, []string{`siteDomain "https://app.example.com" is not a domain name: give the name alone, without scheme`}},
		{"site domain with a path", map[string]string{config.KeySiteDomain: "app.example.com/signin"}, []string{"without scheme, port or path"}},
		{"site domain with a final dot", map[string]string{config.KeySiteDomain: "app.example.com."}, []string{`siteDomain "app.example.com." ends with a dot: remove it`}},
		{"site domain in upper case", map[string]string{config.KeySiteDomain: "App.example.com"}, []string{"has upper-case letters: write it in lower case (app.example.com)"}},
		{"site domain a wildcard", map[string]string{config.KeySiteDomain: "*.example.com"}, []string{"is a wildcard"}},
		{"site domain a single label", map[string]string{config.KeySiteDomain: "localhost"}, []string{`siteDomain "localhost" is not a domain name (labels of letters`}},
		{"site domain with an underscore", map[string]string{config.KeySiteDomain: "my_app.example.com"}, []string{"is not a domain name (labels"}},
		{"site domain too long", map[string]string{config.KeySiteDomain: strings.Repeat("a.", 130) + "example.com"}, []string{"more than the 253 of a DNS name"}},
		{"api domain not a name", map[string]string{config.KeyAPIDomain: "api example.com"}, []string{`apiDomain "api example.com" is not a domain name`}},
		{"zone name not a name", map[string]string{config.KeyHostedZoneName: "example"}, []string{`hostedZoneName "example" is not a domain name`}},
		{"site domain outside the zone", map[string]string{config.KeySiteDomain: "app.example.org"}, []string{`siteDomain "app.example.org" is not in the hosted zone example.com: give a name that ends in .example.com`}},
		{"api domain outside the zone", map[string]string{config.KeyAPIDomain: "api.example.org"}, []string{`apiDomain "api.example.org" is not in the hosted zone example.com`}},
		{"a name merely ending like the zone", map[string]string{config.KeySiteDomain: "notexample.com"}, []string{`siteDomain "notexample.com" is not in the hosted zone example.com`}},
		{"site without a zone", map[string]string{config.KeyHostedZoneName: ""}, []string{"siteDomain is set but no hosted zone is", "pulumi config set hostedZoneId <zone-id>"}},
		{"zone by ID and by name", map[string]string{config.KeyHostedZoneID: zoneID}, []string{"both hostedZoneId and hostedZoneName are set: keep one"}},
		{"zone ID of another shape", map[string]string{config.KeyHostedZoneName: "", config.KeyHostedZoneID: "/hostedzone/" + zoneID}, []string{`hostedZoneId "/hostedzone/` + zoneID + `" is not a Route 53 hosted zone ID`, "after /hostedzone/"}},
		{"api domain without a site domain", map[string]string{config.KeySiteDomain: "", config.KeyHostedZoneName: "", config.KeyAPIDomain: "api.example.com"}, []string{"apiDomain is set but siteDomain is not", "pulumi config set siteDomain"}},
		{"zone without a site domain", map[string]string{config.KeySiteDomain: ""}, []string{"a hosted zone is set but siteDomain is not"}},
		{"site and api on one name", map[string]string{config.KeyAPIDomain: "app.example.com"}, []string{`siteDomain and apiDomain are both "app.example.com": give the API a name of its own, such as api.app.example.com`}},
		{"execute-api disabled without an api domain", map[string]string{config.KeySiteDomain: "", config.KeyHostedZoneName: "", config.KeyDisableExecuteAPI: "true"}, []string{"disableExecuteApiEndpoint is true but the API has no domain name, so nothing could reach it"}},
		{"execute-api switch not a boolean", map[string]string{config.KeyDisableExecuteAPI: "yes"}, []string{"disableExecuteApiEndpoint: not true or false"}},
		{"alarm email without @", map[string]string{config.KeyAlarmEmail: "ops"}, []string{`alarmEmail: "ops" is not an email address`, "pulumi config set alarmEmail"}},
		{"alarm email with a bad domain", map[string]string{config.KeyAlarmEmail: "ops@example"}, []string{`alarmEmail: "ops@example" is not an email address`}},
		{"log level unknown", map[string]string{config.KeyLogLevel: "VERBOSE"}, []string{`logLevel is "VERBOSE": give one of TRACE, DEBUG, INFO, WARN, ERROR`}},
		{"log level in lower case", map[string]string{config.KeyLogLevel: "debug"}, []string{`logLevel is "debug"`, "(upper case)"}},
		{"log level hiding errors", map[string]string{config.KeyLogLevel: "FATAL"}, []string{"FATAL would hide the errors the alarms count"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := domainConfig()
			for k, v := range c.set {
				if v == "" {
					delete(cfg, "signin:"+k)
				} else {
					cfg["signin:"+k] = v
				}
			}
			m := &mocks{}
			err := run(m, cfg)
			if err == nil {
				t.Fatalf("%v was accepted", c.set)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if len(m.resources) != 0 {
				t.Errorf("%d resources declared before the configuration was validated", len(m.resources))
			}
		})
	}
}

// Valid domain settings are accepted: the zone's apex, names deep in it,
// the zone by ID or by name with a final dot, and every log level.
func TestDomainConfigAccepted(t *testing.T) {
	for _, c := range []struct {
		name string
		set  map[string]string
	}{
		{"site at the zone's apex", map[string]string{config.KeySiteDomain: zoneName}},
		{"names deep in the zone", map[string]string{config.KeySiteDomain: "signin.eu.example.com", config.KeyAPIDomain: "api.signin.eu.example.com"}},
		{"zone by ID", map[string]string{config.KeyHostedZoneName: "", config.KeyHostedZoneID: zoneID}},
		{"zone name with its final dot", map[string]string{config.KeyHostedZoneName: zoneName + "."}},
		{"execute-api disabled", map[string]string{config.KeyDisableExecuteAPI: "true"}},
		{"a 63-character label", map[string]string{config.KeySiteDomain: strings.Repeat("a", 63) + "." + zoneName}},
		{"trace logs", map[string]string{config.KeyLogLevel: "TRACE"}},
		{"error logs only", map[string]string{config.KeyLogLevel: "ERROR"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := domainConfig()
			for k, v := range c.set {
				if v == "" {
					delete(cfg, "signin:"+k)
				} else {
					cfg["signin:"+k] = v
				}
			}
			deploy(t, nil, cfg)
		})
	}
}

// The zone is looked up before anything is declared: one that does not
// exist, is private, or (found by ID) does not hold the names stops the
// program with the fix.
func TestHostedZoneIsCheckedBeforeAnythingIsDeclared(t *testing.T) {
	byID := domainConfig()
	delete(byID, "signin:"+config.KeyHostedZoneName)
	byID["signin:"+config.KeyHostedZoneID] = zoneID
	for _, c := range []struct {
		name  string
		zones map[string]zone
		cfg   map[string]string
		want  string
	}{
		{"zone not found", map[string]zone{"ZOTHER": {name: "example.org"}}, byID, "finding the hosted zone " + zoneID + " (is it in this AWS account?)"},
		{"zone not found by name", map[string]zone{"ZOTHER": {name: "example.org"}}, domainConfig(), "finding the hosted zone named " + zoneName},
		{"private zone", map[string]zone{zoneID: {name: zoneName, private: true}}, byID, "is private"},
		{"zone by ID that does not hold the site", map[string]zone{zoneID: {name: "example.org"}}, byID, `siteDomain "app.example.com" is not in the hosted zone example.org`},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := &mocks{zones: c.zones}
			err := run(m, c.cfg)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want an error containing %q", err, c.want)
			}
			if len(m.resources) != 0 {
				t.Errorf("%d resources declared before the zone was checked", len(m.resources))
			}
		})
	}
}

// The API's domain defaults to api. in front of the site's.
func TestAPIDomainDefaultsToTheSites(t *testing.T) {
	m := deploy(t, nil, domainConfig())
	if got, want := str(m.one(t, "aws:apigateway/domainName:DomainName", "api").Inputs, "domainName"), "api.app."+zoneName; got != want {
		t.Errorf("API domain = %q, want %q", got, want)
	}
}

// CloudFront serves certificates from us-east-1 only, whatever the stack's
// region: the site's certificate and its validation go through an explicit
// us-east-1 provider (with the stack's AWS profile), the API's stay in the
// stack's region. The CloudFront web ACL shares that provider: the stack
// declares one.
func TestSiteCertificateIsInUSEast1(t *testing.T) {
	m := deploy(t, nil, optionsConfig())
	providers := m.all("pulumi:providers:aws")
	if len(providers) != 1 {
		t.Fatalf("got %d explicit providers, want 1, us-east-1's, for the certificate and the CloudFront web ACL", len(providers))
	}
	for _, p := range providers {
		if got := str(p.Inputs, "region"); got != "us-east-1" {
			t.Errorf("provider %s region = %q, want us-east-1", p.Name, got)
		}
		if got := str(p.Inputs, "profile"); got != "production" {
			t.Errorf("provider %s profile = %q, want the stack's aws:profile %q", p.Name, got, "production")
		}
	}
	p := m.one(t, "pulumi:providers:aws", "us-east-1")
	for _, typ := range []string{"aws:acm/certificate:Certificate", "aws:acm/certificateValidation:CertificateValidation"} {
		if got := providerURN(m.one(t, typ, "site").Provider); !strings.HasSuffix(got, "pulumi:providers:aws::"+p.Name) {
			t.Errorf("site %s uses provider %q, want the us-east-1 one", typ, got)
		}
		if got := m.one(t, typ, "api").Provider; got != "" {
			t.Errorf("API %s uses provider %q, want the stack's default (its region)", typ, got)
		}
	}
	if got := providerURN(m.one(t, "aws:wafv2/webAcl:WebAcl", "site-firewall").Provider); !strings.HasSuffix(got, "pulumi:providers:aws::"+p.Name) {
		t.Errorf("site web ACL uses provider %q, want the us-east-1 one", got)
	}
	if got := str(m.one(t, "aws:acm/certificate:Certificate", "site").State, "arn"); !strings.HasPrefix(got, "arn:aws:acm:us-east-1:") {
		t.Errorf("site certificate ARN = %q, want one in us-east-1", got)
	}
	if got := str(m.one(t, "aws:acm/certificate:Certificate", "api").State, "arn"); !strings.HasPrefix(got, "arn:aws:acm:"+region+":") {
		t.Errorf("API certificate ARN = %q, want one in %s", got, region)
	}
}

// Each certificate is validated through the DNS record ACM asks for, in the
// zone, and what serves it waits for the validation: it takes the
// validation's ARN, not the certificate's.
func TestCertificatesAreDNSValidatedBeforeUse(t *testing.T) {
	m := deploy(t, nil, optionsConfig())
	for _, name := range []string{"site", "api"} {
		t.Run(name, func(t *testing.T) {
			cert := m.one(t, "aws:acm/certificate:Certificate", name)
			if got := str(cert.Inputs, "validationMethod"); got != "DNS" {
				t.Errorf("validation method = %q, want DNS", got)
			}
			record := m.one(t, "aws:route53/record:Record", name+"-validation")
			dvo := value(cert.State, "domainValidationOptions").ArrayValue()[0].ObjectValue()
			for k, want := range map[string]string{"zoneId": zoneID, "name": str(dvo, "resourceRecordName"), "type": "CNAME"} {
				if got := str(record.Inputs, k); got != want {
					t.Errorf("validation record %s = %q, want %q", k, got, want)
				}
			}
			if rs := value(record.Inputs, "records").ArrayValue(); len(rs) != 1 || rs[0].StringValue() != str(dvo, "resourceRecordValue") {
				t.Errorf("validation record values = %v, want [%s]", rs, str(dvo, "resourceRecordValue"))
			}
			v := m.one(t, "aws:acm/certificateValidation:CertificateValidation", name)
			if got := str(v.Inputs, "certificateArn"); got != str(cert.State, "arn") {
				t.Errorf("validation of %q, want the certificate %q", got, str(cert.State, "arn"))
			}
			if fqdns := value(v.Inputs, "validationRecordFqdns").ArrayValue(); len(fqdns) != 1 || fqdns[0].StringValue() != str(record.State, "fqdn") {
				t.Errorf("validation waits for %v, want the record %s", fqdns, str(record.State, "fqdn"))
			}
		})
	}
	dist := m.one(t, "aws:cloudfront/distribution:Distribution", "site")
	if !dependsOn(dist, "aws:acm/certificateValidation:CertificateValidation", "site") {
		t.Error("the distribution does not wait for the site certificate's validation")
	}
	dn := m.one(t, "aws:apigateway/domainName:DomainName", "api")
	if !dependsOn(dn, "aws:acm/certificateValidation:CertificateValidation", "api") {
		t.Error("the API domain does not wait for the API certificate's validation")
	}
}

// dependsOn reports whether r waits for the resource typ named name.
func dependsOn(r registered, typ, name string) bool {
	for _, d := range r.Dependencies {
		if shortURN(d) == typ+"::"+name {
			return true
		}
	}
	return false
}

// With a site domain, CloudFront answers on it with the certificate, by
// SNI, TLS 1.2 at least, over IPv4 and IPv6, and Route 53 points the name
// at the distribution.
func TestSiteDomainIsServedByCloudFront(t *testing.T) {
	m := deploy(t, nil, optionsConfig())
	site := "app." + zoneName
	dist := m.one(t, "aws:cloudfront/distribution:Distribution", "site")
	if a := value(dist.Inputs, "aliases").ArrayValue(); len(a) != 1 || a[0].StringValue() != site {
		t.Errorf("aliases = %v, want [%s]", a, site)
	}
	for k, want := range map[string]string{
		"acmCertificateArn":      str(m.one(t, "aws:acm/certificate:Certificate", "site").State, "arn"),
		"sslSupportMethod":       "sni-only",
		"minimumProtocolVersion": "TLSv1.2_2021",
	} {
		if got := str(dist.Inputs, "viewerCertificate", k); got != want {
			t.Errorf("viewerCertificate.%s = %q, want %q", k, got, want)
		}
	}
	if v := value(dist.Inputs, "viewerCertificate", "cloudfrontDefaultCertificate"); v.IsBool() && v.BoolValue() {
		t.Error("the distribution still serves CloudFront's default certificate")
	}
	if v := value(dist.Inputs, "isIpv6Enabled"); !v.IsBool() || !v.BoolValue() {
		t.Error("IPv6 is off")
	}
	checkAliasRecords(t, m, "site", site, distributionHost, cloudFrontZoneID)
}

// checkAliasRecords checks the A and AAAA alias records name-a and
// name-aaaa that point domain at the target host in targetZone.
func checkAliasRecords(t *testing.T, m *mocks, name, domain, host, targetZone string) {
	t.Helper()
	for _, typ := range []string{"A", "AAAA"} {
		r := m.one(t, "aws:route53/record:Record", name+"-"+strings.ToLower(typ))
		for k, want := range map[string]string{"zoneId": zoneID, "name": domain, "type": typ} {
			if got := str(r.Inputs, k); got != want {
				t.Errorf("%s record %s = %q, want %q", typ, k, got, want)
			}
		}
		aliases := value(r.Inputs, "aliases").ArrayValue()
		if len(aliases) != 1 || str(aliases[0].ObjectValue(), "name") != host || str(aliases[0].ObjectValue(), "zoneId") != targetZone {
			t.Errorf("%s record aliases = %v, want %s in zone %s", typ, aliases, host, targetZone)
		}
	}
}

// With an API domain, API Gateway serves the stage at the root of a
// regional, dual-stack name with its own certificate and TLS 1.2 at least;
// disableExecuteApiEndpoint leaves it the only way in.
func TestAPIDomainServesTheStage(t *testing.T) {
	m := deploy(t, nil, optionsConfig())
	api := "api." + zoneName
	dn := m.one(t, "aws:apigateway/domainName:DomainName", "api")
	for _, c := range []struct {
		path []string
		want string
	}{
		{[]string{"domainName"}, api},
		{[]string{"securityPolicy"}, "TLS_1_2"},
		{[]string{"endpointConfiguration", "types"}, "REGIONAL"},
		{[]string{"endpointConfiguration", "ipAddressType"}, "dualstack"},
		{[]string{"regionalCertificateArn"}, str(m.one(t, "aws:acm/certificate:Certificate", "api").State, "arn")},
	} {
		if got := str(dn.Inputs, c.path...); got != c.want {
			t.Errorf("%s = %q, want %q", strings.Join(c.path, "."), got, c.want)
		}
	}
	if got := str(dn.Inputs, "certificateArn"); got != "" {
		t.Errorf("certificateArn = %q, want none: an edge-optimized certificate", got)
	}
	mapping := m.one(t, "aws:apigateway/basePathMapping:BasePathMapping", "api")
	for k, want := range map[string]string{"domainName": api, "restApi": restAPIID, "stageName": testStack, "basePath": ""} {
		if got := str(mapping.Inputs, k); got != want {
			t.Errorf("base path mapping %s = %q, want %q", k, got, want)
		}
	}
	checkAliasRecords(t, m, "api", api, apiRegionalHost, apiRegionalZoneID)
	if v := value(m.one(t, "aws:apigateway/restApi:RestApi", "api").Inputs, "disableExecuteApiEndpoint"); !v.IsBool() || !v.BoolValue() {
		t.Errorf("disableExecuteApiEndpoint = %v, want true", v)
	}
}

// The page's origin is the site's own name: CORS allows it, and only it;
// the site forwards /api to the API's own name.
func TestCustomDomainsReachCORSAndThePage(t *testing.T) {
	m := deploy(t, nil, optionsConfig())
	siteOrigin, apiURL := "https://app."+zoneName, "https://api."+zoneName+"/api"
	for _, typ := range gateway.ErrorResponseTypes {
		params := stringMap(m.one(t, "aws:apigateway/response:Response", "api-"+strings.ToLower(typ)).Inputs, "responseParameters")
		if got := params["gatewayresponse.header.Access-Control-Allow-Origin"]; got != "'"+siteOrigin+"'" {
			t.Errorf("%s Access-Control-Allow-Origin = %s, want '%s'", typ, got, siteOrigin)
		}
	}
	for _, name := range []string{"api-api-get-200", "api-api-get-500", "api-api-options-200"} {
		params := stringMap(m.one(t, "aws:apigateway/integrationResponse:IntegrationResponse", name).Inputs, "responseParameters")
		if got := params["method.response.header.Access-Control-Allow-Origin"]; got != "'"+siteOrigin+"'" {
			t.Errorf("%s Access-Control-Allow-Origin = %s, want '%s'", name, got, siteOrigin)
		}
	}
	if got := origin(t, m.one(t, "aws:cloudfront/distribution:Distribution", "site"), "api"); str(got, "domainName") != "api."+zoneName {
		t.Errorf("the site's /api goes to %s, want the API's own name", str(got, "domainName"))
	}
	_ = apiURL
}

// Without domain settings nothing changes: no certificate, provider, record
// or custom domain is declared, and the execute-api endpoint stays on.
func TestDefaultConfigurationDeclaresNoDomain(t *testing.T) {
	m := deploy(t, nil, testConfig())
	for _, typ := range []string{
		"pulumi:providers:aws",
		"signin:index:Certificate",
		"signin:index:ApiDomain",
		"aws:acm/certificate:Certificate",
		"aws:acm/certificateValidation:CertificateValidation",
		"aws:route53/record:Record",
		"aws:apigateway/domainName:DomainName",
		"aws:apigateway/basePathMapping:BasePathMapping",
	} {
		if n := len(m.all(typ)); n != 0 {
			t.Errorf("%d %s declared, want none", n, typ)
		}
	}
	dist := m.one(t, "aws:cloudfront/distribution:Distribution", "site")
	if v := value(dist.Inputs, "viewerCertificate", "cloudfrontDefaultCertificate"); !v.IsBool() || !v.BoolValue() {
		t.Error("the distribution does not serve CloudFront's certificate")
	}
	if v := value(dist.Inputs, "aliases"); v.IsArray() && len(v.ArrayValue()) > 0 {
		t.Errorf("aliases = %v, want none", v)
	}
	if v := value(m.one(t, "aws:apigateway/restApi:RestApi", "api").Inputs, "disableExecuteApiEndpoint"); v.IsBool() && v.BoolValue() {
		t.Error("the execute-api endpoint is disabled without a custom domain")
	}
}
