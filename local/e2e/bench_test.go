package e2e

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"signin/local/stack"
)

// latency is what the benchmarks add to every request the page sends
// (DevTools network emulation): a round trip as a person far from the
// region meets it, so that what is measured is how many round trips the
// page waits for in a row, not the CPU of this machine.
const latency = 150 * time.Millisecond

// visits is how many times BenchmarkReturningUser reloads the page per
// iteration; it reports the median of all of them.
const visits = 5

// markStates records, in window.stateAt, when (performance.now(), from the
// navigation's start) <main> first enters each state, and in
// window.formReadyAt when the page is signed out with the sign-in form
// in place, and in window.layoutShift the page's cumulative layout shift.
const markStates = `window.stateAt = {};
window.layoutShift = 0;
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) if (!e.hadRecentInput) window.layoutShift += e.value;
}).observe({ type: "layout-shift", buffered: true });
window.formReadyAt = 0;
new MutationObserver(() => {
  const app = document.getElementById("app");
  if (!app) return;
  const state = app.dataset.state;
  if (!(state in window.stateAt)) window.stateAt[state] = performance.now();
  if (!window.formReadyAt && state === "signed-out" && document.querySelector("#signin-button button")) {
    window.formReadyAt = performance.now();
  }
}).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ["data-state"] });`

// BenchmarkReturningUser reloads the page of a user who signed in before
// and did not sign out, with latency added to every request, and reports
// the median time from the navigation's start to the greeting (ms/greeting)
// and the longest chain of requests, each sent after the previous one's
// answer arrived, from the document to the API call that brought the
// greeting (requests/critical-path; answers from the browser's cache count
// for nothing), and how often a reload showed the sign-in form before the
// greeting (signed-out/visit, which should be 0) and the largest cumulative
// layout shift of a visit (max-CLS).
func BenchmarkReturningUser(b *testing.B) {
	st, ctx := benchTab(b)
	if err := chromedp.Do(ctx, chromedp.Navigate(st.SiteURL)); err != nil {
		b.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.WaitReady(chromedp.CSS(`#app[data-state="signed-out"] .devsignin-submit`))); err != nil {
		b.Fatal(err)
	}
	if err := chromedp.Do(ctx, signIn{name: "Ada Lovelace", email: allowedEmail}.actions()...); err != nil {
		b.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.WaitReady(chromedp.CSS(`#app[data-state="greeted"]`))); err != nil {
		b.Fatal(err)
	}
	var greeted, chains, shifts []float64
	flashes := 0
	b.ResetTimer()
	for range b.N {
		for range visits {
			log := watchRequests(ctx)
			if err := chromedp.Do(ctx, chromedp.Reload(), chromedp.WaitReady(chromedp.CSS(`#app[data-state="greeted"]`))); err != nil {
				b.Fatal(err)
			}
			at, err := chromedp.Run(ctx, chromedp.Evaluate[map[string]float64](`window.stateAt`))
			if err != nil {
				b.Fatal(err)
			}
			if _, ok := at["signed-out"]; ok {
				flashes++
			}
			greeted = append(greeted, at["greeted"])
			shift, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`window.layoutShift`))
			if err != nil {
				b.Fatal(err)
			}
			shifts = append(shifts, shift)
			chains = append(chains, float64(log.criticalPath(b, st)))
		}
	}
	b.StopTimer()
	b.ReportMetric(median(greeted), "ms/greeting")
	b.ReportMetric(median(chains), "requests/critical-path")
	b.ReportMetric(float64(flashes)/float64(len(greeted)), "signed-out/visit")
	b.ReportMetric(slices.Max(shifts), "max-CLS")
	b.ReportMetric(0, "ns/op")
}

// BenchmarkFirstVisit opens the page in a browser that has never seen it,
// with latency added to every request, and reports the median time from
// the navigation's start until the sign-in form is ready (ms/form-ready).
func BenchmarkFirstVisit(b *testing.B) {
	st, _ := benchTab(b)
	var ready []float64
	b.ResetTimer()
	for range b.N {
		ctx := emulatedTab(b)
		if err := chromedp.Do(ctx, chromedp.Navigate(st.SiteURL), chromedp.WaitReady(chromedp.CSS(`#app[data-state="signed-out"] #signin-button button`))); err != nil {
			b.Fatal(err)
		}
		at, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`window.formReadyAt`))
		if err != nil {
			b.Fatal(err)
		}
		ready = append(ready, at)
	}
	b.StopTimer()
	b.ReportMetric(median(ready), "ms/form-ready")
	b.ReportMetric(0, "ns/op")
}

// benchTab starts a stack of the benchmark's own and opens a tab on a
// browser context of its own, with the latency emulated.
func benchTab(b *testing.B) (*stack.Running, context.Context) {
	b.Helper()
	if missing != "" {
		b.Skip("skipping the browser benchmark: " + missing)
	}
	st, err := stack.Start(context.Background(), options)
	if err != nil {
		b.Fatalf("starting a stack: %v", err)
	}
	b.Cleanup(st.Close)
	return st, emulatedTab(b)
}

