package policy

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-lambda-go/events"
)

// MaxMethodARNLength is the longest method ARN API Gateway accepts in a
// policy, in bytes (API Gateway quotas: "Length, in bytes, of the method's
// ARN").
const MaxMethodARNLength = 1600

// Lengths of a stage ARN's fields that no configuration decides: a region
// name (bounded generously: today's longest, such as ap-southeast-7, have
// 14 characters), the account's 12 digits and API Gateway's 10-character
// API ID; and the longest stage name API Gateway accepts.
const (
	maxRegionLength    = 25
	accountIDLength    = 12
	apiIDLength        = 10
	maxStageNameLength = 128
)

// LongestStage returns the longest stage ARN a policy's resources can
// start with for the stage named stage,
// arn:<partition>:execute-api:<region>:<account>:<api>/<stage>: the
// longest partition (aws-us-gov), region, account and API ID. Policies
// written for it are the longest a deployment of that stage can be
// answered with.
func LongestStage(stage string) string {
	return "arn:aws-us-gov:" + executeAPIService + ":" + strings.Repeat("r", maxRegionLength) + ":" +
		strings.Repeat("0", accountIDLength) + ":" + strings.Repeat("a", apiIDLength) + "/" + stage
}

// maxStageLength bounds the stage ARN a policy's resources start with: the
// longest for a stage name of the most characters API Gateway accepts.
var maxStageLength = len(LongestStage(strings.Repeat("s", maxStageNameLength)))

// Route is a route as a policy sees it.
type Route struct {
	// Method is the route's HTTP method.
	Method string
	// Path is the route's resource path in API Gateway, such as
	// /api/orders/{id} (gateway.Route.ResourcePath).
	Path string
	// Groups are the groups whose members may call it; empty means
	// everyone.
	Groups []string
}

// String names the route as "GET /api/orders/{id}".
func (r Route) String() string { return r.Method + " " + r.Path }

// pattern returns the route's resource in a policy, after the stage:
// <method>/<path>, each path parameter a * (IAM's wildcard for any run
// of characters, slashes included).
func (r Route) pattern() string {
	segments := strings.Split(r.Path, "/")
	for i, s := range segments {
		if strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}") {
			segments[i] = "*"
		}
	}
	return r.Method + strings.Join(segments, "/")
}

// variants returns the resources that together match every request for
// a route of pattern: IAM reads the colon as the boundary of an ARN's
// segments, and a * stays within its segment unless it is the segment's
// last character. A path parameter's value may hold colons
// (/api/admin/x:y/secret), which the pattern's * in the middle
// (GET/api/admin/*/secret) does not match, while a final * does
// (GET/api/admin/* or the stage's */*). So each * in the middle also
// comes as *:* (a run up to the value's last colon, then the rest of the
// value): 2^k resources for k parameters before the pattern's end. Each
// matches a subset of what the pattern matches when its * stands for any
// run, as overlap reads it.
func variants(pattern string) []string {
	out := []string{""}
	for i, part := range strings.Split(pattern, "*") {
		if i > 0 {
			star := []string{"*"}
			if !strings.HasSuffix(pattern, "*") || i < strings.Count(pattern, "*") {
				star = append(star, "*:*")
			}
			var next []string
			for _, prefix := range out {
				for _, s := range star {
					next = append(next, prefix+s)
				}
			}
			out = next
		}
		for k := range out {
			out[k] += part
		}
	}
	return out
}

// withSlash returns resources, each followed by its form with a trailing
// slash when it ends in a literal. API Gateway routes a request for
// /api/admin/ to the resource /api/admin, and its documentation does not
// say whether the method ARN keeps the slash (.../GET/api/admin/); if it
// does, a Deny of .../GET/api/admin alone misses it while the whole
// stage's Allow (*/*) or a * of another route matches it. A resource that
// ends in a * already matches the slash.
//
// The slash form denies no request a caller may call that the resource
// itself does not: a route's path never ends in /, so a request for it
// without a trailing slash ends in a character other than /, which the
// form's final literal / cannot match; and the form matches r + "/"
// exactly when the resource matches r, the form's added / taking the
// added / (no * changes position relative to a colon or the end). So
// what NewAccess proves of a Deny of the resource (it matches no request
// for a route the caller may call) holds of the slash form.
func withSlash(resources []string) []string {
	out := slices.Clone(resources)
	for _, r := range resources {
		if !strings.HasSuffix(r, "*") {
			out = append(out, r+"/")
		}
	}
	return out
}

