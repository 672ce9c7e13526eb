package smoke

import "fmt"

// outcome is the outcome of a check.
type outcome string

// The outcomes of a check. Only fail makes a run fail; skip says what went
// unchecked and why.
const (
	pass outcome = "PASS"
	fail outcome = "FAIL"
	skip outcome = "SKIP"
)

// Result is the outcome of one check.
type Result struct {
	// status is the outcome.
	status outcome
	// name names the check, such as "api preflight".
	name string
	// detail says what was seen, or what was wrong.
	detail string
}

// String renders r as its line of the report: "PASS name: detail".
func (r Result) String() string {
	return fmt.Sprintf("%s %s: %s", r.status, r.name, r.detail)
}

// Failed returns the results that failed.
func Failed(results []Result) []Result {
	var failed []Result
	for _, r := range results {
		if r.status == fail {
			failed = append(failed, r)
		}
	}
	return failed
}
