package deploy

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"signin/infra/internal/golden"
)

const validStack = "config:\n  aws:region: eu-central-1\n  signin:googleClientId: 123456789012-abcdefghijklmnopqrstuvwxyz012345.apps.googleusercontent.com\n"

const secretStack = "config:\n  signin:googleClientId:\n    secure: AAABAHx0ZXN0\n"

// awsVariables are every environment variable haveAWSCredentials reads.
var awsVariables = []string{
	"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE", "AWS_WEB_IDENTITY_TOKEN_FILE",
	"AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
	"AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE",
}

// machine sets up a machine with nothing: no CLI on PATH, no AWS
// credentials, an empty home, and a repository root with no stack file.
func machine(t *testing.T) (root, bin, home string) {
	t.Helper()
	root, bin, home = t.TempDir(), t.TempDir(), t.TempDir()
	t.Setenv("PATH", bin)
	t.Setenv("HOME", home)
	for _, v := range awsVariables {
		t.Setenv(v, "")
	}
	return root, bin, home
}

func write(t *testing.T, path, content string, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
}

// templateStack is the template's Pulumi.dev.yaml as far as the checks
// read it: its placeholder client ID, which a team replaces.
const templateStack = "config:\n  aws:region: eu-central-1\n  signin:googleClientId: YOUR-CLIENT-ID.apps.googleusercontent.com\n"

// The checks stop a deployment, offline, at the first thing missing, with a
// message saying how to fix it. testdata/messages.golden.txt records every
// message as the user reads it.
func TestCheckStopsAtWhatIsMissing(t *testing.T) {
	cli := func(t *testing.T, bin string) { write(t, filepath.Join(bin, cliName), "", 0o755) }
	cases := []struct {
		name   string
		action Action
		setup  func(t *testing.T, root, bin, home string)
		want   error
	}{
		{"nothing installed", up, func(*testing.T, string, string, string) {}, errNoCLI},
		{"a pulumi file that is not executable", preview, func(t *testing.T, _, bin, _ string) {
			write(t, filepath.Join(bin, cliName), "", 0o644)
		}, errNoCLI},
		{"CLI but no AWS credentials", up, func(t *testing.T, _, bin, _ string) { cli(t, bin) }, errNoAWSCredentials},
		{"an access key without its secret", up, func(t *testing.T, _, bin, _ string) {
			cli(t, bin)
			t.Setenv("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")
		}, errNoAWSCredentials},
		{"an empty credentials file", up, func(t *testing.T, _, bin, home string) {
			cli(t, bin)
			write(t, filepath.Join(home, ".aws", "credentials"), "", 0o600)
		}, errNoAWSCredentials},
		{"no stack file", up, func(t *testing.T, _, bin, _ string) {
			cli(t, bin)
			t.Setenv("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")
			t.Setenv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
		}, errNoClientID},
		{"the committed placeholder client ID", preview, func(t *testing.T, root, bin, home string) {
			cli(t, bin)
			write(t, filepath.Join(home, ".aws", "credentials"), "[default]\n", 0o600)
			write(t, filepath.Join(root, "Pulumi.dev.yaml"), templateStack, 0o644)
		}, errNoClientID},
		{"a valid client ID and a profile", up, func(t *testing.T, root, bin, _ string) {
			cli(t, bin)
			t.Setenv("AWS_PROFILE", "sandbox")
			write(t, filepath.Join(root, "Pulumi.dev.yaml"), validStack, 0o644)
		}, nil},
		{"a secret client ID and SSO config", preview, func(t *testing.T, root, bin, home string) {
			cli(t, bin)
			write(t, filepath.Join(home, ".aws", "config"), "[profile sso]\n", 0o600)
			write(t, filepath.Join(root, "Pulumi.dev.yaml"), secretStack, 0o644)
		}, nil},
		{"destroy needs no client ID", destroy, func(t *testing.T, root, bin, _ string) {
			cli(t, bin)
			t.Setenv("AWS_WEB_IDENTITY_TOKEN_FILE", "/var/run/token")
			write(t, filepath.Join(root, "Pulumi.dev.yaml"), templateStack, 0o644)
		}, nil},
	}
	var messages strings.Builder
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			root, bin, home := machine(t)
			c.setup(t, root, bin, home)
			err := check(c.action, root, "dev")
			if !errors.Is(err, c.want) || (c.want == nil) != (err == nil) {
				t.Fatalf("make %s: got %v, want %v", c.action, err, c.want)
			}
			msg := "ok"
			if err != nil {
				msg = err.Error()
			}
			fmt.Fprintf(&messages, "%s (make %s):\n  %s\n", c.name, c.action, msg)
		})
	}
	golden.Check(t, filepath.Join("testdata", "messages.golden.txt"), []byte(messages.String()))
}

