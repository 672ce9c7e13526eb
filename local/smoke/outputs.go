package smoke

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"strings"

	"signin/site"
)

// Outputs are the stack outputs the checks use.
type Outputs struct {
	// SiteURL and APIURL are the site's and the API's addresses.
	SiteURL, APIURL string
	// DashboardURL is the CloudWatch dashboard's address.
	DashboardURL string
	// AccessLogGroup is the API's access log group, "" when the stack
	// does not log its API.
	AccessLogGroup string
}

// pulumiCLI is the command that reads a stack's outputs.
const pulumiCLI = "pulumi"

// errNoPulumi says that the outputs could not be read because the pulumi
// CLI is not installed.
var errNoPulumi = errors.New("the pulumi CLI is not installed")

// StackOutputs reads the site's and the API's addresses, which it requires,
// the dashboard's and the access log group from the outputs of the Pulumi
// stack named stack, through `pulumi stack output --json`, run in dir (the
// repository's root, where Pulumi.yaml is; empty means the working
// directory).
func StackOutputs(ctx context.Context, dir, stack string) (Outputs, error) {
	if _, err := exec.LookPath(pulumiCLI); err != nil {
		return Outputs{}, fmt.Errorf("smoke: %w: set SITE_URL and API_URL, or install it and log in to the stack's backend", errNoPulumi)
	}
	cmd := exec.CommandContext(ctx, pulumiCLI, "stack", "output", "--json", "--stack", stack)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return Outputs{}, fmt.Errorf("smoke: reading the outputs of stack %s (set SITE_URL and API_URL to check another deployment): %w\n%s", stack, err, strings.TrimSpace(stderr.String()))
	}
	var outputs map[string]any
	if err := json.Unmarshal(out, &outputs); err != nil {
		return Outputs{}, fmt.Errorf("smoke: the outputs of stack %s are not a JSON object: %w", stack, err)
	}
	get := func(name string) (string, error) {
		v, ok := outputs[name].(string)
		if !ok || v == "" {
			return "", fmt.Errorf("smoke: stack %s has no output %s: has it been deployed (make up STACK=%s)?", stack, name, stack)
		}
		return v, nil
	}
	var o Outputs
	if o.SiteURL, err = get(site.OutputSiteURL); err != nil {
		return Outputs{}, err
	}
	if o.APIURL, err = get(site.OutputAPIURL); err != nil {
		return Outputs{}, err
	}
	o.DashboardURL, _ = outputs[site.OutputDashboardURL].(string)
	o.AccessLogGroup, _ = outputs[site.OutputAccessLogGroup].(string)
	return o, nil
}
