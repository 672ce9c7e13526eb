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

	"signin/functions/authorizer"
	"signin/functions/bundle"
	"signin/functions/gateway"
)

// Check reports, in one error naming each, every problem of the route
// table routes:
//   - the table's own rules and the function commands of the functions
//     module at dir (gateway.Table.Validate): a malformed or duplicate
//     route, a function without its cmd/<name>, a command without a route;
//   - the stack's groups, access.Groups (authorizer.CheckAccess): a route
//     naming a group the stack does not define, a method ARN over API
//     Gateway's 1,600 bytes;
//   - API Gateway's resources and authorizers per API;
//   - the authorizer's environment, access with the table's restricted
//     routes (authorizer.Config.Environ), over Lambda's 4 KB.
//
// access is the authorizer's configuration as the stack deploys it: its
// client ID, allow-lists and groups; its Routes are the table's.
func Check(dir string, routes gateway.Table, access authorizer.Config) error {
	commands, err := bundle.Commands(dir)
	if err != nil {
		return err
	}
	errs := []error{routes.Validate(commands)}
	if err := authorizer.CheckAccess(access.Groups, routes); err != nil {
		errs = append(errs, fmt.Errorf("groups and the route table: %w", err))
	}
	if err := gateway.CheckResources(len(routes.Resources())); err != nil {
		errs = append(errs, fmt.Errorf("the route table: %w", err))
	}
	if err := gateway.CheckAuthorizers(len(routes.Authorizers())); err != nil {
		errs = append(errs, fmt.Errorf("the route table: %w", err))
	}
	access.Routes = routes
	if err := gateway.CheckEnvironment(access.Environ()); err != nil {
		errs = append(errs, fmt.Errorf("allowedEmails, allowedDomains, groups and the route table: the authorizer's environment holds them all, and would not fit: %w; shorten the lists (a Workspace's users are one entry in allowedDomains or groups.<name>.domains, not one each in allowedEmails or groups.<name>.emails), or the route table's paths", err))
	}
	return errors.Join(errs...)
}
