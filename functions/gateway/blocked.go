package gateway

import "encoding/json"

// Messages of the answers a web application firewall in front of the API
// or the site gives a request it blocks, written for the person reading
// the page.
const (
	// MessageRateLimited answers a source IP that made more requests than
	// the firewall's rate-based rule allows (429).
	MessageRateLimited = "Too many requests came from your network. Wait a few minutes, then try again."
	// MessageBlocked answers a request AWS's common rule set matched (403).
	MessageBlocked = "The firewall blocked this request. If it keeps happening, tell the site's owner."
)

// BlockedBody returns the JSON body a firewall answers a blocked request
// with: {"message": message, "blocked": true}. The page tells it from
// API Gateway's own answers by "blocked" and shows message as it is.
func BlockedBody(message string) string {
	b, _ := json.Marshal(struct { // a string and a bool always marshal
		Message string `json:"message"`
		Blocked bool   `json:"blocked"`
	}{message, true})
	return string(b)
}
