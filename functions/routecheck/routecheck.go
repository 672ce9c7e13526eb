// Package routecheck is the one check of the route table that every part
// runs before it builds, runs or declares anything: the Pulumi program,
// `make build`, `make dev` and `make routes`. It holds the table against
// its own rules, the function commands on disk, the stack's groups and the
// AWS quotas the table and the authorizer's settings can reach (package
// gateway states them), and names every problem in one error, so each of
// those parts refuses the same table with the same message.
package routecheck

import (
	"errors"
	"fmt"
	"path/filepath"

	"signin/functions/bundle"
	"signin/functions/gateway"
	"signin/functions/stackconfig"
	"signin/functions/stackfile"
)

// Stack is what of a stack's configuration the route table is checked
// against.
type Stack struct {
	// ClientID is the Google client ID the authorizer accepts, which its
	// environment holds.
	ClientID string
	// Access is whom the authorizer admits: the allow-lists and the groups
	// the routes name.
	Access stackconfig.Authorizer
}

// LoadStack reads the stack file at path, Pulumi.<stack>.yaml, as the
// Pulumi program reads it.
func LoadStack(path string) (Stack, error) {
	values, err := stackfile.Read(path)
	if err != nil {
		return Stack{}, err
	}
	setting := func(key string) (string, bool) {
		v, ok := values[stackfile.Namespace+":"+key]
		return v, ok
	}
	access, err := stackconfig.Parse(setting)
	if err != nil {
		return Stack{}, fmt.Errorf("%s: %w", filepath.Base(path), err)
	}
	clientID, _ := setting(stackfile.KeyGoogleClientID)
	return Stack{ClientID: clientID, Access: access}, nil
}

// Check reports, in one error naming each, every problem of the route
// table routes:
//   - the table's own rules and the function commands of the functions
//     module at dir (gateway.Table.Validate): a malformed or duplicate
//     route, a function without its cmd/<name>, a command without a route;
//   - the stack's groups (stackconfig.Authorizer.CheckRoutes): a route
//     naming a group the stack does not define, a method ARN over API
//     Gateway's 1,600 bytes;
//   - API Gateway's resources and authorizers per API;
//   - the authorizer's environment, as the stack deploys it for routes
//     (stackconfig.Authorizer.Config), over Lambda's 4 KB.
func Check(dir string, routes gateway.Table, stack Stack) error {
	commands, err := bundle.Commands(dir)
	if err != nil {
		return err
	}
	errs := []error{routes.Validate(commands)}
	if err := stack.Access.CheckRoutes(routes); err != nil {
		errs = append(errs, fmt.Errorf("%s and the route table: %w", stackconfig.KeyGroups, err))
	}
	if err := gateway.CheckResources(len(routes.Resources())); err != nil {
		errs = append(errs, fmt.Errorf("the route table: %w", err))
	}
	if err := gateway.CheckAuthorizers(len(routes.Authorizers())); err != nil {
		errs = append(errs, fmt.Errorf("the route table: %w", err))
	}
	if err := gateway.CheckEnvironment(stack.Access.Config(stack.ClientID, routes).Environ()); err != nil {
		errs = append(errs, fmt.Errorf("%s, %s, %s, %s and the route table: the authorizer's environment holds them all, and would not fit: %w; shorten the lists (a Workspace's users are one entry in %s or groups.<name>.domains, not one each in %s or groups.<name>.emails; a workload needs only the claims that tell it apart), or the route table's paths",
			stackconfig.KeyAllowedEmails, stackconfig.KeyAllowedDomains, stackconfig.KeyGroups, stackconfig.KeyWorkloads, err, stackconfig.KeyAllowedDomains, stackconfig.KeyAllowedEmails))
	}
	return errors.Join(errs...)
}
