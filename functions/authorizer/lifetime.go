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

// Lifetime is how long a key set response stays fresh (RFC 9111 section
// 4.2.1): Cache-Control max-age less the response's Age, else Expires less
// Date (or now), else defaultLifetime; no-store and no-cache mean none.
// The result is bounded by minLifetime and maxLifetime.
func lifetime(h http.Header, now time.Time) time.Duration {
	d, ok := cacheLifetime(h, now)
	if !ok {
		d = defaultLifetime
	}
	return min(max(d, minLifetime), maxLifetime)
}

func cacheLifetime(h http.Header, now time.Time) (time.Duration, bool) {
	for _, cc := range h.Values("Cache-Control") {
		for directive := range strings.SplitSeq(cc, ",") {
			name, value, _ := strings.Cut(strings.TrimSpace(directive), "=")
			switch strings.ToLower(name) {
			case "no-store", "no-cache":
				return 0, true
			case "max-age":
				seconds, err := strconv.ParseInt(strings.Trim(value, `"`), 10, 64)
				if err != nil || seconds < 0 {
					return 0, true
				}
				age, _ := strconv.ParseInt(h.Get("Age"), 10, 64)
				return time.Duration(max(seconds-max(age, 0), 0)) * time.Second, true
			}
		}
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
