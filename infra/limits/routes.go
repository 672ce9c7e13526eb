package limits

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"signin/functions/authorizer"
	"signin/functions/gateway"
	"signin/functions/policy"
)

// Resources returns the resource paths of the REST API serving routes:
// the root resource / every REST API has (GetResources lists it, so it is
// counted), and each path the routes' resource paths (ResourcePath, under
// gateway.Prefix) pass through: /api, /api/orders, /api/orders/{id}.
func Resources(routes gateway.Table) []string {
	paths := map[string]bool{"/": true}
	for _, r := range routes {
		segments := gateway.Segments(r.ResourcePath())
		for i := range segments {
			paths["/"+strings.Join(segments[:i+1], "/")] = true
		}
	}
	return slices.Sorted(maps.Keys(paths))
}

// CheckResources reports a REST API of n resources, the root resource
// included, over MaxResources.
func CheckResources(n int) error {
	if n > MaxResources {
		return fmt.Errorf("the API has %d resources (its root, and one per path segment of the route table under %s), more than the %d API Gateway allows an API by default: remove %d, or raise the quota (Service Quotas, \"Resources per API\") first",
			n, gateway.Prefix, MaxResources, n-MaxResources)
	}
	return nil
}

// AuthorizerAnswerBudget is the most, in bytes, an authorizer's answer may
// take: the policy, the principal and the context, as JSON.
const AuthorizerAnswerBudget = 8192

// The longest values of an authorizer's answer that the configuration does
// not decide: the token's subject (at most 255 ASCII characters in OpenID
// Connect), the email address (at most 254 characters, RFC 5321's path
// limit) and a display name (Google documents no limit: 256 is the budget
// kept for it).
const (
	longestSubject = 255
	longestEmail   = 254
	longestName    = 256
)

// maxGroupClasses bounds the callers CheckAuthorizerAnswer writes a policy
// for: with c classes of groups (groups naming the same routes are one
// class, as a member of any of them may call the same routes), there are
// 2^c memberships that can give different policies. Up to 2^10 = 1,024
// policies of a 100-route table take about 75 ms, once per preview; beyond
// that the check measures policy.Access.Bound, at least as long as any
// policy, and may refuse a table whose every policy would fit.
const maxGroupClasses = 10

// CheckAuthorizerAnswer reports a route table whose authorizer's answer
// could exceed AuthorizerAnswerBudget for the stage named stage, with
// groups the names of the stack's groups: the largest answer over every
// membership of the groups the routes name, each with the policy
// policy.Access writes for it, the longest stage ARN, subject, email and
// name, and the caller's groups as the context's value.
func CheckAuthorizerAnswer(stage string, groups []string, routes gateway.Table) error {
	size, mine, bounded, err := largestAnswer(stage, groups, routes)
	if err != nil || size <= AuthorizerAnswerBudget {
		return err
	}
	if bounded {
		return fmt.Errorf("the authorizer's answer could take up to %d bytes, more than the %d budget of an authorizer's answer: the routes name more than %d sets of groups, too many to write each caller's policy, so every route's ARN counts: name fewer groups in the route table, or use fewer or shorter routes",
			size, AuthorizerAnswerBudget, maxGroupClasses)
	}
	return fmt.Errorf("the authorizer's answer to a caller in the groups [%s] takes up to %d bytes, more than the %d budget of an authorizer's answer: its policy names that caller's routes one by one; use fewer or shorter routes, or give more routes the same groups (a caller of every route is answered with the whole stage)",
		strings.Join(mine, " "), size, AuthorizerAnswerBudget)
}

// largestAnswer returns the size of the largest authorizer's answer for
// the stage, the groups and the routes, and the groups of a caller who
// gets it; bounded reports that it measured policy.Access.Bound instead,
// as the routes name more than maxGroupClasses classes of groups.
func largestAnswer(stage string, groups []string, routes gateway.Table) (size int, mine []string, bounded bool, err error) {
	access, err := policy.NewAccess(authorizer.AccessRoutes(routes))
	if err != nil {
		return 0, nil, false, err
	}
	arn := policy.LongestStage(stage)
	measure := func(doc events.APIGatewayCustomAuthorizerPolicy, in []string) error {
		b, err := json.Marshal(authorizer.Answer(strings.Repeat("s", longestSubject), strings.Repeat("n", longestName), strings.Repeat("e", longestEmail), in, doc))
		if err != nil {
			return fmt.Errorf("measuring the authorizer's answer: %w", err)
		}
		if len(b) > size {
			size, mine = len(b), in
		}
		return nil
	}
	classes, others := groupClasses(groups, routes)
	if len(classes) > maxGroupClasses {
		all := slices.Concat(append(classes, others)...)
		slices.Sort(all)
		err := measure(access.Bound(arn), all)
		return size, mine, true, err
	}
	for mask := range 1 << len(classes) {
		in := slices.Clone(others)
		for i, c := range classes {
			if mask&(1<<i) != 0 {
				in = append(in, c...)
			}
		}
		slices.Sort(in)
		if err := measure(access.Document(arn, func(g string) bool { return slices.Contains(in, g) }), in); err != nil {
			return 0, nil, false, err
		}
	}
	return size, mine, false, nil
}

// groupClasses returns the groups, those of the stack (groups) and those
// the routes name, as classes of the groups that the same routes name, in
// the order of their first names, and others, the groups no route names.
// A caller's policy depends only on which classes the caller is in; the
// context's value is longest with every other group in it too.
func groupClasses(groups []string, routes gateway.Table) (classes [][]string, others []string) {
	naming := map[string][]int{}
	for _, g := range groups {
		naming[g] = nil
	}
	for i, r := range routes {
		for _, g := range r.Groups {
			naming[g] = append(naming[g], i)
		}
	}
	class := map[string]int{}
	for _, g := range slices.Sorted(maps.Keys(naming)) {
		if len(naming[g]) == 0 {
			others = append(others, g)
			continue
		}
		key := fmt.Sprint(naming[g])
		if k, ok := class[key]; ok {
			classes[k] = append(classes[k], g)
			continue
		}
		class[key] = len(classes)
		classes = append(classes, []string{g})
	}
	return classes, others
}
