package function

import (
	"testing"

	"signin/functions/gateway"
)

// The longest function name the route table allows still fits the role's
// name prefix.
func TestLongestFunctionNameFitsTheRolePrefix(t *testing.T) {
	if n := len(RolePrefix) + gateway.MaxFunctionNameLength + len("-"); n > maxRolePrefix {
		t.Errorf("%s<%d characters>- is %d characters, over IAM's %d", RolePrefix, gateway.MaxFunctionNameLength, n, maxRolePrefix)
	}
}
