//go:build unix

package emulator

import (
	"testing"

	"github.com/aws/aws-lambda-go/lambda/messages"
)

func TestFunctionErrorIsRecognizedByItsShape(t *testing.T) {
	tests := []struct {
		body string
		want *messages.InvokeResponse_Error
	}{
		{`{"errorMessage":"Unauthorized","errorType":"errorString"}`, &messages.InvokeResponse_Error{Type: "errorString", Message: "Unauthorized"}},
		{`{"errorMessage":"boom","errorType":"Runtime.ExitError","stackTrace":[]}`, &messages.InvokeResponse_Error{Type: "Runtime.ExitError", Message: "boom"}},
		{`{"errorMessage":"boom","errorType":"Runtime.Error","stackTrace":["main.go:12"]}`, &messages.InvokeResponse_Error{Type: "Runtime.Error", Message: "boom"}},
		{`{"message":"Hello Ada!"}`, nil},
		{`{"errorMessage":"a field of an answer","errorType":"x","principalId":"1"}`, nil},
		{`{"errorMessage":"only the message"}`, nil},
		{`"Unauthorized"`, nil},
		{`not json`, nil},
	}
	for _, tt := range tests {
		got := functionError([]byte(tt.body))
		if (got == nil) != (tt.want == nil) || got != nil && (got.Type != tt.want.Type || got.Message != tt.want.Message) {
			t.Errorf("functionError(%s) = %+v, want %+v", tt.body, got, tt.want)
		}
	}
}
