// Package hello is the function behind GET /: it answers the signed-in
// user with a greeting.
//
// The name comes from the user's Google profile through the authorizer and
// API Gateway's mapping template, so it is user-controlled: Greet trims it,
// strips control and bidirectional-formatting characters and caps its
// length. It does no HTML escaping: the answer is JSON and the page renders
// it as text.
package hello

import (
	"context"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxNameLength is the most characters (runes) of a name a greeting repeats.
const maxNameLength = 100

// stranger is the name greeted when the event carries none.
const stranger = "there"

// Event is the hello function's input: {"name": "..."}.
type Event struct {
	// Name is the signed-in user's display name, as the authorizer passed
	// it on.
	Name string `json:"name"`
}

// Response is the hello function's answer: {"message": "Hello <name>!"}.
type Response struct {
	// Message is the greeting.
	Message string `json:"message"`
}

// Handle is the hello Lambda's handler.
func Handle(_ context.Context, event Event) (Response, error) {
	return Response{Message: Greet(event.Name)}, nil
}

// Greet returns "Hello <name>!" for the cleaned name, or "Hello there!" when
// nothing of the name is left.
func Greet(name string) string {
	name = clean(name)
	if name == "" {
		name = stranger
	}
	return "Hello " + name + "!"
}

// clean returns name with invalid UTF-8, control characters and
// bidirectional-formatting characters removed, surrounding white space
// trimmed and at most maxNameLength characters kept.
func clean(name string) string {
	var b strings.Builder
	b.Grow(min(len(name), maxNameLength*utf8.UTFMax))
	kept := 0
	for _, r := range strings.TrimSpace(name) {
		if kept == maxNameLength {
			break
		}
		if r == utf8.RuneError || unicode.IsControl(r) || isBidiControl(r) {
			continue
		}
		b.WriteRune(r)
		kept++
	}
	return strings.TrimSpace(b.String())
}

// isBidiControl reports whether r is one of the invisible characters that
// reorder text (such as U+202E RIGHT-TO-LEFT OVERRIDE), which would let a
// name disguise the rest of the message.
func isBidiControl(r rune) bool {
	return unicode.Is(unicode.Bidi_Control, r)
}
