package alerting

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"

	"github.com/vigilsre/vigil/depgraph"
)

// Manager loads rule files and evaluates their groups, each in a goroutine
// of its own while Run runs. Its methods are safe for concurrent use.
//
// Run owns the running groups: a Load while Run runs hands the new rule
// set over to Run, which stops, carries over and starts groups; a Load
// while it does not run swaps the rule set itself.
type Manager struct {
	env    *env
	parser parser.Parser

	loadMu sync.Mutex // one Load at a time, so the last Load's files win

	runMu    sync.Mutex    // guards the fields below
	running  bool          // Run is running
	started  bool          // Run has started once: rules loaded from now on are not restored
	reloads  chan reload   // while running: Load hands rule sets to Run
	stopping chan struct{} // while running: closed when Run stops taking reloads

	evalMu sync.Mutex // one Eval at a time

	mu     sync.Mutex // guards groups
	groups []*group   // the rule set in effect, in file and group order

	weightsMu sync.Mutex         // guards weights
	weights   map[string]float64 // the last service weights computed; nil: none
}

// reload is a rule set handed to Run; done is closed once it is in effect.
type reload struct {
	set  ruleSet
	done chan struct{}
}

// NewManager returns a Manager with no rules. It registers its metrics with
// opts.Registerer.
func NewManager(opts Options) (*Manager, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	opts = opts.withDefaults()
	m := &Manager{parser: newParser()}
	met, err := newMetrics(opts.Registerer, m.countAlerts)
	if err != nil {
		return nil, err
	}
	m.env = newEnv(opts, met)
	return m, nil
}

// Load reads and validates every rule file and services file of spec,
// builds the dependency graph of their alerts and services, and swaps rules
// and graph in at once. On error the rules and graph in effect stay and
// the error (one error per problem, joined: a *FileError for a rule file)
// names file, line and reason; a dependency cycle is printed. A group that
// did not change keeps running untouched; in a changed group, rules whose
// name, expression and labels did not change keep their alerts (see
// copyState). The rules loaded before Run first starts restore their
// alerts from ALERTS_FOR_STATE.
func (m *Manager) Load(spec LoadSpec) error {
	m.loadMu.Lock()
	defer m.loadMu.Unlock()
	set, err := m.build(spec)
	if err != nil {
		m.env.metrics.reloadOK.Set(0)
		return err
	}
	m.handOver(set)
	m.env.metrics.reloadOK.Set(1)
	m.env.metrics.reloadTime.Set(float64(m.env.now().UnixNano()) / 1e9)
	return nil
}

// build reads the files of spec and builds their groups and graph.
func (m *Manager) build(spec LoadSpec) (ruleSet, error) {
	parsed, graph, errs := readSpec(spec, m.parser, m.env.logger)
	if len(errs) > 0 {
		return ruleSet{}, errors.Join(errs...)
	}
	m.runMu.Lock()
	restored := m.started
	m.runMu.Unlock()
	set := ruleSet{graph: graph}
	for _, f := range parsed {
		for _, rg := range f.groups {
			g, err := newGroup(f.path, rg, m.env, m.parser, restored)
			if err != nil {
				return ruleSet{}, err
			}
			set.groups = append(set.groups, g)
		}
	}
	return set, nil
}

// handOver puts a rule set in effect: through Run when it runs, else here.
func (m *Manager) handOver(set ruleSet) {
	for {
		m.runMu.Lock()
		if !m.running {
			m.apply(set, nil)
			m.runMu.Unlock()
			return
		}
		reloads, stopping := m.reloads, m.stopping
		m.runMu.Unlock()
		r := reload{set: set, done: make(chan struct{})}
		select {
		case reloads <- r:
			<-r.done
			return
		case <-stopping: // Run is returning; try again without it
		}
	}
}

// Run evaluates every group, each in its own goroutine on its own
// schedule, until ctx is done; it returns after every goroutine it started
// has stopped. Before the groups start, every alerting rule reads its
// restore state, so that the alerts firing before a restart explain their
// dependents from the first evaluation on, whatever the order of the
// groups. With Options.Weights, it also computes the service weights every
// WeightsOptions.Interval. Rule sets loaded meanwhile take effect through
// it. A second concurrent Run returns at once.
func (m *Manager) Run(ctx context.Context) {
	reloads, ok := m.startRun()
	if !ok {
		m.env.logger.Error("alerting manager is already running")
		return
	}
	m.prefetch(ctx, m.env.now())
	m.startGroups(ctx)
	var wg sync.WaitGroup
	if m.env.weights != nil {
		wg.Go(func() { m.runWeights(ctx) })
	}
	defer wg.Wait()
	start := func(g *group) { g.start(ctx) }
	for {
		select {
		case r := <-reloads:
			m.apply(r.set, start)
			close(r.done)
		case <-ctx.Done():
			m.stopRun()
			return
		}
	}
}

