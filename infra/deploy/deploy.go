// Package deploy runs the pulumi CLI for `make preview`, `make up` and
// `make destroy`: it first checks, offline, what a deployment needs (the
// CLI, AWS credentials, the Google client ID), stopping with a message that
// says how to fix what is missing; it uses the user's Pulumi login or, when
// there is none, a local file backend inside the repository.
package deploy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"signin/functions/stackfile"
	"signin/infra/project"
	"signin/site"
)

// Action is what to do with the stack.
type Action string

// The actions of the Makefile.
const (
	preview Action = "preview"
	up      Action = "up"
	destroy Action = "destroy"
)

// ParseAction returns the action named s.
func ParseAction(s string) (Action, error) {
	switch a := Action(s); a {
	case preview, up, destroy:
		return a, nil
	}
	return "", fmt.Errorf("deploy: unknown action %q: use preview, up or destroy", s)
}

// localStateDir is the folder, below the repository's root, of the local
// file backend used when there is no Pulumi login. .gitignore lists it.
const localStateDir = ".pulumi"

// cliName is the name of the Pulumi command-line tool.
const cliName = "pulumi"

// Errors of the checks; the returned errors wrap them with how to fix it.
var (
	errNoCLI            = errors.New("the pulumi CLI is not installed")
	errNoAWSCredentials = errors.New("no AWS credentials found")
	errNoClientID       = errors.New("no valid googleClientId")
	errNoPassphrase     = errors.New("no passphrase for the local Pulumi state")
)

// check reports the first thing missing for action on the stack of the
// repository at root: the pulumi CLI, AWS credentials, or (for preview and
// up) a valid googleClientId in Pulumi.<stack>.yaml.
func check(action Action, root, stackName string) error {
	if _, err := exec.LookPath(cliName); err != nil {
		return fmt.Errorf("%w: install it (https://www.pulumi.com/docs/iac/download-install/, for example `curl -fsSL https://get.pulumi.com | sh`) and run `make %s` again", errNoCLI, action)
	}
	if !haveAWSCredentials() {
		return fmt.Errorf("%w: run `aws configure`, or `aws sso login --profile <name>` and `export AWS_PROFILE=<name>`, or export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY", errNoAWSCredentials)
	}
	if action == destroy {
		return nil
	}
	return checkClientID(filepath.Join(root, "Pulumi."+stackName+".yaml"))
}

// haveAWSCredentials reports whether the environment names a source of AWS
// credentials the AWS SDK would use: keys, a profile, a web identity, a
// container's credentials, or a shared credentials or config file.
func haveAWSCredentials() bool {
	if os.Getenv("AWS_ACCESS_KEY_ID") != "" && os.Getenv("AWS_SECRET_ACCESS_KEY") != "" {
		return true
	}
	for _, v := range []string{"AWS_PROFILE", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"} {
		if os.Getenv(v) != "" {
			return true
		}
	}
	home, _ := os.UserHomeDir()
	for _, f := range []struct{ env, name string }{
		{"AWS_SHARED_CREDENTIALS_FILE", "credentials"},
		{"AWS_CONFIG_FILE", "config"},
	} {
		path := os.Getenv(f.env)
		if path == "" && home != "" {
			path = filepath.Join(home, ".aws", f.name)
		}
		if info, err := os.Stat(path); path != "" && err == nil && info.Size() > 0 {
			return true
		}
	}
	return false
}

// checkClientID checks the googleClientId of the stack file at path. A
// secret value cannot be read here and is left to the program to check.
func checkClientID(path string) error {
	cfg, err := stackfile.Read(path)
	if errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("%w: %s does not exist: run `pulumi stack init %s` and `pulumi config set %s <client-id>`", errNoClientID, filepath.Base(path), strings.TrimSuffix(strings.TrimPrefix(filepath.Base(path), "Pulumi."), ".yaml"), project.KeyGoogleClientID)
	}
	if err != nil {
		return err
	}
	id := cfg[project.Namespace+":"+project.KeyGoogleClientID]
	if strings.HasPrefix(id, "{") {
		return nil
	}
	if err := project.ValidateClientID(id); err != nil {
		return fmt.Errorf("%w in %s: %w", errNoClientID, filepath.Base(path), err)
	}
	return nil
}

