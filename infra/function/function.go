// Package function declares one AWS Lambda function of this repository: its
// code, built from the functions module with the build definition of
// `make build`, an IAM role that may only write its logs (and its X-Ray
// traces, when tracing is on), and a CloudWatch log group the stack owns, so
// `pulumi destroy` leaves no logs behind. The function logs JSON, which
// Lambda filters by the lines' "level".
package function

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lambda"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"signin/functions/bundle"
	"signin/infra/limits"
)

// componentType is the Pulumi type token of the component.
const componentType = "signin:index:Function"

// Settings every function runs with.
const (
	// runtime is the OS-only runtime that runs a bootstrap executable; the
	// go1.x runtime is retired.
	runtime = "provided.al2023"
	// architecture is the Graviton processor the archives are built for.
	architecture = "arm64"
	// Handler names the executable at the archive's root.
	Handler = bundle.EntryName
	// memorySize is the function's memory in MB: plenty for a Go binary.
	memorySize = 128
	// timeout is the longest a call may run, in seconds.
	timeout = 10
	// logFormat makes Lambda write its own lines as JSON, and filter the
	// function's JSON lines by their "level", as log/slog's JSON handler
	// writes them.
	logFormat = "JSON"
	// SystemLogLevel keeps Lambda's own lines, its platform.report among
	// them: a cold start's init duration, which Lambda logs only at INFO or
	// DEBUG, whatever the functions' own log level.
	SystemLogLevel = "INFO"
)

// RolePrefix starts the name of every IAM role the stack creates: the
// deploy role's policy names roles by it once (role/signin-fn-*), so a new
// function needs no change to it, and it matches none of the CI roles
// (signin-deploy, signin-preview). A role is named
// <RolePrefix><function>-<random suffix>.
const RolePrefix = "signin-fn-"

// basicExecutionPolicy is the one policy a function's role carries: write
// its own logs to CloudWatch.
const basicExecutionPolicy = string(iam.ManagedPolicyAWSLambdaBasicExecutionRole)

// tracingPolicy lets a traced function's role send its segments to X-Ray.
const tracingPolicy = string(iam.ManagedPolicyAWSXRayDaemonWriteAccess)

// assumeRolePolicy lets the Lambda service, and nothing else, take the role.
const assumeRolePolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

// rolePrefix returns the name prefix of the role of the function name.
func rolePrefix(name string) string { return RolePrefix + name + "-" }

// logGroupPrefix returns the name prefix of the log group of the function
// name: Lambda's own log group name and a hyphen.
func logGroupPrefix(name string) string { return "/aws/lambda/" + name + "-" }

// CheckName reports a function name that one of the names AWS derives from
// it cannot hold: the function's own, which Pulumi names after it, its
// role's name prefix and its log group's.
func CheckName(name string) error {
	var errs []error
	for _, err := range []error{
		limits.CheckFunctionName(name + strings.Repeat("x", limits.AutoNameSuffix)),
		limits.CheckRoleNamePrefix(rolePrefix(name)),
		limits.CheckLogGroupNamePrefix(logGroupPrefix(name)),
	} {
		if err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("function %s: rename it (functions/cmd/%s): %w", name, name, err)
	}
	return nil
}

// Code is a function's deployment archive on disk.
type Code struct {
	// Path is the archive's file.
	Path string
	// SHA256 is the base64 SHA-256 of the archive, as Lambda reports its
	// code's hash.
	SHA256 string
}

// Build compiles the function name of the functions module at dir for
// Lambda and writes its archive to outDir/<name>.zip, as `make build` does.
func Build(ctx context.Context, dir, outDir, name string) (Code, error) {
	archive, err := bundle.Build(ctx, bundle.Options{Dir: dir, Function: name, Target: bundle.Lambda})
	if err != nil {
		return Code{}, err
	}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return Code{}, fmt.Errorf("function %s: %w", name, err)
	}
	path := filepath.Join(outDir, name+".zip")
	if err := os.WriteFile(path, archive, 0o644); err != nil {
		return Code{}, fmt.Errorf("function %s: writing its archive: %w", name, err)
	}
	sum := sha256.Sum256(archive)
	return Code{Path: path, SHA256: base64.StdEncoding.EncodeToString(sum[:])}, nil
}

// BuildAll builds each function named of the workspace's functions module
// (bundle.ModuleDir) into outDir, as Build does, and returns their
// archives by name.
func BuildAll(ctx context.Context, outDir string, names []string) (map[string]Code, error) {
	dir, err := bundle.ModuleDir(ctx)
	if err != nil {
		return nil, err
	}
	code := map[string]Code{}
	for _, name := range names {
		c, err := Build(ctx, dir, outDir, name)
		if err != nil {
			return nil, err
		}
		code[name] = c
	}
	return code, nil
}

// Args configure a Lambda.
type Args struct {
	// Code is the function's archive.
	Code Code
	// Environment holds the function's environment variables.
	Environment pulumi.StringMap
	// LogRetentionDays is how long the function's logs are kept.
	LogRetentionDays int
	// LogLevel is the least severe level of the function's log lines that
	// Lambda keeps, such as INFO.
	LogLevel string
	// Tracing turns on X-Ray active tracing, and lets the role send traces.
	Tracing bool
}