// startRun marks the Manager running.
func (m *Manager) startRun() (chan reload, bool) {
	m.runMu.Lock()
	defer m.runMu.Unlock()
	if m.running {
		return nil, false
	}
	m.running, m.started = true, true
	m.reloads, m.stopping = make(chan reload), make(chan struct{})
	return m.reloads, true
}

// startGroups starts the goroutine of every group. A Load meanwhile waits
// for Run to take it, so these are the groups in effect.
func (m *Manager) startGroups(ctx context.Context) {
	m.runMu.Lock()
	defer m.runMu.Unlock()
	for _, g := range m.current() {
		g.start(ctx)
	}
}

// prefetch reads the restore state of every group's rules that did not
// restore yet, at ts, in group order, and offers it to the dependency
// decisions (see alertingRule.prefetch).
func (m *Manager) prefetch(ctx context.Context, ts time.Time) {
	for _, g := range m.current() {
		g.prefetch(ctx, ts)
	}
}

// Eval evaluates every group once at ts (not at their slots),
// synchronously, in file and group order, as Run's goroutines do, restore
// included: before evaluating, Eval reads the restore state of every rule
// that has not restored yet, as Run does when it starts. It is for tests
// and benchmarks: time is the caller's, and no weights are computed. It
// must not run while Run runs (it then logs an error and does nothing);
// Evals run one at a time.
func (m *Manager) Eval(ctx context.Context, ts time.Time) {
	m.evalMu.Lock()
	defer m.evalMu.Unlock()
	m.runMu.Lock()
	running := m.running
	m.runMu.Unlock()
	if running {
		m.env.logger.Error("alerting: Eval while Run runs; nothing evaluated")
		return
	}
	m.prefetch(ctx, ts)
	for _, g := range m.current() {
		if ctx.Err() != nil {
			return
		}
		g.eval(ctx, ts)
	}
}

// stopRun stops every group and marks the Manager stopped. No stale
// markers are written: ALERTS_FOR_STATE must survive for the restore.
func (m *Manager) stopRun() {
	m.runMu.Lock()
	defer m.runMu.Unlock()
	close(m.stopping)
	m.running, m.reloads, m.stopping = false, nil, nil
	for _, g := range m.current() {
		g.stop()
	}
}

// Groups returns a snapshot of every group, for the API, in file and group
// order.
func (m *Manager) Groups() []GroupStatus {
	groups := m.current()
	out := make([]GroupStatus, 0, len(groups))
	for _, g := range groups {
		out = append(out, g.status())
	}
	return out
}

// Alerts returns a snapshot of every pending, firing and unknown alert, by
// group and rule, then labels.
func (m *Manager) Alerts() []Alert {
	var out []Alert
	for _, g := range m.current() {
		for _, r := range g.rules {
			if ar, ok := r.(*alertingRule); ok {
				out = ar.alerts(out)
			}
		}
	}
	return out
}

// countAlerts counts the alerts of every state and the suppressed ones,
// for vigil_alerts and vigil_alerts_suppressed.
func (m *Manager) countAlerts() alertCounts {
	n := alertCounts{states: map[State]int{}}
	for _, a := range m.Alerts() {
		n.states[a.State]++
		if a.Suppressed {
			n.suppressed++
		}
	}
	return n
}

// Graph returns the dependency graph in effect: the last loaded, or an
// empty graph before the first Load. Never nil.
func (m *Manager) Graph() *depgraph.Graph {
	return m.env.deps.snapshot().graph
}

// Explain decides whether an instance of alert with labels ls is (or would
// be) suppressed by the alerts firing now, with the explanations. ls may
// lack alertname; an alert the graph does not know is never suppressed.
func (m *Manager) Explain(alert string, ls labels.Labels) depgraph.Decision {
	b := labels.NewBuilder(ls)
	b.Set(labels.AlertName, alert)
	v := m.env.deps.snapshot()
	return v.graph.Explain(depgraph.Instance{Alert: alert, Labels: b.Labels()}, v.firing)
}
