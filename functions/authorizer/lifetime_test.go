package authorizer

import (
	"net/http"
	"testing"
	"time"
)

func TestLifetime(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	date := now.Format(http.TimeFormat)
	tests := []struct {
		name   string
		header http.Header
		want   time.Duration
	}{
		{"none", http.Header{}, defaultLifetime},
		{"Google's", http.Header{"Cache-Control": {"public, max-age=19856, must-revalidate, no-transform"}}, 19856 * time.Second},
		{"less the Age", http.Header{"Cache-Control": {"max-age=19856"}, "Age": {"856"}}, 19000 * time.Second},
		{"upper-case directive", http.Header{"Cache-Control": {"Max-Age=7200"}}, 2 * time.Hour},
		{"max-age over Expires", http.Header{"Cache-Control": {"max-age=7200"}, "Expires": {now.Add(time.Hour).Format(http.TimeFormat)}, "Date": {date}}, 2 * time.Hour},
		{"Expires less Date", http.Header{"Expires": {now.Add(3 * time.Hour).Format(http.TimeFormat)}, "Date": {date}}, 3 * time.Hour},
		{"invalid Expires", http.Header{"Expires": {"0"}}, minLifetime},
		{"no-store", http.Header{"Cache-Control": {"no-store"}}, minLifetime},
		{"max-age=0", http.Header{"Cache-Control": {"max-age=0"}}, minLifetime},
		{"malformed max-age", http.Header{"Cache-Control": {"max-age=soon"}}, minLifetime},
		{"a year", http.Header{"Cache-Control": {"max-age=31536000"}}, maxLifetime},
		// RFC 9111 section 4.2.1: the most restrictive directive wins,
		// wherever it comes.
		{"no-cache after max-age", http.Header{"Cache-Control": {"max-age=86400, no-cache"}}, minLifetime},
		{"no-store on a second line", http.Header{"Cache-Control": {"max-age=86400", "no-store"}}, minLifetime},
		{"the shorter of two max-ages", http.Header{"Cache-Control": {"max-age=86400", "max-age=600"}}, 10 * time.Minute},
		{"a malformed max-age among valid ones", http.Header{"Cache-Control": {"max-age=86400, max-age=soon"}}, minLifetime},
		// RFC 9111 section 1.2.2: a delta-seconds too large to represent
		// counts as 2^31 seconds.
		{"max-age past time.Duration", http.Header{"Cache-Control": {"max-age=9223372037"}}, maxLifetime},
		{"max-age past int64", http.Header{"Cache-Control": {"max-age=99999999999999999999"}}, maxLifetime},
		{"Age past int64", http.Header{"Cache-Control": {"max-age=86400"}, "Age": {"99999999999999999999"}}, minLifetime},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := lifetime(tt.header, now); got != tt.want {
				t.Errorf("lifetime = %s, want %s", got, tt.want)
			}
		})
	}
}
