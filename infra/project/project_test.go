package project_test

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"

	"signin/infra/config"
	"signin/infra/project"
)

// TestPulumiYAMLIsATemplate loads Pulumi.yaml as the pulumi CLI does,
// against the project file's schema, and wants it usable by `pulumi new
// <repository URL>`: named for the settings' namespace, and a template that
// asks for the Google client ID, which has no default, and the region, and
// for no setting the program does not read.
func TestPulumiYAMLIsATemplate(t *testing.T) {
	proj, err := workspace.LoadProject("../../Pulumi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if proj.Name.String() != project.Namespace {
		t.Errorf("project name %q, want %q: it prefixes the settings in the stack files", proj.Name, project.Namespace)
	}
	if proj.Runtime.Name() != "go" || proj.Main != "infra/" {
		t.Errorf("runtime %q, main %q: want go and infra/", proj.Runtime.Name(), proj.Main)
	}
	if proj.Template == nil {
		t.Fatal("Pulumi.yaml has no template: section for pulumi new")
	}
	// The settings the program reads, by their key in a stack file.
	read := map[string]bool{"aws:region": true}
	for _, key := range []string{
		config.KeyGoogleClientID, config.KeyAllowedEmails, config.KeyAllowedDomains, config.KeyAuthorizerCacheTTL,
		config.KeyLogRetentionDays, config.KeyThrottleRateLimit, config.KeyThrottleBurstLimit,
	} {
		read[project.Namespace+":"+key] = true
	}
	prompted := map[string]workspace.ProjectTemplateConfigValue{}
	for key, value := range proj.Template.Config {
		// pulumi new puts a key without a namespace in the project's.
		if !strings.Contains(key, ":") {
			key = project.Namespace + ":" + key
		}
		prompted[key] = value
		if !read[key] {
			t.Errorf("the template asks for %s, which the program does not read", key)
		}
	}
	if v, ok := prompted[project.Namespace+":"+project.KeyGoogleClientID]; !ok || v.Default != "" || v.Description == "" {
		t.Errorf("the template must ask for %s, with a description and no default: got %+v", project.KeyGoogleClientID, v)
	}
	if v := prompted["aws:region"]; v.Default != "eu-central-1" {
		t.Errorf("the template's aws:region defaults to %v, want eu-central-1", v.Default)
	}
	if t.Failed() {
		t.Logf("template keys: %v", slices.Sorted(maps.Keys(prompted)))
	}
}