// With no Pulumi login the state goes to .pulumi/ in the repository, which
// needs a passphrase; a login or an explicit backend is used as it is.
func TestBackendFallsBackToTheRepository(t *testing.T) {
	root := t.TempDir()
	for _, c := range []struct {
		name                   string
		backendURL, passphrase string
		passphraseFile         string
		loggedIn               bool
		want                   string
		wantErr                error
	}{
		{name: "logged in", loggedIn: true, want: ""},
		{name: "explicit backend", backendURL: "s3://state-bucket", want: "s3://state-bucket"},
		{name: "no login, a passphrase", passphrase: "correct horse", want: "file://" + filepath.ToSlash(filepath.Join(root, localStateDir))},
		{name: "no login, a passphrase file", passphraseFile: "/run/secrets/pulumi", want: "file://" + filepath.ToSlash(filepath.Join(root, localStateDir))},
		{name: "no login, no passphrase", wantErr: errNoPassphrase},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv("PULUMI_BACKEND_URL", c.backendURL)
			t.Setenv("PULUMI_CONFIG_PASSPHRASE", c.passphrase)
			t.Setenv("PULUMI_CONFIG_PASSPHRASE_FILE", c.passphraseFile)
			got, err := backend(root, c.loggedIn)
			if !errors.Is(err, c.wantErr) || (c.wantErr == nil) != (err == nil) {
				t.Fatalf("got error %v, want %v", err, c.wantErr)
			}
			if got != c.want {
				t.Errorf("backend = %q, want %q", got, c.want)
			}
			if err != nil && !strings.Contains(err.Error(), "export PULUMI_CONFIG_PASSPHRASE=") {
				t.Errorf("error %q does not say how to set the passphrase", err)
			}
		})
	}
}

// A login is what `pulumi login` leaves in the CLI's credentials, or a
// Pulumi Cloud token in the environment.
func TestLoggedIn(t *testing.T) {
	for _, c := range []struct {
		name        string
		token       string
		credentials string
		want        bool
	}{
		{name: "never logged in", want: false},
		{name: "Pulumi Cloud token", token: "pul-0123456789abcdef", want: true},
		{name: "pulumi login", credentials: `{"current":"https://api.pulumi.com","accessTokens":{}}`, want: true},
		{name: "pulumi login file://", credentials: `{"current":"file:///srv/state"}`, want: true},
		{name: "pulumi logout", credentials: `{"current":"","accessTokens":{}}`, want: false},
		{name: "unreadable credentials", credentials: `{`, want: false},
	} {
		t.Run(c.name, func(t *testing.T) {
			home := t.TempDir()
			t.Setenv("PULUMI_HOME", home)
			t.Setenv("PULUMI_ACCESS_TOKEN", c.token)
			if c.credentials != "" {
				write(t, filepath.Join(home, "credentials.json"), c.credentials, 0o600)
			}
			if got := loggedIn(); got != c.want {
				t.Errorf("LoggedIn() = %v, want %v", got, c.want)
			}
		})
	}
}

func TestParseAction(t *testing.T) {
	for _, c := range []struct {
		in string
		ok bool
	}{{"preview", true}, {"up", true}, {"destroy", true}, {"refresh", false}, {"", false}} {
		if _, err := ParseAction(c.in); (err == nil) != c.ok {
			t.Errorf("ParseAction(%q) error = %v, want ok=%v", c.in, err, c.ok)
		}
	}
}

// fakePulumi is a pulumi CLI whose preview, up and destroy run until
// interrupted and then, as the real CLI does, finish cleanly: they record
// their state in $FAKE_STATE before exiting. They write their process id to
// $FAKE_PID once running; every other command succeeds at once. The sleep
// they wait on holds none of the runner's pipes, and dies with them: the
// runner's Wait returns once the CLI has, not when a left-over sleep ends.
const fakePulumi = `#!/bin/sh
case "$1" in preview|up|destroy) ;; *) exit 0 ;; esac
trap 'kill $! 2>/dev/null; echo saved > "$FAKE_STATE"; exit 1' INT
echo $$ > "$FAKE_PID"
sleep 60 </dev/null >/dev/null 2>&1 &
wait $!
`

// Ctrl-C in a terminal interrupts the whole process group: pulumi gets the
// interrupt itself and cancels gracefully, saving the state of what it has
// done. The runner must not kill it meanwhile, or the created resources are
// lost from the state.
func TestInterruptLetsPulumiSaveItsState(t *testing.T) {
	for _, action := range []Action{preview, up, destroy} {
		t.Run(string(action), func(t *testing.T) {
			root, bin, _ := machine(t)
			t.Setenv("PATH", bin+string(os.PathListSeparator)+"/usr/bin"+string(os.PathListSeparator)+"/bin")
			write(t, filepath.Join(bin, cliName), fakePulumi, 0o755)
			write(t, filepath.Join(root, "Pulumi.dev.yaml"), validStack, 0o644)
			t.Setenv("AWS_PROFILE", "sandbox")
			t.Setenv("PULUMI_BACKEND_URL", "file://"+filepath.ToSlash(t.TempDir()))
			state, pidFile := filepath.Join(t.TempDir(), "state"), filepath.Join(t.TempDir(), "pid")
			t.Setenv("FAKE_STATE", state)
			t.Setenv("FAKE_PID", pidFile)

			ctx, interrupt := context.WithCancel(context.Background())
			defer interrupt()
			done := make(chan error, 1)
			r := &Runner{Root: root, Stack: "dev", Stdout: io.Discard, Stderr: io.Discard}
			go func() { done <- r.Run(ctx, action, nil) }()
			pid := waitForPID(t, pidFile)

			// The runner's own interrupt, then the one the terminal sends
			// pulumi.
			interrupt()
			time.Sleep(200 * time.Millisecond)
			if p, err := os.FindProcess(pid); err == nil {
				_ = p.Signal(os.Interrupt) // fails if it was killed already
			}
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				t.Fatal("the runner did not return after the interrupt")
			}
			if b, err := os.ReadFile(state); err != nil || strings.TrimSpace(string(b)) != "saved" {
				t.Errorf("pulumi did not finish cleanly (%v): it was killed before saving its state", err)
			}
		})
	}
}

// waitForPID returns the process id written to path.
func waitForPID(t *testing.T, path string) int {
	t.Helper()
	for range 500 {
		if b, err := os.ReadFile(path); err == nil {
			if pid, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil {
				return pid
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("pulumi up did not start")
	return 0
}
