//go:build linux

package emulator_test

import (
	"bytes"
	"cmp"
	"context"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
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
// bundle through SSL_CERT_FILE; otherwise the environment the function is
// deployed with, none of the machine's) to the answer. "unthrottled" runs
// on the machine's CPU; "128MB" runs the bootstrap in a cgroup with
// Lambda's CPU share at 128 MB, and tells it its memory size as Lambda
// does.
//
// It reports medians over the run's iterations: ms/cold-start, the wall
// time, and, where the bootstrap runs in a cgroup, cpu-ms/cold-start, the
// CPU time the bootstrap and its threads used from exec to the answer, and
// faults/cold-start, its page faults. The CPU time does not depend on what
// else the machine runs, the wall time does: at 7.2% of a CPU, a quiet
// machine's wall time is about the CPU time / 0.072.
func BenchmarkAuthorizerColdStart(b *testing.B) {
	iss := newTLSIssuer(b)
	event := authorizerEvent(b, iss.token(b, iss.key, "ada@example.com"))
	env := append(iss.env(nil), "SSL_CERT_FILE="+iss.bundle)
	b.Run("unthrottled", func(b *testing.B) {
		cg, err := newCgroup(b, false)
		if err != nil {
			b.Logf("no cgroup to account the bootstrap's CPU time (needs root and a cpuacct controller): %v", err)
			coldStarts(b, authorizerBin, env, event, nil)
			return
		}
		coldStarts(b, cg.wrapper(b, authorizerBin), env, event, cg)
	})
	b.Run("128MB", func(b *testing.B) {
		cg, err := newCgroup(b, true)
		if err != nil {
			b.Skipf("no CPU-quota cgroup for the 128 MB figure (needs root and a cpu controller): %v", err)
		}
		// As Lambda tells a function its memory size.
		env := append(slices.Clip(env), "AWS_LAMBDA_FUNCTION_MEMORY_SIZE=128")
		coldStarts(b, cg.wrapper(b, authorizerBin), env, event, cg)
	})
}

// coldStarts times b.N first invocations of fresh emulators running bin and
// reports their medians; cg, when not nil, is the cgroup bin runs in.
func coldStarts(b *testing.B, bin string, env []string, event []byte, cg *cgroup) {
	ctx := context.Background()
	var times, cpu []time.Duration
	var faults []int
	for b.Loop() {
		b.StopTimer()
		fn, err := emulator.Start(ctx, emulator.Options{RIE: rie, Bootstrap: bin, Env: env})
		if err != nil {
			b.Fatal(err)
		}
		var before time.Duration
		if cg != nil {
			if before, err = cg.usage(); err != nil {
				b.Fatal(err)
			}
		}
		b.StartTimer()
		start := time.Now()
		_, err = fn.Invoke(ctx, event)
		times = append(times, time.Since(start))
		b.StopTimer()
		if err != nil {
			b.Fatalf("%v; output: %s", err, fn.Output())
		}
		if cg != nil {
			after, err := cg.usage()
			if err != nil {
				b.Fatal(err)
			}
			cpu = append(cpu, after-before)
			n, err := cg.faults()
			if err != nil {
				b.Fatal(err)
			}
			faults = append(faults, n)
		}
		if err := fn.Close(); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(median(times))/float64(time.Millisecond), "ms/cold-start")
	if cg != nil {
		b.ReportMetric(float64(median(cpu))/float64(time.Millisecond), "cpu-ms/cold-start")
		b.ReportMetric(float64(median(faults)), "faults/cold-start")
	}
}

func median[T cmp.Ordered](s []T) T {
	slices.Sort(s)
	return s[len(s)/2]
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

// cgroup is a cgroup a bootstrap joins, through a wrapper script, for its
// CPU time to be accounted and, optionally, limited.
type cgroup struct {
	// dirs are the cgroup's directories: one in each cgroup v1 hierarchy
	// it uses (cpuacct first), or the one cgroup v2 directory.
	dirs []string
	// usageFile holds the CPU time of the cgroup's processes: cpuacct.usage
	// (v1, in ns) or cpu.stat's usage_usec (v2).
	usageFile string
}

// newCgroup creates a cgroup that accounts the CPU time of its processes
// and, if limited, holds them to Lambda's CPU quota at 128 MB; it is
// removed at the end of the benchmark. It supports cgroup v1's cpuacct and
// cpu controllers and cgroup v2.
func newCgroup(b *testing.B, limited bool) (*cgroup, error) {
	name := fmt.Sprintf("signin-coldstart-%d-%s", os.Getpid(), strings.ReplaceAll(b.Name(), "/", "-"))
	cg := &cgroup{}
	settings := map[string]string{}
	switch {
	case exists("/sys/fs/cgroup/cpuacct/cpuacct.usage") && (!limited || exists("/sys/fs/cgroup/cpu/cpu.cfs_quota_us")):
		cg.dirs = []string{filepath.Join("/sys/fs/cgroup/cpuacct", name)}
		cg.usageFile = filepath.Join(cg.dirs[0], "cpuacct.usage")
		if limited {
			cpu := filepath.Join("/sys/fs/cgroup/cpu", name)
			cg.dirs = append(cg.dirs, cpu)
			settings[filepath.Join(cpu, "cpu.cfs_period_us")] = strconv.Itoa(periodMicros)
			settings[filepath.Join(cpu, "cpu.cfs_quota_us")] = strconv.Itoa(quotaMicros)
		}
	case exists("/sys/fs/cgroup/cgroup.controllers"):
		dir := filepath.Join("/sys/fs/cgroup", name)
		cg.dirs = []string{dir}
		cg.usageFile = filepath.Join(dir, "cpu.stat")
		if limited {
			settings[filepath.Join(dir, "cpu.max")] = fmt.Sprintf("%d %d", quotaMicros, periodMicros)
		}
	default:
		return nil, errors.New("neither cgroup v1's cpuacct and cpu controllers nor cgroup v2 is mounted under /sys/fs/cgroup")
	}
	for _, dir := range cg.dirs {
		if err := os.Mkdir(dir, 0o755); err != nil {
			return nil, err
		}
		b.Cleanup(func() {
			if err := os.Remove(dir); err != nil {
				b.Errorf("removing the cgroup: %v", err)
			}
		})
	}
	for file, value := range settings {
		if err := os.WriteFile(file, []byte(value), 0o644); err != nil {
			return nil, err
		}
	}
	return cg, nil
}

// wrapper writes a script that moves itself into the cgroup, then execs
// bin, and returns its path. The shell's own start happens before it joins,
// so the cgroup accounts little more than bin.
func (cg *cgroup) wrapper(b *testing.B, bin string) string {
	var script strings.Builder
	script.WriteString("#!/bin/sh\n")
	for _, dir := range cg.dirs {
		fmt.Fprintf(&script, "echo $$ > %s || exit 1\n", filepath.Join(dir, "cgroup.procs"))
	}
	fmt.Fprintf(&script, "exec %s\n", bin)
	path := filepath.Join(b.TempDir(), "bootstrap")
	if err := os.WriteFile(path, []byte(script.String()), 0o755); err != nil {
		b.Fatal(err)
	}
	return path
}

// usage returns the CPU time the cgroup's processes have used so far.
func (cg *cgroup) usage() (time.Duration, error) {
	data, err := os.ReadFile(cg.usageFile)
	if err != nil {
		return 0, err
	}
	text := strings.TrimSpace(string(data))
	if filepath.Base(cg.usageFile) == "cpuacct.usage" {
		ns, err := strconv.ParseInt(text, 10, 64)
		return time.Duration(ns), err
	}
	for line := range strings.Lines(text) {
		if value, ok := strings.CutPrefix(strings.TrimSpace(line), "usage_usec "); ok {
			us, err := strconv.ParseInt(value, 10, 64)
			return time.Duration(us) * time.Microsecond, err
		}
	}
	return 0, fmt.Errorf("no usage_usec in %s", cg.usageFile)
}

// faults returns the page faults, minor and major, of the one process in
// the cgroup.
func (cg *cgroup) faults() (int, error) {
	procs, err := os.ReadFile(filepath.Join(cg.dirs[0], "cgroup.procs"))
	if err != nil {
		return 0, err
	}
	pids := strings.Fields(string(procs))
	if len(pids) != 1 {
		return 0, fmt.Errorf("%d processes in the cgroup, want the bootstrap alone", len(pids))
	}
	stat, err := os.ReadFile(filepath.Join("/proc", pids[0], "stat"))
	if err != nil {
		return 0, err
	}
	// proc(5): after the command name in parentheses, the fields from the
	// third, state; minflt is the 10th, majflt the 12th.
	fields := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
	if len(fields) < 10 {
		return 0, fmt.Errorf("short /proc/%s/stat", pids[0])
	}
	minor, err := strconv.Atoi(fields[10-3])
	if err != nil {
		return 0, err
	}
	major, err := strconv.Atoi(fields[12-3])
	return minor + major, err
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
