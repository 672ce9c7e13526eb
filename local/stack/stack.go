// Package stack starts the offline stack behind `make dev`: the sign-in page,
// the development identity provider, and the API Gateway emulation of the
// route table (gateway.Routes) in front of the real binaries of the
// authorizer and of every route's function, each built for the host and run
// under the Lambda Runtime Interface Emulator.
//
// The page, the API and the provider listen on three ports. The page calls
// the API on its own origin, under gateway.Prefix, which the site server
// forwards to the API as CloudFront does when deployed; the API's own port
// answers too, with CORS for the site's origin.
package stack

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"signin/functions/authorizer"
	"signin/functions/bundle"
	"signin/functions/gateway"
	"signin/functions/routecheck"
	"signin/functions/stackconfig"
	"signin/functions/stackfile"
	"signin/local/apigw"
	"signin/local/emulator"
	"signin/local/idp"
	"signin/site"
)

// DevClientID is the OAuth client ID of the offline stack: the page's
// clientId, the aud of the provider's tokens and the authorizer's
// GOOGLE_CLIENT_ID. It is no real Google client.
const DevClientID = "123456789012-localdevelopmentonly000000000.apps.googleusercontent.com"

// DefaultStack is the stack whose configuration the offline stack reads
// when Options name none, as `make dev` does (STACK=dev).
const DefaultStack = stackfile.DefaultStack

// The default ports of the page, the API and the identity provider.
const (
	DefaultSitePort = 8080
	DefaultAPIPort  = 8081
	DefaultIDPPort  = 8082
)

// The API's identity in the methodArn the authorizer sees.
const (
	region    = "eu-central-1"
	accountID = "123456789012"
	apiID     = "local00api"
	stage     = "local"
)

// Options configures the stack. Zero ports mean free ones, chosen by the
// system.
type Options struct {
	// SitePort, APIPort and IDPPort are the ports of the page, the API and
	// the identity provider on localhost.
	SitePort, APIPort, IDPPort int
	// Stack names the stack whose configuration the authorizer gets, read
	// from Pulumi.<Stack>.yaml at the repository's root as the Pulumi
	// program reads it (package stackconfig): the allow-lists, the groups
	// the routes name, the workloads, trustEmailsWithoutHd and
	// authorizerCacheTtl. Empty
	// means DefaultStack.
	Stack string
	// AllowedEmails and AllowedDomains (comma-separated), when either is
	// not empty, replace the stack's allow-list: its allowedEmails and
	// allowedDomains.
	AllowedEmails, AllowedDomains string
	// Groups, when not empty, replace the stack's groups: JSON in the shape
	// of the stack's groups setting,
	// {"admins":{"emails":["ada@example.com"],"domains":["example.com"],"workloads":["ci"]}}.
	Groups string
	// Workloads, when not empty, replace the stack's workloads: JSON in the
	// shape of the stack's workloads setting,
	// {"ci":{"issuer":"https://token.actions.githubusercontent.com","audience":"https://github.com/acme","claims":{"repository":"acme/app"}}}.
	// Their issuers are mapped to the provider's stand-ins (Running.Issuers).
	Workloads string
	// CacheTTL, when not zero, replaces the stack's authorizerCacheTtl.
	CacheTTL time.Duration
	// Logs receives the functions' logs, each line prefixed with the
	// function's name; nil discards them.
	Logs io.Writer

	// wrap, when set, wraps each function as the API invokes it (tests
	// count invocations with it).
	wrap func(name string, fn lambda.Handler) lambda.Handler
	// routes, when set, is the route table served instead of
	// gateway.Routes (tests restrict routes to groups with it).
	routes gateway.Table
	// withoutStack starts from the settings' defaults instead of the
	// stack's file (tests of groups of their own, whatever a team's stack
	// allows).
	withoutStack bool
}

// PortInUseError says that a part of the stack could not listen on its
// port.
type PortInUseError struct {
	// Part is "site", "api" or "idp".
	Part string
	// Port is the port that was asked for.
	Port int
	// err is the listener's error.
	err error
}