// Lambda is a deployed Lambda function with its role and log group.
type Lambda struct {
	pulumi.ResourceState

	// Name is the function's name under functions/cmd/.
	Name string
	// Function is the Lambda function.
	Function *lambda.Function
	// role is the role the function runs as.
	role *iam.Role
	// LogGroup receives the function's logs.
	LogGroup *cloudwatch.LogGroup
}

// New declares the function name: its log group, its role and the
// function.
func New(ctx *pulumi.Context, name string, args Args, opts ...pulumi.ResourceOption) (*Lambda, error) {
	if err := CheckName(name); err != nil {
		return nil, err
	}
	f := &Lambda{Name: name}
	if err := ctx.RegisterComponentResource(componentType, name, f, opts...); err != nil {
		return nil, fmt.Errorf("function %s: %w", name, err)
	}
	if err := f.logGroup(ctx, args); err != nil {
		return nil, err
	}
	after, err := f.declareRole(ctx, args)
	if err != nil {
		return nil, err
	}
	if err := f.function(ctx, args, after); err != nil {
		return nil, err
	}
	if err := ctx.RegisterResourceOutputs(f, pulumi.Map{
		"name": f.Function.Name,
		"arn":  f.Function.Arn,
	}); err != nil {
		return nil, fmt.Errorf("function %s: %w", name, err)
	}
	return f, nil
}

// logGroup declares the function's log group, kept args.LogRetentionDays.
func (f *Lambda) logGroup(ctx *pulumi.Context, args Args) error {
	var err error
	f.LogGroup, err = cloudwatch.NewLogGroup(ctx, f.Name, &cloudwatch.LogGroupArgs{
		NamePrefix:      pulumi.String(logGroupPrefix(f.Name)),
		RetentionInDays: pulumi.Int(args.LogRetentionDays),
	}, pulumi.Parent(f))
	if err != nil {
		return fmt.Errorf("function %s: log group: %w", f.Name, err)
	}
	return nil
}

// declareRole declares the role the function runs as, with the policies
// that let it write its logs and, with args.Tracing, its traces; it returns
// the policies' attachments, which the function waits for.
func (f *Lambda) declareRole(ctx *pulumi.Context, args Args) ([]pulumi.Resource, error) {
	writes := "logs"
	if args.Tracing {
		writes = "logs and traces"
	}
	var err error
	f.role, err = iam.NewRole(ctx, f.Name, &iam.RoleArgs{
		NamePrefix:       pulumi.String(rolePrefix(f.Name)),
		AssumeRolePolicy: pulumi.String(assumeRolePolicy),
		Description:      pulumi.String("Runs the " + f.Name + " function: writes its " + writes + ", nothing else."),
	}, pulumi.Parent(f))
	if err != nil {
		return nil, fmt.Errorf("function %s: role: %w", f.Name, err)
	}
	logs, err := f.attach(ctx, "logs", basicExecutionPolicy)
	if err != nil {
		return nil, fmt.Errorf("function %s: role policy: %w", f.Name, err)
	}
	if !args.Tracing {
		return []pulumi.Resource{logs}, nil
	}
	traces, err := f.attach(ctx, "tracing", tracingPolicy)
	if err != nil {
		return nil, fmt.Errorf("function %s: tracing policy: %w", f.Name, err)
	}
	return []pulumi.Resource{logs, traces}, nil
}

// attach attaches the managed policy to the function's role, named after
// the function and what.
func (f *Lambda) attach(ctx *pulumi.Context, what, policy string) (*iam.RolePolicyAttachment, error) {
	return iam.NewRolePolicyAttachment(ctx, f.Name+"-"+what, &iam.RolePolicyAttachmentArgs{
		Role:      f.role.Name,
		PolicyArn: pulumi.String(policy),
	}, pulumi.Parent(f))
}

// function declares the Lambda function of args.Code, running as its role
// once the resources after exist.
func (f *Lambda) function(ctx *pulumi.Context, args Args, after []pulumi.Resource) error {
	// Said either way, so that turning tracing off turns it off: Lambda's
	// default, PassThrough, traces only what a caller asked to trace.
	tracing := &lambda.FunctionTracingConfigArgs{Mode: pulumi.String("PassThrough")}
	if args.Tracing {
		tracing.Mode = pulumi.String("Active")
	}
	var env lambda.FunctionEnvironmentPtrInput
	if len(args.Environment) > 0 {
		env = &lambda.FunctionEnvironmentArgs{Variables: args.Environment}
	}
	var err error
	f.Function, err = lambda.NewFunction(ctx, f.Name, &lambda.FunctionArgs{
		Code:           pulumi.NewFileArchive(args.Code.Path),
		SourceCodeHash: pulumi.String(args.Code.SHA256),
		Runtime:        pulumi.String(runtime),
		Architectures:  pulumi.StringArray{pulumi.String(architecture)},
		Handler:        pulumi.String(Handler),
		MemorySize:     pulumi.Int(memorySize),
		Timeout:        pulumi.Int(timeout),
		Role:           f.role.Arn,
		Environment:    env,
		TracingConfig:  tracing,
		LoggingConfig: &lambda.FunctionLoggingConfigArgs{
			LogFormat:           pulumi.String(logFormat),
			ApplicationLogLevel: pulumi.String(args.LogLevel),
			SystemLogLevel:      pulumi.String(SystemLogLevel),
			LogGroup:            f.LogGroup.Name,
		},
	}, pulumi.Parent(f), pulumi.DependsOn(after))
	if err != nil {
		return fmt.Errorf("function %s: %w", f.Name, err)
	}
	return nil
}
