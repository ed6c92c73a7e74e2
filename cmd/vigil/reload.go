package main

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vigilsre/vigil/alerting"
)

// errShuttingDown refuses a reload that arrives once the server is stopping.
var errShuttingDown = errors.New("the server is shutting down")

// reloader re-reads the files a running server takes without a restart, on
// SIGHUP and POST /-/reload, and once at start. Today these are the rule
// files; the dependency graph and SEV policy files of later issues belong
// in load, beside them.
//
// A reload is all-or-nothing: every file is read and validated before
// anything changes, and on any problem the running rules stay and the error
// says which file and line. alerting.Manager.Load does this for the rule
// files; files of other kinds must be parsed and validated before the rules
// are swapped in, and swapped in only after, so that one bad file keeps
// every running set. Reloads are serialized; safe for concurrent use.
type reloader struct {
	rules    *alerting.Manager
	patterns []string // rules.files, as globs
	logger   *slog.Logger
	now      func() time.Time
	metrics  reloadMetrics

	mu      sync.Mutex // guards stopped; held for a whole reload
	stopped bool
}

// reloadMetrics report the outcome of the last reload.
type reloadMetrics struct {
	success     prometheus.Gauge // vigil_config_last_reload_successful
	successTime prometheus.Gauge // vigil_config_last_reload_success_timestamp_seconds
}

// newReloadMetrics registers the reload metrics with reg.
func newReloadMetrics(reg prometheus.Registerer) (reloadMetrics, error) {
	m := reloadMetrics{
		success: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "vigil_config_last_reload_successful",
			Help: "Whether the last reload of the rule files (at start, on SIGHUP or POST /-/reload) succeeded.",
		}),
		successTime: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "vigil_config_last_reload_success_timestamp_seconds",
			Help: "Time of the last successful reload of the rule files.",
		}),
	}
	for _, c := range []prometheus.Collector{m.success, m.successTime} {
		if err := reg.Register(c); err != nil {
			return reloadMetrics{}, fmt.Errorf("register reload metrics: %w", err)
		}
	}
	return m, nil
}

// reload loads every file and swaps the new set in, or keeps the old one
// and returns why. It logs the outcome either way.
func (r *reloader) reload() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.stopped {
		return errShuttingDown
	}
	err := r.load()
	r.record(err)
	return err
}

// load reads the rule files named by the globs as they match now, so a
// file added to a rules directory is picked up.
func (r *reloader) load() error {
	files, err := expandRuleFiles(r.patterns)
	if err != nil {
		return err
	}
	return r.rules.Load(files)
}

// record sets the metrics and logs the outcome of a reload.
func (r *reloader) record(err error) {
	if err != nil {
		r.metrics.success.Set(0)
		r.logger.Error("reload rejected; the running rules stay", "err", err)
		return
	}
	r.metrics.success.Set(1)
	r.metrics.successTime.Set(float64(r.now().UnixNano()) / 1e9)
	groups, rules := countRules(r.rules.Groups())
	r.logger.Info("rules loaded", "groups", groups, "rules", rules)
}

// stop refuses the reloads that come after it, waiting for one in flight.
func (r *reloader) stop() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.stopped = true
}

// ServeHTTP answers POST /-/reload: 200 once the new files run, 500 with
// the problem when they were rejected and the old ones still run.
func (r *reloader) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	if err := r.reload(); err != nil {
		http.Error(w, "reload rejected; the running rules stay:\n"+err.Error(), http.StatusInternalServerError)
		return
	}
	groups, rules := countRules(r.rules.Groups())
	fmt.Fprintf(w, "Reloaded: %s, %s.\n", plural(groups, "group"), plural(rules, "rule"))
}

// countRules counts the groups and the rules in them.
func countRules(groups []alerting.GroupStatus) (int, int) {
	rules := 0
	for _, g := range groups {
		rules += len(g.Rules)
	}
	return len(groups), rules
}

// plural writes n and noun, with an s unless n is 1.
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
