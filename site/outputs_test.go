package site

import "testing"

func TestFunctionNameOutputIsCamelCase(t *testing.T) {
	for fn, want := range map[string]string{"authorizer": "authorizerFunctionName", "me": "meFunctionName", "hello-world": "helloWorldFunctionName"} {
		if got := FunctionNameOutput(fn); got != want {
			t.Errorf("FunctionNameOutput(%s) = %s, want %s", fn, got, want)
		}
	}
}