// Error names the part and the port.
func (e *PortInUseError) Error() string {
	return fmt.Sprintf("stack: the %s port %d is in use: %v", e.Part, e.Port, e.err)
}

// Unwrap returns the listener's error.
func (e *PortInUseError) Unwrap() error { return e.err }

// Running is the running offline stack.
type Running struct {
	// SiteURL and IssuerURL are the page's and the identity provider's
	// addresses, such as http://localhost:8080; APIURL is the API's own
	// address, its gateway.Prefix, such as http://localhost:8081/api, as
	// the deployed stack's apiUrl output is (the page calls SiteURL/api).
	SiteURL, APIURL, IssuerURL string
	// Provider is the development identity provider, for minting tokens.
	Provider *idp.Provider
	// Issuers maps the issuers the workloads may name to the provider's
	// stand-ins for them: Google's to the provider itself, GitHub Actions'
	// to its GitHub issuer. A workload of another issuer keeps its own.
	Issuers map[string]string

	routes    gateway.Table
	access    stackconfig.Authorizer
	listeners []net.Listener
	servers   []*http.Server
	functions map[string]*emulator.Function
	api       *apigw.Gateway
	binDir    string
	done      sync.WaitGroup
}

// Start builds the functions, starts every part and returns when all of
// them accept requests. Close stops them.
func Start(ctx context.Context, opts Options) (*Running, error) {
	st := &Running{}
	if err := st.start(ctx, opts); err != nil {
		st.Close()
		return nil, err
	}
	return st, nil
}

func (st *Running) start(ctx context.Context, opts Options) error {
	st.routes = routesOf(opts)
	var err error
	if st.access, err = configuration(ctx, opts); err != nil {
		return err
	}
	listeners := map[string]net.Listener{}
	for _, p := range []struct {
		part string
		port int
	}{{"site", opts.SitePort}, {"api", opts.APIPort}, {"idp", opts.IDPPort}} {
		l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(p.port)))
		if err != nil {
			if errors.Is(err, syscall.EADDRINUSE) {
				return &PortInUseError{Part: p.part, Port: p.port, err: err}
			}
			return fmt.Errorf("stack: listening for the %s: %w", p.part, err)
		}
		listeners[p.part] = l
		st.listeners = append(st.listeners, l)
	}
	urlOf := func(part string) string {
		return "http://localhost:" + strconv.Itoa(listeners[part].Addr().(*net.TCPAddr).Port)
	}
	st.SiteURL, st.APIURL, st.IssuerURL = urlOf("site"), urlOf("api")+gateway.Prefix, urlOf("idp")

	if st.Provider, err = idp.New(st.IssuerURL, DevClientID); err != nil {
		return err
	}
	st.serve(listeners["idp"], st.Provider.Handler())
	st.Issuers = map[string]string{
		authorizer.GoogleIssuer: st.IssuerURL,
		idp.GitHubIssuer:        st.Provider.GitHubIssuerURL(),
	}

	functions, err := st.startFunctions(ctx, opts)
	if err != nil {
		return err
	}
	authorizer := functions[gateway.AuthorizerFunction]
	delete(functions, gateway.AuthorizerFunction)
	st.api, err = apigw.New(apigw.Config{
		Routes: st.routes, Authorizer: authorizer, Functions: functions, AllowOrigin: st.SiteURL,
		Region: region, AccountID: accountID, APIID: apiID, Stage: stage,
		CacheTTL: cmp.Or(opts.CacheTTL, time.Duration(st.access.AuthorizerCacheTTL)*time.Second),
		Uncached: opts.CacheTTL == 0 && st.access.AuthorizerCacheTTL == 0,
	})
	if err != nil {
		return err
	}
	st.serve(listeners["api"], st.api)

	page, err := SiteHandler(site.Config{
		ClientID:     DevClientID,
		SignInScript: st.Provider.SignInScriptURL(),
	}, urlOf("api"))
	if err != nil {
		return err
	}
	st.serve(listeners["site"], page)
	return nil
}

