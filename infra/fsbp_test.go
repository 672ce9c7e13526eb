package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"signin/infra/internal/stacktest"
)

// fsbpTable is where docs/security.md lists the Security Hub controls.
var fsbpTable = filepath.Join("..", "docs", "security.md")

// fsbpRow is one line of the table: | `ID` title | status | reason |.
var fsbpRow = regexp.MustCompile("^\\| `([A-Za-z0-9]+\\.[0-9]+)` [^|]+\\| (pass|option|exempt) \\| ([^|]+) \\|$")

// notInFSBP are controls of the kinds of resource the stack declares that
// AWS's list of the FSBP standard's controls ("Controls that apply to the
// FSBP standard" on securityhub-standards-fsbp.html, checked 2026-12-06)
// does not name: a row for one would claim a membership AWS does not.
var notInFSBP = []string{"APIGateway.2", "SNS.1"}

// fsbpSource is the AWS page the table's membership comes from, and the
// date it was checked on: docs/security.md must name both.
var fsbpSource = []string{"https://docs.aws.amazon.com/securityhub/latest/userguide/securityhub-standards-fsbp.html", "2026-12-06"}

// declared is a golden file's resources.
type declared []stacktest.Snapshot

// of returns the resources of type typ.
func (s declared) of(typ string) []stacktest.Snapshot {
	var out []stacktest.Snapshot
	for _, r := range s {
		if r.Type == typ {
			out = append(out, r)
		}
	}
	return out
}