// emulatedTab opens a tab in a new browser context (empty storage and
// cache) that adds latency to every request and records when the page
// enters its states.
func emulatedTab(b *testing.B) context.Context {
	b.Helper()
	tabCtx, cancelTab := chromedp.NewContext(browserCtx, chromedp.WithNewBrowserContext())
	ctx, cancel := context.WithTimeout(tabCtx, 5*time.Minute)
	b.Cleanup(func() { cancel(); cancelTab() })
	if err := chromedp.Do(ctx, onEveryDocument(markStates), chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, emulateNetworkConditions, network.OverrideNetworkStateParams{
			Latency: float64(latency.Milliseconds()), DownloadThroughput: -1, UploadThroughput: -1,
		})
		return err
	})); err != nil {
		b.Fatalf("opening a tab: %v", err)
	}
	return ctx
}

// emulateNetworkConditions is DevTools' Network.emulateNetworkConditions,
// which Debian's Chromium offers; cdproto has only its successor,
// emulateNetworkConditionsByRule, which that Chromium rejects. Its
// parameters are those of Network.overrideNetworkState.
var emulateNetworkConditions = cdp.Command[network.OverrideNetworkStateParams, cdp.Empty]{Method: "Network.emulateNetworkConditions"}

// exchange is one request the browser sent, as DevTools reports it.
type exchange struct {
	url, method string
	document    bool
	// start and end are when it was sent and when its answer was
	// complete, in seconds of DevTools' monotonic clock.
	start, end float64
	// cached says the answer came from the browser's cache, with no round
	// trip.
	cached bool
	// preflighted says a CORS preflight (OPTIONS) went before it.
	preflighted bool
}

// requestLog collects the requests of one page load.
type requestLog struct {
	mu       sync.Mutex
	byID     map[network.RequestID]*exchange
	order    []network.RequestID
	cancel   context.CancelFunc
	finished bool
}

// watchRequests starts collecting the tab's requests.
func watchRequests(ctx context.Context) *requestLog {
	l := &requestLog{byID: map[network.RequestID]*exchange{}}
	lctx, cancel := context.WithCancel(ctx)
	l.cancel = cancel
	_ = chromedp.Listen(lctx, func(ev any) {
		l.mu.Lock()
		defer l.mu.Unlock()
		if l.finished {
			return
		}
		switch ev := ev.(type) {
		case *network.EventRequestWillBeSent:
			if _, ok := l.byID[ev.RequestID]; !ok {
				l.order = append(l.order, ev.RequestID)
			}
			l.byID[ev.RequestID] = &exchange{url: ev.Request.URL, method: ev.Request.Method, document: ev.Type == network.ResourceTypeDocument, start: ev.Timestamp.Float64()}
		case *network.EventRequestServedFromCache:
			if x := l.byID[ev.RequestID]; x != nil {
				x.cached = true
			}
		case *network.EventResponseReceived:
			if x := l.byID[ev.RequestID]; x != nil {
				x.end = ev.Timestamp.Float64()
				x.cached = x.cached || ev.Response.FromDiskCache || ev.Response.FromPrefetchCache
			}
		case *network.EventLoadingFinished:
			if x := l.byID[ev.RequestID]; x != nil {
				x.end = ev.Timestamp.Float64()
			}
		}
	})
	return l
}

// criticalPath stops collecting and returns the number of round trips, one
// after the other, from the document's answer to that of the load's last
// GET to the API (on the site's /api or at the API's own address): the
// longest chain of requests in which each was sent after the previous one's
// answer had arrived. A request answered from the browser's cache adds
// nothing; a CORS preflight adds one.
func (l *requestLog) criticalPath(b *testing.B, st *stack.Running) int {
	b.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.finished = true
	l.cancel()
	var xs, preflights []*exchange
	for _, id := range l.order {
		switch x := l.byID[id]; {
		case x.end == 0:
		case x.method == "OPTIONS":
			preflights = append(preflights, x)
		default:
			xs = append(xs, x)
		}
	}
	// DevTools adds no latency to a CORS preflight, which it reports
	// inside its request's time; on a network it is a round trip of its
	// own before the request.
	for _, p := range preflights {
		for _, x := range xs {
			if x.url == p.url && x.start <= p.start && p.start <= x.end {
				x.preflighted = true
			}
		}
	}
	slices.SortFunc(xs, func(a, b *exchange) int { return compare(a.start, b.start) })
	doc := slices.IndexFunc(xs, func(x *exchange) bool { return x.document })
	api := -1
	for i, x := range xs {
		if x.method == "GET" && (strings.HasPrefix(x.url, st.APIURL) || strings.HasPrefix(x.url, st.SiteURL+"/api")) {
			api = i
		}
	}
	if doc < 0 || api < 0 {
		b.Fatalf("the load has no document or no API call among %d requests", len(xs))
	}
	depth := make([]int, len(xs))
	for i := doc + 1; i < len(xs); i++ {
		depth[i] = -1
		for j := doc; j < i; j++ {
			if depth[j] >= 0 && xs[j].end <= xs[i].start && depth[j] > depth[i] {
				depth[i] = depth[j]
			}
		}
		if depth[i] >= 0 && !xs[i].cached {
			depth[i]++
		}
		if depth[i] >= 0 && xs[i].preflighted {
			depth[i]++
		}
	}
	return depth[api]
}

func compare(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Sorted(slices.Values(v))
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