// loggedIn reports whether the user is logged in to a Pulumi backend: a
// Pulumi Cloud access token in the environment, or a current backend in the
// CLI's credentials ($PULUMI_HOME or ~/.pulumi, credentials.json), as
// `pulumi login` leaves it.
func loggedIn() bool {
	if os.Getenv("PULUMI_ACCESS_TOKEN") != "" {
		return true
	}
	home := os.Getenv("PULUMI_HOME")
	if home == "" {
		user, err := os.UserHomeDir()
		if err != nil {
			return false
		}
		home = filepath.Join(user, ".pulumi")
	}
	b, err := os.ReadFile(filepath.Join(home, "credentials.json"))
	if err != nil {
		return false
	}
	var creds struct {
		Current string `json:"current"`
	}
	return json.Unmarshal(b, &creds) == nil && creds.Current != ""
}

// backend returns the backend URL to use, given the environment's
// PULUMI_BACKEND_URL and whether the user is logged in to one: the user's
// choice, else their login (""), else the local file backend below root,
// which needs a passphrase for the stack's secrets.
func backend(root string, loggedIn bool) (string, error) {
	if u := os.Getenv("PULUMI_BACKEND_URL"); u != "" || loggedIn {
		return u, nil
	}
	if os.Getenv("PULUMI_CONFIG_PASSPHRASE") == "" && os.Getenv("PULUMI_CONFIG_PASSPHRASE_FILE") == "" {
		return "", fmt.Errorf("%w: with no `pulumi login`, the state is kept in %s/ and its secrets are encrypted with a passphrase: `export PULUMI_CONFIG_PASSPHRASE=<a passphrase you keep>` (the same one for every later command), or run `pulumi login` first", errNoPassphrase, localStateDir)
	}
	return "file://" + filepath.ToSlash(filepath.Join(root, localStateDir)), nil
}

// Runner runs the pulumi CLI in the repository.
type Runner struct {
	// Root is the repository's root, where Pulumi.yaml is.
	Root string
	// Stack is the stack's name.
	Stack string
	// Stdout and Stderr receive the CLI's output.
	Stdout, Stderr io.Writer
	// env is the CLI's environment.
	env []string
}

// Run checks what action needs, selects (or creates) the stack on the
// user's backend or the local one, runs `pulumi <action>` with args, and
// after up prints the site's URL to open.
func (r *Runner) Run(ctx context.Context, action Action, args []string) error {
	if err := check(action, r.Root, r.Stack); err != nil {
		return err
	}
	backend, err := backend(r.Root, loggedIn())
	if err != nil {
		return err
	}
	r.env = os.Environ()
	if backend != "" && os.Getenv("PULUMI_BACKEND_URL") == "" {
		if err := os.MkdirAll(filepath.Join(r.Root, localStateDir), 0o755); err != nil {
			return fmt.Errorf("deploy: %w", err)
		}
		fmt.Fprintf(r.Stderr, "No Pulumi login: keeping the state in %s/ (run `pulumi login` to use your own backend).\n", localStateDir)
		r.env = append(r.env, "PULUMI_BACKEND_URL="+backend)
	}
	if err := r.pulumi(ctx, r.Stderr, "stack", "select", "--create", r.Stack); err != nil {
		return fmt.Errorf("deploy: selecting stack %s: %w", r.Stack, err)
	}
	if err := r.pulumi(ctx, r.Stdout, append([]string{string(action), "--stack", r.Stack}, args...)...); err != nil {
		return fmt.Errorf("deploy: pulumi %s: %w", action, err)
	}
	if action != up {
		return nil
	}
	var url strings.Builder
	if err := r.pulumi(ctx, &url, "stack", "output", site.OutputSiteURL, "--stack", r.Stack); err != nil {
		return fmt.Errorf("deploy: reading %s: %w", site.OutputSiteURL, err)
	}
	site := strings.TrimSpace(url.String())
	fmt.Fprintf(r.Stdout, "\nRegister %s as an authorized JavaScript origin of your Google client, then open this:\n\n  %s\n\n", strings.TrimSuffix(site, "/"), site)
	return nil
}

// pulumi runs the CLI with args in the repository's root.
func (r *Runner) pulumi(ctx context.Context, stdout io.Writer, args ...string) error {
	cmd := exec.CommandContext(ctx, cliName, args...)
	// An interrupt (Ctrl-C) reaches pulumi itself, in the same process
	// group, and it cancels gracefully, saving the state of what it did.
	// Killing it then would lose created resources from the state, so a
	// done ctx only keeps the next command from starting.
	cmd.Cancel = func() error { return nil }
	cmd.Dir = r.Root
	cmd.Env = r.env
	cmd.Stdin = os.Stdin
	cmd.Stdout = stdout
	cmd.Stderr = r.Stderr
	return cmd.Run()
}