// inputAt returns the value at the path of keys in r's inputs.
func inputAt(r stacktest.Snapshot, path ...string) any {
	var v any = r.Inputs
	for _, k := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

// inputString returns the string at the path, or "".
func inputString(r stacktest.Snapshot, path ...string) string {
	s, _ := inputAt(r, path...).(string)
	return s
}

// inputItems returns the array at the path.
func inputItems(r stacktest.Snapshot, path ...string) []map[string]any {
	var out []map[string]any
	a, _ := inputAt(r, path...).([]any)
	for _, e := range a {
		if m, ok := e.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

// each fails unless check passes for every resource of type typ.
func (s declared) each(typ string, check func(r stacktest.Snapshot) error) error {
	var errs []error
	for _, r := range s.of(typ) {
		if err := check(r); err != nil {
			errs = append(errs, fmt.Errorf("%s %s: %w", typ, r.Name, err))
		}
	}
	return errors.Join(errs...)
}

// distributions' and buckets' type tokens, and others the checks read.
const (
	typeDistribution = "aws:cloudfront/distribution:Distribution"
	typeBucket       = "aws:s3/bucketV2:BucketV2"
	typeStage        = "aws:apigateway/stage:Stage"
	typeWebACL       = "aws:wafv2/webAcl:WebAcl"
)

// statements returns the statements of a JSON policy document.
func statements(policy string) ([]map[string]any, error) {
	var doc struct{ Statement []map[string]any }
	if err := json.Unmarshal([]byte(policy), &doc); err != nil {
		return nil, err
	}
	return doc.Statement, nil
}

// fsbpChecks hold, for every control the table says passes or passes with
// an option, what the golden snapshot must show for it.
var fsbpChecks = map[string]func(s declared) error{
	"ACM.1": func(s declared) error {
		return s.each("aws:acm/certificate:Certificate", func(r stacktest.Snapshot) error {
			if inputString(r, "validationMethod") != "DNS" {
				return errors.New("not DNS-validated: ACM cannot renew it alone")
			}
			return nil
		})
	},
	"ACM.2": func(s declared) error {
		return s.each("aws:acm/certificate:Certificate", func(r stacktest.Snapshot) error {
			if k := inputString(r, "keyAlgorithm"); k != "" && k != "RSA_2048" && !strings.HasPrefix(k, "EC_") {
				return fmt.Errorf("key algorithm %s", k)
			}
			return nil
		})
	},
	"APIGateway.1": func(s declared) error {
		return s.each(typeStage, func(r stacktest.Snapshot) error {
			for _, m := range s.of("aws:apigateway/methodSettings:MethodSettings") {
				if level := inputString(m, "settings", "loggingLevel"); inputString(m, "methodPath") == "*/*" && (level == "ERROR" || level == "INFO") {
					return nil
				}
			}
			return errors.New("no execution logging level for */*")
		})
	},
	"APIGateway.3": func(s declared) error {
		return s.each(typeStage, func(r stacktest.Snapshot) error {
			if inputAt(r, "xrayTracingEnabled") != true {
				return errors.New("X-Ray tracing off")
			}
			return nil
		})
	},
	"APIGateway.4": func(s declared) error {
		return s.each(typeStage, func(r stacktest.Snapshot) error {
			for _, a := range s.of("aws:wafv2/webAclAssociation:WebAclAssociation") {
				if strings.HasSuffix(inputString(a, "resourceArn"), "/stages/"+inputString(r, "stageName")) {
					return nil
				}
			}
			return errors.New("no web ACL associated")
		})
	},
	"APIGateway.5": func(s declared) error {
		// AWS evaluates encryption only where a method caches.
		err := s.each(typeStage, func(r stacktest.Snapshot) error {
			if inputAt(r, "cacheClusterEnabled") == true {
				return errors.New("a cache cluster")
			}
			return nil
		})
		return errors.Join(err, s.each("aws:apigateway/methodSettings:MethodSettings", func(m stacktest.Snapshot) error {
			if inputAt(m, "settings", "cachingEnabled") == true && inputAt(m, "settings", "cacheDataEncrypted") != true {
				return errors.New("caching without encryption")
			}
			return nil
		}))
	},
	"CloudFront.1": func(s declared) error {
		return s.each(typeDistribution, func(r stacktest.Snapshot) error {
			if inputString(r, "defaultRootObject") == "" {
				return errors.New("no default root object")
			}
			return nil
		})
	},
	"CloudFront.3": func(s declared) error {
		return s.each(typeDistribution, func(r stacktest.Snapshot) error {
			behaviours := append(inputItems(r, "orderedCacheBehaviors"), inputAt(r, "defaultCacheBehavior").(map[string]any))
			for _, b := range behaviours {
				if p := b["viewerProtocolPolicy"]; p != "redirect-to-https" && p != "https-only" {
					return fmt.Errorf("a behaviour allows %v", p)
				}
			}
			return nil
		})
	},
	"CloudFront.5": func(s declared) error {
		return s.each(typeDistribution, func(r stacktest.Snapshot) error {
			if inputString(r, "loggingConfig", "bucket") == "" {
				return errors.New("no standard logging")
			}
			return nil
		})
	},
	"CloudFront.6": func(s declared) error {
		return s.each(typeDistribution, func(r stacktest.Snapshot) error {
			if !strings.Contains(inputString(r, "webAclId"), ":global/webacl/") {
				return fmt.Errorf("web ACL %q is no CloudFront web ACL", inputString(r, "webAclId"))
			}
			return nil
		})
	},
	"CloudFront.7": func(s declared) error {
		return s.each(typeDistribution, func(r stacktest.Snapshot) error {
			if inputString(r, "viewerCertificate", "acmCertificateArn") == "" {
				return errors.New("CloudFront's default certificate")
			}
			return nil
		})
	},
	"CloudFront.8": func(s declared) error {
		return s.each(typeDistribution, func(r stacktest.Snapshot) error {
			if inputString(r, "viewerCertificate", "acmCertificateArn") != "" && inputString(r, "viewerCertificate", "sslSupportMethod") != "sni-only" {
				return errors.New("a custom certificate without SNI")
			}
			return nil
		})
	},
	"CloudFront.9": func(s declared) error {
		return s.each(typeDistribution, func(r stacktest.Snapshot) error {
			for _, o := range inputItems(r, "origins") {
				if c, ok := o["customOriginConfig"].(map[string]any); ok && c["originProtocolPolicy"] != "https-only" {
					return fmt.Errorf("origin %v reached over %v", o["originId"], c["originProtocolPolicy"])
				}
			}
			return nil
		})
	},
	"CloudFront.10": func(s declared) error {
		return s.each(typeDistribution, func(r stacktest.Snapshot) error {
			for _, o := range inputItems(r, "origins") {
				c, _ := o["customOriginConfig"].(map[string]any)
				protocols, _ := c["originSslProtocols"].([]any)
				for _, p := range protocols {
					if p != "TLSv1.2" {
						return fmt.Errorf("origin %v accepts %v", o["originId"], p)
					}
				}
			}
			return nil
		})
	},
	"CloudFront.12": func(s declared) error {
		return s.each(typeDistribution, func(r stacktest.Snapshot) error {
			for _, o := range inputItems(r, "origins") {
				if _, custom := o["customOriginConfig"]; !custom && len(s.of(typeBucket)) == 0 {
					return fmt.Errorf("S3 origin %v is no bucket of the stack", o["originId"])
				}
			}
			return nil
		})
	},
	"CloudFront.13": func(s declared) error {
		return s.each(typeDistribution, func(r stacktest.Snapshot) error {
			for _, o := range inputItems(r, "origins") {
				if _, custom := o["customOriginConfig"]; !custom && o["originAccessControlId"] == nil {
					return fmt.Errorf("S3 origin %v without origin access control", o["originId"])
				}
			}
			return nil
		})
	},
	"CloudFront.15": func(s declared) error {
		return s.each(typeDistribution, func(r stacktest.Snapshot) error {
			if p := inputString(r, "viewerCertificate", "minimumProtocolVersion"); !recommendedTLSPolicies[p] {
				return fmt.Errorf("security policy %q", p)
			}
			return nil
		})
	},
	"Lambda.1": func(s declared) error {
		return s.each("aws:lambda/permission:Permission", func(r stacktest.Snapshot) error {
			if inputString(r, "principal") != "apigateway.amazonaws.com" || inputString(r, "sourceArn") == "" {
				return fmt.Errorf("principal %q, source %q", inputString(r, "principal"), inputString(r, "sourceArn"))
			}
			return nil
		})
	},
	"Lambda.2": func(s declared) error {
		return s.each("aws:lambda/function:Function", func(r stacktest.Snapshot) error {
			if inputString(r, "runtime") != "provided.al2023" {
				return fmt.Errorf("runtime %q", inputString(r, "runtime"))
			}
			return nil
		})
	},
	"Lambda.5": func(s declared) error {
		return s.each("aws:lambda/function:Function", func(r stacktest.Snapshot) error {
			if inputAt(r, "vpcConfig") != nil {
				return errors.New("in a VPC: check its subnets' zones")
			}
			return nil
		})
	},
	"S3.5": func(s declared) error {
		return s.each(typeBucket, func(b stacktest.Snapshot) error {
			return bucketPolicy(s, b, func(st []map[string]any) bool {
				return slices.ContainsFunc(st, func(x map[string]any) bool {
					return x["Effect"] == "Deny" && strings.Contains(fmt.Sprint(x["Condition"]), "aws:SecureTransport:false")
				})
			})
		})
	},
	"S3.6": func(s declared) error {
		return s.each(typeBucket, func(b stacktest.Snapshot) error {
			return bucketPolicy(s, b, func(st []map[string]any) bool {
				return !slices.ContainsFunc(st, func(x map[string]any) bool {
					p, _ := x["Principal"].(map[string]any)
					return x["Effect"] == "Allow" && p["Service"] == nil
				})
			})
		})
	},
	"S3.2": notPublic,
	"S3.3": notPublic,
	"S3.8": func(s declared) error {
		return s.each(typeBucket, func(b stacktest.Snapshot) error {
			return publicAccessBlocked(s, b)
		})
	},
	"S3.9": func(s declared) error {
		targets := map[string]bool{}
		logged := map[string]bool{}
		for _, l := range s.of("aws:s3/bucketLoggingV2:BucketLoggingV2") {
			targets[inputString(l, "targetBucket")] = true
			logged[inputString(l, "bucket")] = true
		}
		return s.each(typeBucket, func(b stacktest.Snapshot) error {
			// A log bucket does not log itself; the mocks name a bucket
			// signin-<name>-0a1b2c3.
			id := "signin-" + b.Name + "-0a1b2c3"
			if !logged[id] && !targets[id] {
				return errors.New("no server access logging")
			}
			return nil
		})
	},
	"SNS.4": func(s declared) error {
		if n := len(s.of("aws:sns/topicPolicy:TopicPolicy")); n > 0 || len(s.of("aws:sns/topic:Topic")) == 0 {
			return fmt.Errorf("%d topic policies", n)
		}
		return s.each("aws:sns/topic:Topic", func(r stacktest.Snapshot) error {
			if inputAt(r, "policy") != nil {
				return errors.New("a policy of its own")
			}
			return nil
		})
	},
	"WAF.10": func(s declared) error {
		return s.each(typeWebACL, func(r stacktest.Snapshot) error {
			if len(inputItems(r, "rules")) == 0 {
				return errors.New("no rules")
			}
			return nil
		})
	},
	"WAF.12": func(s declared) error {
		return s.each(typeWebACL, func(r stacktest.Snapshot) error {
			for _, rule := range inputItems(r, "rules") {
				if v, _ := rule["visibilityConfig"].(map[string]any); v["cloudwatchMetricsEnabled"] != true {
					return fmt.Errorf("rule %v without CloudWatch metrics", rule["name"])
				}
			}
			return nil
		})
	},
}

// recommendedTLSPolicies are CloudFront's viewer security policies
// CloudFront.15 accepts: TLSv1.2_2021, which CloudFront recommends, and the
// newer ones.
var recommendedTLSPolicies = map[string]bool{"TLSv1.2_2021": true, "TLSv1.2_2025": true, "TLSv1.3_2025": true}

// notPublic fails unless every bucket blocks public access and its policy
// allows no public principal: S3.2 (read) and S3.3 (write) look at both.
func notPublic(s declared) error {
	return s.each(typeBucket, func(b stacktest.Snapshot) error {
		return errors.Join(publicAccessBlocked(s, b), bucketPolicy(s, b, noPublicAllow))
	})
}

// publicAccessBlocked fails unless bucket b has all four of S3's block
// public access settings on.
func publicAccessBlocked(s declared, b stacktest.Snapshot) error {
	for _, p := range s.of("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock") {
		if p.Name == b.Name {
			for _, k := range []string{"blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"} {
				if inputAt(p, k) != true {
					return fmt.Errorf("%s is off", k)
				}
			}
			return nil
		}
	}
	return errors.New("no public access block")
}

// noPublicAllow holds when no statement allows everyone ("*" or {"AWS": "*"}).
func noPublicAllow(st []map[string]any) bool {
	return !slices.ContainsFunc(st, func(x map[string]any) bool {
		p, _ := x["Principal"].(map[string]any)
		return x["Effect"] == "Allow" && (x["Principal"] == "*" || p["AWS"] == "*")
	})
}

// bucketPolicy fails unless the policy of bucket b satisfies ok.
func bucketPolicy(s declared, b stacktest.Snapshot, ok func([]map[string]any) bool) error {
	for _, p := range s.of("aws:s3/bucketPolicy:BucketPolicy") {
		if p.Name == b.Name {
			st, err := statements(inputString(p, "policy"))
			if err != nil {
				return err
			}
			if !ok(st) {
				return errors.New("its policy fails")
			}
			return nil
		}
	}
	return errors.New("no bucket policy")
}

// docs/security.md's table of Security Hub's FSBP controls holds: each
// "pass" on the default snapshot and the one with every option set, each
// "option" on the latter and not the former. Every pass and option has a
// check here, every check a row there, every row a reason; no row is a
// control AWS's FSBP list does not name, and the document cites that list
// and the date it was checked.
func TestFSBPTableHoldsOnTheGoldenSnapshots(t *testing.T) {
	doc, err := os.ReadFile(fsbpTable)
	if err != nil {
		t.Fatal(err)
	}
	defaults := declared(readSnapshot(t, filepath.Join("testdata", "resources.golden.json")))
	options := declared(readSnapshot(t, filepath.Join("testdata", "resources.options.golden.json")))
	rows := map[string]string{}
	for _, line := range strings.Split(string(doc), "\n") {
		m := fsbpRow.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		id, status, reason := m[1], m[2], strings.TrimSpace(m[3])
		if _, dup := rows[id]; dup {
			t.Errorf("%s is listed twice", id)
		}
		rows[id] = status
		if slices.Contains(notInFSBP, id) {
			t.Errorf("%s is not in AWS's FSBP list (%s): move it to the controls left out of the table", id, fsbpSource[0])
		}
		if reason == "" {
			t.Errorf("%s has no reason", id)
		}
		check, ok := fsbpChecks[id]
		if status == "exempt" {
			continue
		}
		if !ok {
			t.Errorf("%s is %q but has no check", id, status)
			continue
		}
		if err := check(options); err != nil {
			t.Errorf("%s (%s) fails with every option set: %v", id, status, err)
		}
		switch err := check(defaults); {
		case status == "pass" && err != nil:
			t.Errorf("%s (pass) fails by default: %v", id, err)
		case status == "option" && err == nil:
			t.Errorf("%s (option) already passes by default: call it pass", id)
		}
	}
	for _, cited := range fsbpSource {
		if !strings.Contains(string(doc), cited) {
			t.Errorf("%s does not cite %s for the table's membership", fsbpTable, cited)
		}
	}
	if len(rows) < 20 {
		t.Fatalf("only %d controls found in %s", len(rows), fsbpTable)
	}
	for id := range fsbpChecks {
		if _, ok := rows[id]; !ok {
			t.Errorf("%s has a check but no row in %s", id, fsbpTable)
		}
	}
}