// configuration returns the stack's configuration of the authorizer, from
// its file at the repository's root, with the options' replacements, and
// runs the route check (routecheck.Check, as the Pulumi program and `make
// build` do) against it.
func configuration(ctx context.Context, opts Options) (stackconfig.Authorizer, error) {
	functionsDir, _, err := resolveTools(ctx)
	if err != nil {
		return stackconfig.Authorizer{}, err
	}
	file := filepath.Join(filepath.Dir(functionsDir), stackfile.FileName(cmp.Or(opts.Stack, DefaultStack)))
	values := map[string]string{}
	if !opts.withoutStack {
		if values, err = stackfile.Read(file); err != nil {
			return stackconfig.Authorizer{}, fmt.Errorf("stack: the stack's configuration: %w", err)
		}
	}
	set := func(key, value string) { values[stackfile.Namespace+":"+key] = value }
	if strings.TrimSpace(opts.AllowedEmails+opts.AllowedDomains) != "" {
		set(stackconfig.KeyAllowedEmails, list(opts.AllowedEmails))
		set(stackconfig.KeyAllowedDomains, list(opts.AllowedDomains))
	}
	if strings.TrimSpace(opts.Groups) != "" {
		set(stackconfig.KeyGroups, opts.Groups)
	}
	if strings.TrimSpace(opts.Workloads) != "" {
		set(stackconfig.KeyWorkloads, opts.Workloads)
	}
	access, err := stackconfig.Parse(func(key string) (string, bool) {
		v, ok := values[stackfile.Namespace+":"+key]
		return v, ok
	})
	if err == nil {
		err = routecheck.Check(functionsDir, routesOf(opts), routecheck.Stack{ClientID: values[stackfile.Namespace+":"+stackfile.KeyGoogleClientID], Access: access})
	}
	if err != nil {
		return stackconfig.Authorizer{}, fmt.Errorf("stack: %s and the route table: %w", filepath.Base(file), err)
	}
	return access, nil
}

// list returns the comma-separated entries of s as a JSON list, as Pulumi
// hands a list setting to a program.
func list(s string) string {
	b, _ := json.Marshal(strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' }))
	return string(b)
}

// routesOf returns the route table the options serve.
func routesOf(opts Options) gateway.Table {
	if opts.routes == nil {
		return gateway.Routes
	}
	return opts.routes
}

func (st *Running) serve(l net.Listener, h http.Handler) {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	st.servers = append(st.servers, srv)
	st.done.Add(1)
	go func() {
		defer st.done.Done()
		_ = srv.Serve(l)
	}()
}

// startFunctions builds the authorizer and every route's function of
// gateway.Routes for the host, starts each under the emulator and returns
// them by name, as the API invokes them.
func (st *Running) startFunctions(ctx context.Context, opts Options) (map[string]lambda.Handler, error) {
	dir, rie, err := resolveTools(ctx)
	if err != nil {
		return nil, err
	}
	if st.binDir, err = os.MkdirTemp("", "signin-dev-"); err != nil {
		return nil, fmt.Errorf("stack: %w", err)
	}
	started := map[string]lambda.Handler{}
	st.functions = map[string]*emulator.Function{}
	for _, name := range st.routes.Functions() {
		bin := filepath.Join(st.binDir, name)
		host := bundle.Target{GOOS: runtime.GOOS, GOARCH: runtime.GOARCH}
		if err := bundle.Binary(ctx, bundle.Options{Dir: dir, Function: name, Target: host}, bin); err != nil {
			return nil, err
		}
		f, err := emulator.Start(ctx, emulator.Options{
			RIE: rie, Bootstrap: bin,
			Env:    append([]string{"AWS_LAMBDA_FUNCTION_NAME=" + name, "AWS_REGION=" + region}, st.environment(name)...),
			Output: prefixed(opts.Logs, name),
		})
		if err != nil {
			return nil, fmt.Errorf("stack: starting %s: %w", name, err)
		}
		st.functions[name] = f
		started[name] = f
		if opts.wrap != nil {
			started[name] = opts.wrap(name, f)
		}
	}
	return started, nil
}

// environment returns the function name's settings, as the Pulumi program
// sets them when deployed (gateway.Environment).
func (st *Running) environment(name string) []string {
	auth := authorizer.Config{
		ClientID: DevClientID, Issuer: st.IssuerURL, JWKSURL: st.Provider.KeysURL(),
		AllowedEmails:                  st.access.AllowedEmails,
		AllowedDomains:                 st.access.AllowedDomains,
		TrustEmailsWithoutHostedDomain: st.access.TrustEmailsWithoutHostedDomain,
		Groups:                         st.access.Groups,
		Workloads:                      localWorkloads(st.access.Workloads, st.Issuers),
		Routes:                         st.routes,
	}.Environ()
	env := gateway.Environment(st.routes, name, auth, st.SiteURL)
	var entries []string
	for _, k := range slices.Sorted(maps.Keys(env)) {
		entries = append(entries, k+"="+env[k])
	}
	return entries
}

// localWorkloads returns the workloads w with their issuers mapped by
// issuers, and a Google service account's audience, which defaults to the
// client ID of Google's issuer only, made explicit.
func localWorkloads(w authorizer.Workloads, issuers map[string]string) authorizer.Workloads {
	if len(w) == 0 {
		return nil
	}
	local := authorizer.Workloads{}
	for name, wl := range w {
		if wl.Issuer == authorizer.GoogleIssuer && wl.Audience == "" {
			wl.Audience = DevClientID
		}
		if to, ok := issuers[wl.Issuer]; ok {
			wl.Issuer = to
		}
		local[name] = wl
	}
	return local
}

// Close stops every part of the stack and waits for them.
func (st *Running) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, srv := range st.servers {
		_ = srv.Shutdown(ctx)
	}
	for _, l := range st.listeners {
		_ = l.Close() // those never served; the others are closed already
	}
	st.done.Wait()
	for _, f := range st.functions {
		_ = f.Close() // stopping is all that is left to do
	}
	if st.binDir != "" {
		os.RemoveAll(st.binDir)
	}
}

