package function_test

import (
	"encoding/json"
	"strings"
	"testing"

	"signin/functions/gateway"
	"signin/infra/config"
	"signin/infra/function"
	"signin/infra/internal/stacktest"
)

// Pitfall 6: the go1.x runtime is gone; functions run a bootstrap on
// provided.al2023 and Graviton.
func TestFunctionsRunABootstrapOnProvidedAL2023Arm64(t *testing.T) {
	m := stacktest.Deploy(t, nil, stacktest.Config())
	fns := m.All("aws:lambda/function:Function")
	if want := len(gateway.Routes.Functions()); len(fns) != want {
		t.Fatalf("got %d functions, want %d: the authorizer and every route's function", len(fns), want)
	}
	for _, fn := range fns {
		t.Run(fn.Name, func(t *testing.T) {
			for _, c := range []struct{ key, want string }{
				{"runtime", "provided.al2023"},
				{"handler", "bootstrap"},
			} {
				if got := stacktest.Str(fn.Inputs, c.key); got != c.want {
					t.Errorf("%s = %q, want %q", c.key, got, c.want)
				}
			}
			arch := stacktest.Value(fn.Inputs, "architectures")
			if !arch.IsArray() || len(arch.ArrayValue()) != 1 || arch.ArrayValue()[0].StringValue() != "arm64" {
				t.Errorf("architectures = %v, want [arm64]", arch)
			}
			if !stacktest.Value(fn.Inputs, "code").IsArchive() {
				t.Errorf("code is %v, want the built archive", stacktest.Value(fn.Inputs, "code"))
			}
			if stacktest.Str(fn.Inputs, "sourceCodeHash") == "" {
				t.Error("sourceCodeHash is not set: every preview would show a code change")
			}
		})
	}
}

// Pitfall 11: destroy leaves log groups behind unless the stack owns them.
func TestFunctionsLogToAStackOwnedLogGroupWithRetention(t *testing.T) {
	m := stacktest.Deploy(t, nil, stacktest.Config())
	for _, fn := range m.All("aws:lambda/function:Function") {
		lg := m.One(t, "aws:cloudwatch/logGroup:LogGroup", fn.Name)
		if got := stacktest.Value(lg.Inputs, "retentionInDays"); !got.IsNumber() || got.NumberValue() != config.DefaultLogRetentionDays {
			t.Errorf("%s: log retention = %v, want %d days", fn.Name, got, config.DefaultLogRetentionDays)
		}
		if got, want := stacktest.Str(fn.Inputs, "loggingConfig", "logGroup"), stacktest.Str(lg.State, "name"); got != want {
			t.Errorf("%s logs to %q, want its own log group %q", fn.Name, got, want)
		}
	}
}

// Least privilege: a function's role may only write logs.
func TestRolesCarryOnlyBasicExecution(t *testing.T) {
	m := stacktest.Deploy(t, nil, stacktest.Config())
	roles := m.All("aws:iam/role:Role")
	attachments := m.All("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
	if n := len(gateway.Routes.Functions()); len(roles) != n || len(attachments) != n {
		t.Fatalf("got %d roles and %d policy attachments, want %d and %d", len(roles), len(attachments), n, n)
	}
	for _, kind := range []string{"aws:iam/rolePolicy:RolePolicy", "aws:iam/policy:Policy", "aws:iam/rolePoliciesExclusive:RolePoliciesExclusive"} {
		if n := len(m.All(kind)); n != 0 {
			t.Errorf("%d %s declared, want none", n, kind)
		}
	}
	for _, role := range roles {
		var trust struct {
			Statement []struct {
				Effect    string
				Principal map[string]string
				Action    string
			}
		}
		if err := json.Unmarshal([]byte(stacktest.Str(role.Inputs, "assumeRolePolicy")), &trust); err != nil {
			t.Fatalf("%s: assume role policy: %v", role.Name, err)
		}
		if len(trust.Statement) != 1 || trust.Statement[0].Principal["Service"] != "lambda.amazonaws.com" || trust.Statement[0].Action != "sts:AssumeRole" {
			t.Errorf("%s: trust policy = %+v, want only lambda.amazonaws.com to assume it", role.Name, trust)
		}
		if stacktest.Value(role.Inputs, "inlinePolicies").HasValue() || stacktest.Value(role.Inputs, "managedPolicyArns").HasValue() {
			t.Errorf("%s: the role carries policies beyond its attachment", role.Name)
		}
	}
	for _, a := range attachments {
		if got := stacktest.Str(a.Inputs, "policyArn"); got != stacktest.BasicExecutionARN {
			t.Errorf("%s attaches %q, want only %q", a.Name, got, stacktest.BasicExecutionARN)
		}
	}
}

// Every role the stack creates starts with function.RolePrefix, the one
// prefix the deploy role's policy names: a new function needs no policy
// change.
func TestEveryRoleSharesThePrefixTheDeployPolicyNames(t *testing.T) {
	m := stacktest.Deploy(t, nil, stacktest.Config())
	for _, role := range m.All("aws:iam/role:Role") {
		if got, want := stacktest.Str(role.Inputs, "namePrefix"), function.RolePrefix+role.Name+"-"; got != want {
			t.Errorf("%s: namePrefix = %q, want %q", role.Name, got, want)
		}
		if !strings.HasPrefix(stacktest.Str(role.State, "name"), function.RolePrefix) {
			t.Errorf("%s is named %q, outside %s*", role.Name, stacktest.Str(role.State, "name"), function.RolePrefix)
		}
	}
}
