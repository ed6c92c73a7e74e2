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
// SIGHUP and POST /-/reload, and once at start: the rule files and the
// services files of the dependency graph. The SEV policy files of later
// issues belong in load, beside them.
//
// A reload is all-or-nothing: every file is read and validated before
// anything changes, and on any problem the running rules and graph stay and
// the error says which file and line (or which cycle).
// alerting.Manager.Load does this for the rule and services files together,
// so a services file that names an alert a rule file no longer has is a
// problem of the reload; files of other kinds must be parsed and validated
// before the rules are swapped in, and swapped in only after, so that one
// bad file keeps every running set. Reloads are serialized; safe for
// concurrent use.
type reloader struct {
	manager  *alerting.Manager
	rules    []string      // rules.files, as globs
	services []string      // dependencies.files, as globs
	policy   *policyReload // the SEV policy; nil without a SEV bridge
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
			Help: "Whether the last reload of the rule and services files (at start, on SIGHUP or POST /-/reload) succeeded.",
		}),
		successTime: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "vigil_config_last_reload_success_timestamp_seconds",
			Help: "Time of the last successful reload of the rule and services files.",
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

// load reads the rule and services files named by the globs as they match
// now, so a file added to a rules or services directory is picked up, and
// the SEV policy. The policy is read and checked first and swapped in
// last, after the rules, so that a bad file of either kind changes
// nothing.
func (r *reloader) load() error {
	policy, err := r.policy.read()
	if err != nil {
		return err
	}
	spec, err := expandLoadSpec(r.rules, r.services)
	if err != nil {
		return err
	}
	if err := r.manager.Load(spec); err != nil {
		return err
	}
	return r.policy.set(policy)
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
	groups, rules := countRules(r.manager.Groups())
	n := countGraph(r.manager.Graph())
	r.logger.Info("rules loaded", "groups", groups, "rules", rules, "graph_alerts", n.alerts, "graph_services", n.services, "graph_edges", n.edges)
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
	groups, rules := countRules(r.manager.Groups())
	fmt.Fprintf(w, "Reloaded: %s, %s", plural(groups, "group"), plural(rules, "rule"))
	if n := countGraph(r.manager.Graph()); n.services > 0 || n.edges > 0 {
		fmt.Fprintf(w, "; dependency graph: %s", n)
	}
	if r.policy != nil {
		fmt.Fprintf(w, "; SEV policy %s", r.policy.file)
	}
	fmt.Fprintln(w, ".")
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