// prefixed returns a writer that writes each line to w after "name | ".
func prefixed(w io.Writer, name string) io.Writer {
	if w == nil {
		return io.Discard
	}
	return &prefixWriter{w: w, prefix: []byte(name + " | ")}
}

type prefixWriter struct {
	mu      sync.Mutex
	w       io.Writer
	prefix  []byte
	partial []byte
}

// Write passes on each complete line, prefixed, and holds a partial line
// until its end arrives.
func (p *prefixWriter) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.partial = append(p.partial, b...)
	for {
		i := bytes.IndexByte(p.partial, '\n')
		if i < 0 {
			return len(b), nil
		}
		line := append(append([]byte{}, p.prefix...), p.partial[:i+1]...)
		p.partial = p.partial[i+1:]
		if _, err := p.w.Write(line); err != nil {
			return len(b), err
		}
	}
}

// tools is what every stack of the process starts from, as the go command
// resolves it: the functions module's directory and the runtime interface
// emulator's executable. Resolving them takes three go commands, about a
// third of a second of CPU; a process that starts several stacks, as the
// browser tests do, asks once.
var tools struct {
	sync.Mutex
	functionsDir, rie string
}

// resolveTools returns the functions module's directory and the emulator's
// path, resolving them on the process's first call that succeeds.
func resolveTools(ctx context.Context) (functionsDir, rie string, err error) {
	tools.Lock()
	defer tools.Unlock()
	if tools.rie != "" {
		return tools.functionsDir, tools.rie, nil
	}
	if functionsDir, err = bundle.ModuleDir(ctx); err != nil {
		return "", "", err
	}
	localDir, err := bundle.WorkspaceModuleDir(ctx, localModule)
	if err != nil {
		return "", "", err
	}
	if rie, err = emulator.Path(ctx, localDir); err != nil {
		return "", "", err
	}
	tools.functionsDir, tools.rie = functionsDir, rie
	return functionsDir, rie, nil
}

// localModule is this module, which pins the runtime interface emulator as
// a tool.
const localModule = "signin/local"
