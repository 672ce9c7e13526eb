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

// Pitfall 25: a cold start's init duration is in Lambda's platform.report,
// which Lambda logs only at system log level INFO or DEBUG: the functions'
// own logLevel, whatever it is, must not silence it.
func TestLogLevelNeverSilencesColdStarts(t *testing.T) {
	for _, level := range []string{"TRACE", "DEBUG", "INFO", "WARN", "ERROR"} {
		m := stacktest.Deploy(t, nil, stacktest.ConfigWith(map[string]string{config.KeyLogLevel: level}))
		for _, fn := range m.All("aws:lambda/function:Function") {
			if got := stacktest.Str(fn.Inputs, "loggingConfig", "systemLogLevel"); got != "INFO" && got != "DEBUG" {
				t.Errorf("logLevel %s: %s's system log level is %q: its cold starts go unlogged", level, fn.Name, got)
			}
			if got := stacktest.Str(fn.Inputs, "loggingConfig", "applicationLogLevel"); got != level {
				t.Errorf("logLevel %s: %s's application log level is %q", level, fn.Name, got)
			}
		}
	}
}
