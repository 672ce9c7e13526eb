//go:build linux

package emulator_test

import (
	"context"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/coreos/go-oidc/v3/oidc/oidctest"

	"signin/local/emulator"
)

// Lambda's smallest memory size, 128 MB, gets 128/1769 of one vCPU (a full
// vCPU at 1,769 MB): 7.2%, simulated with a CFS quota of 1447 us per
// 20000 us period.
const (
	quotaMicros  = 1447
	periodMicros = 20000
)

// BenchmarkAuthorizerColdStart measures the cold path as a user meets it:
// from the invocation request to a fresh emulator, which starts the real
// bootstrap, through the function's init (configuration, the key fetch over
// HTTPS from a loopback server whose test CA is appended to the machine's
// bundle through SSL_CERT_FILE; the certificate directories as they are) to
// the answer. "unthrottled" runs on the machine's CPU; "128MB" runs the
// bootstrap in a cgroup with Lambda's CPU share at 128 MB. It reports the
// median over the run's iterations as ms/cold-start.
func BenchmarkAuthorizerColdStart(b *testing.B) {
	iss := newTLSIssuer(b)
	event := authorizerEvent(b, iss.token(b, iss.key, "ada@example.com"))
	env := append(iss.env(nil), "SSL_CERT_FILE="+iss.bundle)
	b.Run("unthrottled", func(b *testing.B) { coldStarts(b, authorizerBin, env, event) })
	b.Run("128MB", func(b *testing.B) {
		procs, err := cpuCgroup(b)
		if err != nil {
			b.Skipf("no CPU-quota cgroup for the 128 MB figure (needs root and a cpu controller): %v", err)
		}
		wrapper := filepath.Join(b.TempDir(), "bootstrap")
		script := "#!/bin/sh\necho $$ > " + procs + " || exit 1\nexec " + authorizerBin + "\n"
		if err := os.WriteFile(wrapper, []byte(script), 0o755); err != nil {
			b.Fatal(err)
		}
		coldStarts(b, wrapper, env, event)
	})
}

// coldStarts times b.N first invocations of fresh emulators running bin and
// reports their median.
func coldStarts(b *testing.B, bin string, env []string, event []byte) {
	ctx := context.Background()
	var times []time.Duration
	for b.Loop() {
		b.StopTimer()
		fn, err := emulator.Start(ctx, emulator.Options{RIE: rie, Bootstrap: bin, Env: env})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start := time.Now()
		_, err = fn.Invoke(ctx, event)
		times = append(times, time.Since(start))
		b.StopTimer()
		if err != nil {
			b.Fatalf("%v; output: %s", err, fn.Output())
		}
		if err := fn.Close(); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	slices.Sort(times)
	b.ReportMetric(float64(times[len(times)/2])/float64(time.Millisecond), "ms/cold-start")
}

// tlsIssuer is a loopback OpenID provider over HTTPS, and a certificate
// bundle holding the machine's trusted certificates and the server's.
type tlsIssuer struct {
	issuer
	bundle string
}

func newTLSIssuer(b *testing.B) *tlsIssuer {
	plain := newIssuer(b)
	s := &oidctest.Server{PublicKeys: []oidctest.PublicKey{{PublicKey: plain.key.Public(), KeyID: "k1", Algorithm: oidc.RS256}}}
	srv := httptest.NewTLSServer(s)
	b.Cleanup(srv.Close)
	s.SetIssuer(srv.URL)
	system, err := systemBundle()
	if err != nil {
		b.Skip(err)
	}
	bundle := filepath.Join(b.TempDir(), "ca-bundle.crt")
	ca := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(bundle, append(system, ca...), 0o644); err != nil {
		b.Fatal(err)
	}
	return &tlsIssuer{issuer: issuer{url: srv.URL, key: plain.key}, bundle: bundle}
}

// systemBundle reads the machine's certificate bundle: Debian's, or Amazon
// Linux's and RHEL's.
func systemBundle() ([]byte, error) {
	for _, f := range []string{"/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt"} {
		if data, err := os.ReadFile(f); err == nil {
			return data, nil
		}
	}
	return nil, errors.New("no system certificate bundle (install ca-certificates)")
}

// cpuCgroup creates a cgroup with Lambda's CPU quota at 128 MB, removed at
// the end of the benchmark, and returns the file a process writes its PID
// to to join it. It supports cgroup v1's cpu controller and cgroup v2.
func cpuCgroup(b *testing.B) (string, error) {
	name := fmt.Sprintf("signin-coldstart-%d", os.Getpid())
	var dir string
	var settings map[string]string
	switch {
	case exists("/sys/fs/cgroup/cpu/cpu.cfs_quota_us"):
		dir = filepath.Join("/sys/fs/cgroup/cpu", name)
		settings = map[string]string{"cpu.cfs_period_us": strconv.Itoa(periodMicros), "cpu.cfs_quota_us": strconv.Itoa(quotaMicros)}
	case exists("/sys/fs/cgroup/cgroup.controllers"):
		dir = filepath.Join("/sys/fs/cgroup", name)
		settings = map[string]string{"cpu.max": fmt.Sprintf("%d %d", quotaMicros, periodMicros)}
	default:
		return "", errors.New("neither cgroup v1's cpu controller nor cgroup v2 is mounted under /sys/fs/cgroup")
	}
	if err := os.Mkdir(dir, 0o755); err != nil {
		return "", err
	}
	b.Cleanup(func() {
		if err := os.Remove(dir); err != nil {
			b.Errorf("removing the cgroup: %v", err)
		}
	})
	for _, file := range []string{"cpu.cfs_period_us", "cpu.cfs_quota_us", "cpu.max"} {
		if value, ok := settings[file]; ok {
			if err := os.WriteFile(filepath.Join(dir, file), []byte(value), 0o644); err != nil {
				return "", err
			}
		}
	}
	return filepath.Join(dir, "cgroup.procs"), nil
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
