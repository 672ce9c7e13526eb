package function_test

import (
	"testing"

	"signin/infra/config"
	"signin/infra/internal/stacktest"
)

// Functions log JSON to their own log group, and Lambda keeps the lines
// from the configured level up.
func TestFunctionsLogJSONAtTheConfiguredLevel(t *testing.T) {
	for _, level := range []string{"", "DEBUG", "ERROR"} {
		t.Run("level "+level, func(t *testing.T) {
			cfg := stacktest.Config()
			want := config.DefaultLogLevel
			if level != "" {
				cfg["signin:"+config.KeyLogLevel] = level
				want = level
			}
			m := stacktest.Deploy(t, nil, cfg)
			for _, fn := range m.All("aws:lambda/function:Function") {
				for k, w := range map[string]string{
					"logFormat":           "JSON",
					"applicationLogLevel": want,
					"systemLogLevel":      "INFO",
					"logGroup":            stacktest.Str(m.One(t, "aws:cloudwatch/logGroup:LogGroup", fn.Name).State, "name"),
				} {
					if got := stacktest.Str(fn.Inputs, "loggingConfig", k); got != w {
						t.Errorf("%s loggingConfig.%s = %q, want %q", fn.Name, k, got, w)
					}
				}
			}
		})
	}
}