// Access holds a route table's access rules and writes the policy of each
// caller: the routes the caller may call, all at once, since API Gateway
// caches the answer per token and reuses it for every route.
//
// A route's resource in a policy has a * for each path parameter, and IAM's
// * also matches slashes: /api/admin/* matches /api/admin/1/secret, a
// request API Gateway routes to /admin/{id}/secret. So a caller's policy
// also denies each route the caller may not call whose requests one of its
// allowed resources matches, and NewAccess refuses a table where such a
// Deny could match requests for a route the same caller may call. Each
// route's resource comes in the forms variants gives, so that a
// parameter's value with a colon is allowed or denied as any other.
type Access struct {
	routes []Route
	// patterns[i] is routes[i].pattern(), resources[i] its variants, and
	// denials[i] the resources of a Deny of it (withSlash).
	patterns           []string
	resources, denials [][]string
	// matchedBy[j] lists the routes i whose pattern matches a request for
	// route j: same method, and a path where each of j's parameters is one
	// path segment, as API Gateway routes requests. matching[j] lists the
	// routes whose requests the pattern of j matches.
	matchedBy, matching [][]int
}

// NewAccess checks routes and returns their access rules. It refuses a
// route whose method ARN could exceed MaxMethodARNLength or whose method
// or path holds a wildcard character, and routes of different groups a
// policy cannot tell apart (see Access).
func NewAccess(routes []Route) (*Access, error) {
	n := len(routes)
	a := &Access{routes: slices.Clone(routes), patterns: make([]string, n), resources: make([][]string, n), denials: make([][]string, n), matchedBy: make([][]int, n), matching: make([][]int, n)}
	var errs []error
	for i, r := range a.routes {
		a.patterns[i] = r.pattern()
		a.resources[i] = variants(a.patterns[i])
		a.denials[i] = withSlash(a.resources[i])
		switch {
		case r.Method == "" || !strings.HasPrefix(r.Path, "/") || strings.HasSuffix(r.Path, "/") || strings.ContainsAny(r.Method+r.Path, wildcards):
			errs = append(errs, fmt.Errorf("policy: route %s: want a method and a path starting with / and not ending with one, without * or ?", r))
		case maxStageLength+1+len(a.denials[i][len(a.denials[i])-1]) > MaxMethodARNLength:
			errs = append(errs, fmt.Errorf("policy: route %s: its method ARN could exceed API Gateway's %d bytes: shorten the path", r, MaxMethodARNLength))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	for i := range a.routes {
		for j := range a.routes {
			if i != j && a.routes[i].Method == a.routes[j].Method && overlap(a.patterns[i], a.patterns[j]) {
				a.matchedBy[j] = append(a.matchedBy[j], i)
				a.matching[i] = append(a.matching[i], j)
			}
		}
	}
	// A caller who may call k but not j is denied j, as the pattern of k
	// matches requests for j; if the same caller may call i, whose
	// requests the pattern of j matches, that Deny refuses i too.
	for j, denied := range a.routes {
		k := slices.IndexFunc(a.matchedBy[j], func(k int) bool { return mayDiffer(a.routes[k].Groups, denied.Groups) })
		if k < 0 {
			continue
		}
		for _, i := range a.matching[j] {
			if r := a.routes[i]; mayDiffer(r.Groups, denied.Groups) {
				errs = append(errs, fmt.Errorf("policy: routes %s and %s: a caller who may call %s but not %s gets a Deny of %s, which also matches requests for %s; give the routes the same groups, or paths a literal segment tells apart",
					r, denied, a.routes[a.matchedBy[j][k]], denied, a.patterns[j], r))
			}
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return a, nil
}

// mayDiffer reports whether a caller may call a route of groups mine but
// not one of groups theirs: theirs is restricted, and mine is open or
// holds a group theirs lacks.
func mayDiffer(mine, theirs []string) bool {
	if len(theirs) == 0 {
		return false
	}
	return len(mine) == 0 || slices.ContainsFunc(mine, func(g string) bool { return !slices.Contains(theirs, g) })
}

// Document returns the policy of a caller for the stage (the ARN
// arn:<partition>:execute-api:<region>:<account>:<api>/<stage>, see Stage):
// it allows exactly the routes that are open or name a group member
// reports the caller in. A caller who may call every route gets the
// whole stage; one who may call none, a Deny of the whole stage. Others
// get their routes, with a Deny of each route they may not call whose
// requests those match; or, when it is shorter and denies none of their
// routes, the whole stage with a Deny of each route they may not call.
func (a *Access) Document(stage string, member func(group string) bool) events.APIGatewayCustomAuthorizerPolicy {
	allowed := make([]bool, len(a.routes))
	some, all := false, true
	for i, r := range a.routes {
		allowed[i] = len(r.Groups) == 0 || slices.ContainsFunc(r.Groups, member)
		some = some || allowed[i]
		all = all && allowed[i]
	}
	wholeStage := wholeStage(stage)
	switch {
	case all:
		return Document(Allow, wholeStage)
	case !some:
		return Document(Deny, wholeStage)
	}
	var allows, denies, others []string
	// othersSafe: denying every other route refuses none of the caller's.
	othersSafe := true
	for j := range a.routes {
		if allowed[j] {
			allows = append(allows, inStage(stage, a.resources[j])...)
			continue
		}
		others = append(others, inStage(stage, a.denials[j])...)
		isAllowed := func(i int) bool { return allowed[i] }
		othersSafe = othersSafe && !slices.ContainsFunc(a.matching[j], isAllowed)
		if slices.ContainsFunc(a.matchedBy[j], isAllowed) {
			denies = append(denies, inStage(stage, a.denials[j])...)
		}
	}
	if othersSafe && len(others)+1 < len(allows)+len(denies) {
		allows, denies = []string{wholeStage}, others
	}
	doc := events.APIGatewayCustomAuthorizerPolicy{Version: version, Statement: []events.IAMPolicyStatement{
		{Action: []string{Action}, Effect: Allow, Resource: allows},
	}}
	if len(denies) > 0 {
		doc.Statement = append(doc.Statement, events.IAMPolicyStatement{Action: []string{Action}, Effect: Deny, Resource: denies})
	}
	return doc
}

// Bound returns a document at least as long, as JSON, as any Document
// writes for the stage: every route's resources with their Deny's
// trailing-slash forms and the whole stage in one Allow statement, and an
// empty Deny statement. Document names each route at most once, in its
// Allow or its Deny, and the whole stage at most once, so none of its
// documents is longer. It bounds the policies of a table
// whose groups are too many to write every caller's.
func (a *Access) Bound(stage string) events.APIGatewayCustomAuthorizerPolicy {
	all := []string{wholeStage(stage)}
	for i := range a.routes {
		all = append(all, inStage(stage, a.denials[i])...)
	}
	return events.APIGatewayCustomAuthorizerPolicy{Version: version, Statement: []events.IAMPolicyStatement{
		{Action: []string{Action}, Effect: Allow, Resource: all},
		{Action: []string{Action}, Effect: Deny, Resource: []string{}},
	}}
}

// wholeStage returns the resource of every route of the stage.
func wholeStage(stage string) string { return stage + "/*/*" }

// inStage returns resources, each a route's pattern or a form of it, as
// resources of a policy for the stage.
func inStage(stage string, resources []string) []string {
	out := make([]string, len(resources))
	for k, r := range resources {
		out[k] = stage + "/" + r
	}
	return out
}

// overlap reports whether some string matches both p, an IAM resource
// pattern whose * stands for any run of characters, and q, a route's
// pattern whose * stands for a path parameter's value: one or more
// characters other than /. Neither holds ? or another wildcard.
//
// It walks the pairs of positions (i in p, j in q) a common string can
// reach, with started telling whether q's * at j has taken a character
// yet: a search over at most 2(len(p)+1)(len(q)+1) states.
func overlap(p, q string) bool {
	// Both patterns begin with literals up to their first *: a common
	// string starts with both, so one must begin the other.
	lp, lq := strings.IndexByte(p+"*", '*'), strings.IndexByte(q+"*", '*')
	if n := min(lp, lq); p[:n] != q[:n] {
		return false
	}
	type state struct {
		i, j    int
		started bool
	}
	seen := make([]bool, 2*(len(p)+1)*(len(q)+1))
	todo := []state{{0, 0, false}}
	push := func(s state) {
		k := 2 * (s.i*(len(q)+1) + s.j)
		if s.started {
			k++
		}
		if !seen[k] {
			seen[k] = true
			todo = append(todo, s)
		}
	}
	for len(todo) > 0 {
		s := todo[len(todo)-1]
		todo = todo[:len(todo)-1]
		pEnd, qEnd := s.i == len(p), s.j == len(q)
		pStar, qStar := !pEnd && p[s.i] == '*', !qEnd && q[s.j] == '*'
		if pEnd && qEnd {
			return true
		}
		// Moves that take no character: p's * ends, q's * ends once it
		// has taken one.
		if pStar {
			push(state{s.i + 1, s.j, s.started})
		}
		if qStar && s.started {
			push(state{s.i, s.j + 1, false})
		}
		// Moves that take one character of the common string.
		switch {
		case pEnd || qEnd:
		case pStar && qStar:
			push(state{s.i, s.j, true}) // a character both stars take
		case pStar:
			push(state{s.i, s.j + 1, false}) // p's * takes q's literal
		case qStar:
			if p[s.i] != '/' {
				push(state{s.i + 1, s.j, true}) // q's * takes p's literal
			}
		case p[s.i] == q[s.j]:
			push(state{s.i + 1, s.j + 1, false})
		}
	}
	return false
}
