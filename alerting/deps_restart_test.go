package alerting

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/prometheus/prometheus/promql"
)

// TestRestartKeepsDependentSuppressed restarts Vigil while WebErrors is
// suppressed by MetadataDBDown, both still failing: the new Manager, under
// Run, must never hand WebErrors over unsuppressed, although the
// services' group evaluates before the database's.
func TestRestartKeepsDependentSuppressed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		dir := t.TempDir()
		spec := restartSpec(t, dir)
		q := newFakeQuerier()
		n := &fakeNotifier{}
		now := time.Now()
		forState := func(series string) promql.Series { // active 5m ago, last written 30s ago
			return promql.Series{Metric: ls(t, series), Floats: []promql.FPoint{{T: now.Add(-30 * time.Second).UnixMilli(), F: float64(now.Add(-5 * time.Minute).Unix())}}}
		}
		web := `ALERTS_FOR_STATE{alertname="WebErrors",region="us-east"}`
		db := `ALERTS_FOR_STATE{alertname="MetadataDBDown",region="us-east",service="metadata-db"}`
		q.matrix(`{__name__="ALERTS_FOR_STATE",alertname="WebErrors"}[1h]`, forState(web))
		q.matrix(`{__name__="ALERTS_FOR_STATE",alertname="MetadataDBDown",service="metadata-db"}[1h]`, forState(db))
		q.vector(`{__name__="ALERTS_FOR_STATE",alertname="WebErrors"}`, sample(t, web, 0))
		q.vector(`{__name__="ALERTS_FOR_STATE",alertname="MetadataDBDown",service="metadata-db"}`, sample(t, db, 0))
		q.vector(`web_errors > 0`, sample(t, `web_errors{region="us-east"}`, 5))
		q.vector(`db_up == 0`, sample(t, `db_up{region="us-east"}`, 0))
		m, err := NewManager(Options{Query: q, Writer: &fakeWriter{}, Notifier: n, Logger: slog.New(slog.NewTextHandler(t.Output(), nil))})
		if err != nil {
			t.Fatal(err)
		}
		if err := m.Load(spec); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan struct{})
		go func() {
			m.Run(ctx)
			close(done)
		}()
		time.Sleep(time.Minute)
		synctest.Wait()
		cancel()
		<-done
		got := renderCalls(n)
		if strings.Count(got, webAlert+" firing suppressed by "+dbCause+"\n") != 6 || strings.Contains(got, webAlert+" firing\n") {
			t.Fatalf("notified after the restart:\n%s", got)
		}
		if strings.Count(got, dbAlert+" firing\n") != 6 {
			t.Fatalf("notified after the restart:\n%s", got)
		}
	})
}

// restartSpec writes WebErrors (group "services") and MetadataDBDown (a
// group named so that, in this directory, its slot comes after the
// services' within the 10s interval) to dir.
func restartSpec(t *testing.T, dir string) LoadSpec {
	path := filepath.Join(dir, "rules.yml")
	services := &group{name: "services", file: path, interval: 10 * time.Second}
	name := "database"
	for i := 0; (&group{name: name, file: path, interval: 10 * time.Second}).offset() <= services.offset(); i++ {
		name = "database-" + strings.Repeat("x", i)
	}
	rules := `
groups:
  - name: services
    rules:
      - alert: WebErrors
        expr: web_errors > 0
        for: 20s
        depends_on: [{alert: MetadataDBDown, match: [region]}]
  - name: ` + name + `
    rules:
      - alert: MetadataDBDown
        expr: db_up == 0
        for: 20s
        labels: {service: metadata-db}
`
	if err := os.WriteFile(path, []byte(rules), 0o600); err != nil {
		t.Fatal(err)
	}
	return LoadSpec{RuleFiles: []string{path}}
}

// renderCalls renders every Notify call of n as harness.notes does.
func renderCalls(n *fakeNotifier) string {
	h := &harness{n: n}
	return h.notes()
}
