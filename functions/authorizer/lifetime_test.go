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
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := lifetime(tt.header, now); got != tt.want {
				t.Errorf("Lifetime = %s, want %s", got, tt.want)
			}
		})
	}
}
