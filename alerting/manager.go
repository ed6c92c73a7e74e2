package alerting

import (
	"context"
	"errors"
	"sync"

	"github.com/prometheus/prometheus/promql/parser"
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

	mu     sync.Mutex // guards groups
	groups []*group   // the rule set in effect, in file and group order
}

// reload is a rule set handed to Run; done is closed once it is in effect.
type reload struct {
	groups []*group
	done   chan struct{}
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

// Load reads and validates every file and swaps the rule set in at once.
// Entries with a glob metacharacter (*, ?, [) are expanded here; others are
// paths. On error the rules in effect stay and the error (one *FileError
// per problem, joined) names file, line and reason. A group that did not
// change keeps running untouched; in a changed group, rules whose name,
// expression and labels did not change keep their alerts (see copyState).
// The rules loaded before Run first starts restore their alerts from
// ALERTS_FOR_STATE at their first evaluation.
func (m *Manager) Load(files []string) error {
	m.loadMu.Lock()
	defer m.loadMu.Unlock()
	groups, err := m.build(files)
	if err != nil {
		m.env.metrics.reloadOK.Set(0)
		return err
	}
	m.handOver(groups)
	m.env.metrics.reloadOK.Set(1)
	m.env.metrics.reloadTime.Set(float64(m.env.now().UnixNano()) / 1e9)
	return nil
}

// build reads the files and builds their groups.
func (m *Manager) build(files []string) ([]*group, error) {
	parsed, errs := readRuleFiles(files, m.parser, m.env.logger)
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	m.runMu.Lock()
	restored := m.started
	m.runMu.Unlock()
	var groups []*group
	for _, f := range parsed {
		for _, rg := range f.groups {
			g, err := newGroup(f.path, rg, m.env, m.parser, restored)
			if err != nil {
				return nil, err
			}
			groups = append(groups, g)
		}
	}
	return groups, nil
}

// handOver puts groups in effect: through Run when it runs, else here.
func (m *Manager) handOver(groups []*group) {
	for {
		m.runMu.Lock()
		if !m.running {
			m.apply(groups, nil)
			m.runMu.Unlock()
			return
		}
		reloads, stopping := m.reloads, m.stopping
		m.runMu.Unlock()
		r := reload{groups: groups, done: make(chan struct{})}
		select {
		case reloads <- r:
			<-r.done
			return
		case <-stopping: // Run is returning; try again without it
		}
	}
}

// Run evaluates every group, each in its own goroutine on its own
// schedule, until ctx is done; it returns after every group goroutine has
// stopped. Rule sets loaded meanwhile take effect through it. A second
// concurrent Run returns at once.
func (m *Manager) Run(ctx context.Context) {
	reloads, ok := m.startRun(ctx)
	if !ok {
		m.env.logger.Error("alerting manager is already running")
		return
	}
	start := func(g *group) { g.start(ctx) }
	for {
		select {
		case r := <-reloads:
			m.apply(r.groups, start)
			close(r.done)
		case <-ctx.Done():
			m.stopRun()
			return
		}
	}
}

// startRun marks the Manager running and starts its groups.
func (m *Manager) startRun(ctx context.Context) (chan reload, bool) {
	m.runMu.Lock()
	defer m.runMu.Unlock()
	if m.running {
		return nil, false
	}
	m.running, m.started = true, true
	m.reloads, m.stopping = make(chan reload), make(chan struct{})
	for _, g := range m.current() {
		g.start(ctx)
	}
	return m.reloads, true
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

// countAlerts counts the alerts of every state, for vigil_alerts.
func (m *Manager) countAlerts() map[State]int {
	n := map[State]int{}
	for _, a := range m.Alerts() {
		n[a.State]++
	}
	return n
}
