//go:build unix

package emulator

import "testing"

func TestFunctionErrorIsRecognizedByItsShape(t *testing.T) {
	tests := []struct {
		body string
		want *FunctionError
	}{
		{`{"errorMessage":"Unauthorized","errorType":"errorString"}`, &FunctionError{Type: "errorString", Message: "Unauthorized"}},
		{`{"errorMessage":"boom","errorType":"Runtime.ExitError","stackTrace":[]}`, &FunctionError{Type: "Runtime.ExitError", Message: "boom"}},
		{`{"message":"Hello Ada!"}`, nil},
		{`{"errorMessage":"a field of an answer","errorType":"x","principalId":"1"}`, nil},
		{`{"errorMessage":"only the message"}`, nil},
		{`"Unauthorized"`, nil},
		{`not json`, nil},
	}
	for _, tt := range tests {
		got := functionError([]byte(tt.body))
		if (got == nil) != (tt.want == nil) || got != nil && *got != *tt.want {
			t.Errorf("functionError(%s) = %+v, want %+v", tt.body, got, tt.want)
		}
	}
}
