package alerting

import (
	"context"
	"errors"
	"log/slog"
	"maps"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

const callsExpr = `sum by (caller, callee) (rate(rpc_requests_total[5m]))`

// TestWeightsLoop runs the weights loop under Run: computed at start, then
// every interval; a failing query keeps the last weights.
func TestWeightsLoop(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		q := newFakeQuerier()
		reg := prometheus.NewPedanticRegistry()
		// Users send 100/s to web; web sends 50/s to db and 20/s to cache.
		q.vector(callsExpr, sample(t, `{callee="web"}`, 100), sample(t, `{caller="web",callee="db"}`, 50),
			sample(t, `{caller="web",callee="cache"}`, 20), sample(t, `{caller="web"}`, 7))
		m, err := NewManager(Options{Query: q, Writer: &fakeWriter{}, Registerer: reg, Logger: slog.New(slog.DiscardHandler),
			Weights: &WeightsOptions{Expr: callsExpr, Interval: time.Minute}})
		if err != nil {
			t.Fatal(err)
		}
		if m.Weights() != nil || m.CriticalThreshold() != 0.5 {
			t.Fatalf("before Run: weights %v, threshold %v", m.Weights(), m.CriticalThreshold())
		}
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan struct{})
		go func() {
			m.Run(ctx)
			close(done)
		}()
		synctest.Wait()
		want := map[string]float64{"web": 1, "db": 0.5, "cache": 0.2}
		if got := m.Weights(); !maps.Equal(got, want) {
			t.Fatalf("weights %v, want %v", got, want)
		}
		checkWeightMetrics(t, reg, `web 1 1`, `db 0.5 1`, `cache 0.2 0`)

		// The next computation, a minute later, sees db called less.
		q.vector(callsExpr, sample(t, `{callee="web"}`, 100), sample(t, `{caller="web",callee="db"}`, 10))
		time.Sleep(time.Minute)
		synctest.Wait()
		if got, want := m.Weights(), map[string]float64{"web": 1, "db": 0.1}; !maps.Equal(got, want) {
			t.Fatalf("weights %v, want %v", got, want)
		}
		checkWeightMetrics(t, reg, `web 1 1`, `db 0.1 0`)

		q.fail(callsExpr, errors.New("query timed out"))
		time.Sleep(time.Minute)
		synctest.Wait()
		if got, want := m.Weights(), map[string]float64{"web": 1, "db": 0.1}; !maps.Equal(got, want) {
			t.Fatalf("after a failed query: weights %v, want %v", got, want)
		}
		if got := testutil.ToFloat64(m.env.metrics.weightsFailures); got != 1 {
			t.Fatalf("weights failures %v", got)
		}
		cancel()
		<-done
		if calls := len(q.takeCalls()); calls != 3 {
			t.Fatalf("%d queries, want 3", calls)
		}
	})
}

// checkWeightMetrics compares vigil_service_weight and
// vigil_service_critical_path with rows "service weight critical".
func checkWeightMetrics(t *testing.T, reg *prometheus.Registry, rows ...string) {
	t.Helper()
	var w, c strings.Builder
	w.WriteString("# HELP vigil_service_weight Share of user-facing requests whose path reaches the service (0 to 1), from the call graph.\n# TYPE vigil_service_weight gauge\n")
	c.WriteString("# HELP vigil_service_critical_path Whether the service's weight is at least the critical threshold (1) or not (0).\n# TYPE vigil_service_critical_path gauge\n")
	for _, r := range rows {
		f := strings.Fields(r)
		w.WriteString(`vigil_service_weight{service="` + f[0] + `"} ` + f[1] + "\n")
		c.WriteString(`vigil_service_critical_path{service="` + f[0] + `"} ` + f[2] + "\n")
	}
	if err := testutil.GatherAndCompare(reg, strings.NewReader(w.String()+c.String()), "vigil_service_weight", "vigil_service_critical_path"); err != nil {
		t.Fatal(err)
	}
}

func TestWeightsOptionsValidate(t *testing.T) {
	err := Options{Query: newFakeQuerier(), Writer: &fakeWriter{},
		Weights: &WeightsOptions{Expr: "sum(", CallerLabel: "svc", CalleeLabel: "svc", Interval: -time.Second, CriticalThreshold: 1.5}}.Validate()
	want := "alerting: weights: expression: 1:5: parse error: unclosed left parenthesis\n" +
		`alerting: weights: caller and callee label are both "svc"` + "\n" +
		"alerting: weights: interval -1s is negative\n" +
		"alerting: weights: critical threshold 1.5 is not between 0 and 1"
	if err == nil || err.Error() != want {
		t.Fatalf("error:\n%v\nwant:\n%s", err, want)
	}
	if err := (WeightsOptions{}).Validate(); err == nil || err.Error() != "alerting: weights: an expression is required" {
		t.Fatalf("empty options: %v", err)
	}
	if err := (WeightsOptions{Expr: callsExpr}).Validate(); err != nil {
		t.Fatalf("defaults: %v", err)
	}
}
