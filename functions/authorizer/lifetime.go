package authorizer

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Bounds of a key set's lifetime, which the issuer's response sets with
// Cache-Control max-age (less its Age) or Expires.
const (
	// defaultLifetime applies when the response says nothing.
	defaultLifetime = time.Hour
	// minLifetime keeps an issuer answering max-age=0 or no-store from
	// causing a fetch per decision.
	minLifetime = time.Minute
	// maxLifetime caps a long max-age: a withdrawn key is dropped within a
	// day whatever the response said.
	maxLifetime = 24 * time.Hour
)

// maxDeltaSeconds is what RFC 9111 section 1.2.2 has a cache count a
// delta-seconds value too large to represent as: 2^31 seconds.
const maxDeltaSeconds = 1 << 31

// lifetime is how long a key set response stays fresh (RFC 9111 section
// 4.2.1): Cache-Control max-age less the response's Age, else Expires less
// Date (or now), else defaultLifetime. The most restrictive directive wins
// wherever it comes, on any of the Cache-Control lines: no-store or
// no-cache means none, of several max-ages the shortest counts, a malformed
// one means none. The result is bounded by minLifetime and maxLifetime.
func lifetime(h http.Header, now time.Time) time.Duration {
	d, ok := freshness(h, now)
	if !ok {
		d = defaultLifetime
	}
	return min(max(d, minLifetime), maxLifetime)
}

// freshness is the lifetime h gives its response, unbounded, and whether
// it gives one.
func freshness(h http.Header, now time.Time) (time.Duration, bool) {
	var maxAge time.Duration
	hasMaxAge := false
	for _, cc := range h.Values("Cache-Control") {
		for directive := range strings.SplitSeq(cc, ",") {
			name, value, _ := strings.Cut(directive, "=")
			switch strings.ToLower(strings.TrimSpace(name)) {
			case "no-store", "no-cache":
				return 0, true
			case "max-age":
				// A malformed value counts as 0, already stale.
				d, _ := deltaSeconds(strings.Trim(strings.TrimSpace(value), `"`))
				if !hasMaxAge || d < maxAge {
					maxAge = d
				}
				hasMaxAge = true
			}
		}
	}
	if hasMaxAge {
		age, _ := deltaSeconds(strings.TrimSpace(h.Get("Age")))
		return max(maxAge-age, 0), true
	}
	if raw := h.Get("Expires"); raw != "" {
		expires, err := http.ParseTime(raw)
		if err != nil {
			// RFC 9111 section 5.3: an invalid date means already expired.
			return 0, true
		}
		if date, err := http.ParseTime(h.Get("Date")); err == nil {
			now = date
		}
		return expires.Sub(now), true
	}
	return 0, false
}

// deltaSeconds parses a delta-seconds value (RFC 9111 section 1.2.2: one
// or more digits), counting one above 2^31 as 2^31, so that no value
// overflows time.Duration. It reports whether s is one.
func deltaSeconds(s string) (time.Duration, bool) {
	if s == "" || strings.ContainsFunc(s, func(r rune) bool { return r < '0' || r > '9' }) {
		return 0, false
	}
	// Digits alone fail to parse only when out of range.
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil || n > maxDeltaSeconds {
		n = maxDeltaSeconds
	}
	return time.Duration(n) * time.Second, true
}
