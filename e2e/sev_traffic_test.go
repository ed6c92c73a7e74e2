package e2e

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
)

// trafficBase is where every request counter starts: far from zero, so that
// rate() never limits its extrapolation at a counter's zero point, and the
// ratio of two rates over the same timestamps is the ratio of the
// increases, exactly.
const trafficBase = 10000

// routeTraffic is the request counters of one route: requests per push and
// the share of them answered 500.
type routeTraffic struct {
	perPush int
	errFrac float64
	ok, bad int
}

// traffic pushes http_requests_total{route, code="200"|"500"} for its routes
// every pushEvery, as a web service pushing its counters on the sampling
// interval would: each push adds perPush requests to each route, errFrac of
// them 500s. It pushes only when ticked (from the polling loops) or when a
// value changes, so it never races the test.
type traffic struct {
	v      *vigil
	routes map[string]*routeTraffic
	last   time.Time
	pushes int
}

// newTraffic returns a feeder for routes, each with perPush[route] requests
// per push and no errors.
func newTraffic(v *vigil, perPush map[string]int) *traffic {
	f := &traffic{v: v, routes: map[string]*routeTraffic{}}
	for r, n := range perPush {
		f.routes[r] = &routeTraffic{perPush: n, ok: trafficBase, bad: trafficBase}
	}
	return f
}

// set changes the error share of routes (route → share) and pushes at once.
// It returns the time of the push.
func (f *traffic) set(shares map[string]float64) (time.Time, error) {
	for r, s := range shares {
		rt, ok := f.routes[r]
		if !ok {
			return time.Time{}, fmt.Errorf("traffic: unknown route %s", r)
		}
		rt.errFrac = s
	}
	err := f.push()
	return f.last, err
}

// push adds one push's worth of requests to every route and sends the
// counters, all with one timestamp.
func (f *traffic) push() error {
	now := time.Now()
	if !now.After(f.last.Add(time.Millisecond)) {
		now = f.last.Add(time.Millisecond) // never the same timestamp twice
	}
	var b strings.Builder
	names := make([]string, 0, len(f.routes))
	for r := range f.routes {
		names = append(names, r)
	}
	slices.Sort(names)
	for _, r := range names {
		rt := f.routes[r]
		bad := int(float64(rt.perPush)*rt.errFrac + 0.5)
		rt.bad += bad
		rt.ok += rt.perPush - bad
		fmt.Fprintf(&b, "http_requests_total{route=%q,code=\"200\"} %d %d\n", r, rt.ok, now.UnixMilli())
		fmt.Fprintf(&b, "http_requests_total{route=%q,code=\"500\"} %d %d\n", r, rt.bad, now.UnixMilli())
	}
	res, err := f.v.api.pushText(b.String())
	if err != nil {
		return fmt.Errorf("push traffic: %w", err)
	}
	if res.Status != http.StatusNoContent {
		return fmt.Errorf("push traffic: got %s, want 204", res)
	}
	f.last = now
	f.pushes++
	return nil
}

// tick pushes again when pushEvery has passed since the last push.
func (f *traffic) tick() error {
	if time.Since(f.last) < pushEvery {
		return nil
	}
	return f.push()
}
