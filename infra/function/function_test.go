package function

import (
	"strings"
	"testing"

	"signin/functions/gateway"
)

// The longest function name the route table allows fits every name AWS
// derives from it; one longer than the role's name prefix can hold is
// refused, naming the prefix.
func TestCheckNameBoundsTheNamesAWSDerives(t *testing.T) {
	for _, c := range []struct {
		name string
		want string
	}{
		{strings.Repeat("a", gateway.MaxFunctionNameLength), ""},
		{strings.Repeat("a", 28), "IAM role name prefix"},
		{"hello_world!", "may hold only"},
	} {
		err := CheckName(c.name)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%s: got %v, want an error naming %q", c.name, err, c.want)
		}
	}
}
