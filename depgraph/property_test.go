package depgraph

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/prometheus/prometheus/model/labels"
)

// TestExplainMatchesReference checks Explain against a brute-force
// reference on random graphs and firing sets: an alert is suppressed
// exactly when a firing ancestor with matching labels exists, with the same
// causes, the same shortest path length per cause, and the same Root flags.
func TestExplainMatchesReference(t *testing.T) {
	built := 0
	for seed := range uint64(3000) {
		r := rand.New(rand.NewPCG(seed, 7))
		if checkRandomCase(t, fmt.Sprint("seed ", seed), func(n int) int { return r.IntN(n) }) {
			built++
		}
	}
	if built < 1500 {
		t.Fatalf("only %d of 3000 random graphs built; the generator makes too many cycles", built)
	}
}

// FuzzExplain is TestExplainMatchesReference driven by fuzz bytes: each
// byte is one choice of the generator (0 once they run out).
func FuzzExplain(f *testing.F) {
	for seed := range uint64(8) {
		r := rand.New(rand.NewPCG(seed, 1))
		b := make([]byte, 200)
		for i := range b {
			b[i] = byte(r.UintN(256))
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkRandomCase(t, "fuzz input", func(n int) int {
			if len(data) == 0 {
				return 0
			}
			c := int(data[0]) % n
			data = data[1:]
			return c
		})
	})
}

// checkRandomCase generates one case from the choices of pick, and
// compares Explain with the reference for every generated dependent. It
// reports whether the graph built (cycles are expected now and then).
func checkRandomCase(t *testing.T, name string, pick func(n int) int) bool {
	c := genCase(pick)
	g, err := Build(c.alerts, []Services{c.svcs})
	if err != nil {
		for _, line := range errorLines(err) {
			if !strings.HasPrefix(line, "dependency cycle: ") {
				t.Fatalf("%s: unexpected error %s", name, line)
			}
		}
		return false
	}
	firing := NewFiring()
	for _, in := range c.firing {
		firing.Add(in)
	}
	ref := &reference{c: c}
	for _, d := range c.dependents {
		got := summarize(g.Explain(d, firing))
		want := ref.explain(d)
		if got != want {
			t.Fatalf("%s: Explain(%s)\ngot:  %s\nwant: %s\ncase:\n%s", name, d, got, want, c)
		}
	}
	return true
}

// summarize prints a decision as the reference does: causes sorted, each
// with its path length and root flag, after checking the path's ends.
func summarize(d Decision) string {
	var out []string
	for _, e := range d.By {
		out = append(out, fmt.Sprintf("%s len=%d root=%v", e.Cause, len(e.Path)-1, e.Root))
		if e.Path[len(e.Path)-1] != e.Cause.Alert {
			out = append(out, "BAD PATH "+strings.Join(e.Path, " -> "))
		}
	}
	slices.Sort(out)
	return fmt.Sprintf("suppressed=%v %v", d.Suppressed, out)
}

// randomCase is a generated graph, firing set and dependents.
type randomCase struct {
	alerts     []AlertSpec
	svcs       Services
	firing     []Instance
	dependents []Instance
}

func (c randomCase) String() string {
	var b strings.Builder
	for _, a := range c.alerts {
		fmt.Fprintf(&b, "alert %s ignore=%v services=%v\n", a.Name, a.IgnoreServiceDependencies, a.Services)
		for _, d := range a.DependsOn {
			fmt.Fprintf(&b, "  depends_on alert=%q all_of=%v match=%v\n", d.Alert, d.AllOf, d.Match)
		}
	}
	for _, s := range c.svcs.Services {
		fmt.Fprintf(&b, "service %s alerts=%v\n", s.Name, s.Alerts)
		for _, d := range s.DependsOn {
			fmt.Fprintf(&b, "  depends_on %s match=%v\n", d.Service, d.Match)
		}
	}
	for _, in := range c.firing {
		fmt.Fprintf(&b, "firing %s\n", in)
	}
	return b.String()
}

var (
	genLabels = []string{"a", "b", "c"}
	genValues = []string{"1", "2"}
)

// genCase builds a random case. Alert i may depend only on alerts j < i
// and service i only on services j < i, so cycles come only through
// memberships, which Build must catch. Half the cases are layered: every
// alert belongs statically to a service, alert i to service i*nS/nA, so
// they are acyclic and full of paths through services.
func genCase(pick func(n int) int) randomCase {
	var c randomCase
	nL := 1 + pick(len(genLabels)) // fewer labels: more label sets compare
	pick = labelPicker(pick, nL)
	layered := pick(2) == 0
	nA, nS := 2+pick(9), pick(5)
	for i := range nS {
		c.svcs.Services = append(c.svcs.Services, genService(pick, i))
	}
	for i := range nA {
		c.alerts = append(c.alerts, genAlert(pick, i))
		if nS == 0 {
			continue
		}
		svc, how := pick(nS), pick(4)
		if layered { // alert i in service i*nS/nA: no cycle can form
			svc, how = i*nS/nA, pick(2)
		}
		switch how {
		case 0:
			c.alerts[i].Services = []string{svcName(svc)}
		case 1:
			c.svcs.Services[svc].Alerts = append(c.svcs.Services[svc].Alerts, alertName(i))
		}
	}
	for range pick(9) {
		in := genInstance(pick, nA, nS)
		if !slices.ContainsFunc(c.firing, func(f Instance) bool { return f.String() == in.String() }) {
			c.firing = append(c.firing, in) // a Firing keeps one of each
		}
	}
	for range 1 + pick(6) {
		c.dependents = append(c.dependents, genInstance(pick, nA, nS))
	}
	for i := range c.firing { // dependents that fire, too
		if pick(3) == 0 {
			c.dependents = append(c.dependents, c.firing[i])
		}
	}
	return c
}

func alertName(i int) string { return "A" + strconv.Itoa(i) }
func svcName(i int) string   { return "s" + strconv.Itoa(i) }

func genService(pick func(int) int, i int) Service {
	s := Service{Name: svcName(i)}
	for j := range i {
		if pick(2) == 0 {
			s.DependsOn = append(s.DependsOn, ServiceDependency{Service: svcName(j), Match: genMatch(pick)})
		}
	}
	return s
}

func genAlert(pick func(int) int, i int) AlertSpec {
	a := AlertSpec{Name: alertName(i), IgnoreServiceDependencies: pick(5) == 0}
	for j := range i {
		switch pick(8) {
		case 0, 1:
			a.DependsOn = append(a.DependsOn, Dependency{Alert: alertName(j), Match: genMatch(pick)})
		case 2:
			group := []string{alertName(j)}
			for k := range j {
				if pick(3) == 0 {
					group = append(group, alertName(k))
				}
			}
			a.DependsOn = append(a.DependsOn, Dependency{AllOf: group, Match: genMatch(pick)})
		}
	}
	return a
}

// labelPicker wraps pick so that genMatch and genInstance use only the
// first nL labels: asked for a choice among -1, it answers nL.
func labelPicker(pick func(int) int, nL int) func(int) int {
	return func(n int) int {
		if n == -1 {
			return nL
		}
		return pick(n)
	}
}

// genMatch returns a random subset of the labels; nil or empty both mean
// no restriction.
func genMatch(pick func(int) int) []string {
	var m []string
	for _, l := range genLabels[:pick(-1)] {
		if pick(2) == 0 {
			m = append(m, l)
		}
	}
	return m
}

func genInstance(pick func(int) int, nA, nS int) Instance {
	b := labels.NewScratchBuilder(5)
	name := alertName(pick(nA))
	b.Add(labels.AlertName, name)
	for _, l := range genLabels[:pick(-1)] {
		if v := pick(3); v < 2 {
			b.Add(l, genValues[v])
		}
	}
	if nS > 0 && pick(2) == 0 {
		b.Add(DefaultServiceLabel, svcName(pick(nS+1))) // s<nS> is no service
	}
	b.Sort()
	return Instance{Alert: name, Labels: b.Labels()}
}

// reference is the brute-force decision: enumerate every path from the
// dependent, following the semantics word for word.
type reference struct {
	c randomCase
}

// refState is a path being extended: its label set (nil slice with
// top=true for "all labels"), its all_of conditions and its length.
type refState struct {
	top   bool
	ls    []string
	conds []refCond
	dist  int
}

type refCond struct {
	group []string
	ls    []string
}

// then returns the state after a hop with match list m.
func (s refState) then(m []string) refState {
	n := refState{dist: s.dist + 1, conds: s.conds}
	for _, l := range m {
		if s.top || slices.Contains(s.ls, l) {
			n.ls = append(n.ls, l)
		}
	}
	return n
}

func (r *reference) explain(d Instance) string {
	best := map[int]int{} // firing index → shortest path length
	r.fromAlert(d, d.Alert, true, refState{top: true}, map[string]bool{}, best)
	var out []string
	for i, dist := range best {
		c := r.c.firing[i]
		out = append(out, fmt.Sprintf("%s len=%d root=%v", c, dist, !r.suppressed(c)))
	}
	slices.Sort(out)
	return fmt.Sprintf("suppressed=%v %v", len(out) > 0, out)
}

func (r *reference) suppressed(c Instance) bool {
	best := map[int]int{}
	r.fromAlert(c, c.Alert, true, refState{top: true}, map[string]bool{}, best)
	return len(best) > 0
}

// fromAlert follows the hops out of alert name (the dependent itself when
// start), on a simple path (seen holds the nodes on it).
func (r *reference) fromAlert(d Instance, name string, start bool, s refState, seen map[string]bool, best map[int]int) {
	spec := r.spec(name)
	if spec == nil || (!start && seen["alert "+name]) {
		return
	}
	if !start {
		seen["alert "+name] = true
		defer delete(seen, "alert "+name)
	}
	for _, dep := range spec.DependsOn {
		r.dependency(d, dep, s, seen, best)
	}
	if spec.IgnoreServiceDependencies {
		return
	}
	in := s
	in.dist++ // the hop to the service
	for _, svc := range r.memberships(name, d, start) {
		for _, sd := range r.service(svc).DependsOn {
			r.atService(d, sd.Service, in.then(sd.Match), seen, best)
		}
	}
}

// dependency follows one depends_on entry.
func (r *reference) dependency(d Instance, dep Dependency, s refState, seen map[string]bool, best map[int]int) {
	n := s.then(dep.Match)
	targets := []string{dep.Alert}
	if len(dep.AllOf) > 0 {
		targets = dep.AllOf
		n.conds = append(slices.Clip(n.conds), refCond{group: dep.AllOf, ls: n.ls})
	}
	for _, to := range targets {
		r.causes(d, func(c Instance) bool { return c.Alert == to }, n, best)
		r.fromAlert(d, to, false, n, seen, best)
	}
}

// atService handles a path arriving at service name: its members are
// causes; the path goes on to its members and its dependencies.
func (r *reference) atService(d Instance, name string, s refState, seen map[string]bool, best map[int]int) {
	if seen["service "+name] {
		return
	}
	seen["service "+name] = true
	defer delete(seen, "service "+name)
	member := refState{top: s.top, ls: s.ls, conds: s.conds, dist: s.dist + 1}
	r.causes(d, func(c Instance) bool { return slices.Contains(r.memberships(c.Alert, c, true), name) }, member, best)
	for _, a := range r.c.alerts {
		if slices.Contains(r.memberships(a.Name, Instance{}, false), name) {
			r.fromAlert(d, a.Name, false, member, seen, best)
		}
	}
	for _, sd := range r.service(name).DependsOn {
		r.atService(d, sd.Service, s.then(sd.Match), seen, best)
	}
}

// causes records every firing instance selected by is that explains d with
// path state s.
func (r *reference) causes(d Instance, is func(Instance) bool, s refState, best map[int]int) {
	for i, c := range r.c.firing {
		if !is(c) || r.same(c, d) || !r.matches(d, c, s.top, s.ls) || !r.condsHold(d, s.conds) {
			continue
		}
		if old, ok := best[i]; !ok || s.dist < old {
			best[i] = s.dist
		}
	}
}

func (r *reference) condsHold(d Instance, conds []refCond) bool {
	for _, cond := range conds {
		for _, alt := range cond.group {
			if !slices.ContainsFunc(r.c.firing, func(c Instance) bool {
				return c.Alert == alt && !r.same(c, d) && r.matches(d, c, false, cond.ls)
			}) {
				return false
			}
		}
	}
	return true
}

func (r *reference) same(a, b Instance) bool {
	return a.Alert == b.Alert && labels.Equal(a.Labels, b.Labels)
}

func (r *reference) matches(d, c Instance, top bool, ls []string) bool {
	if top {
		return labels.Equal(d.Labels, c.Labels)
	}
	for _, l := range ls {
		if d.Labels.Get(l) != c.Labels.Get(l) {
			return false
		}
	}
	return true
}

// memberships returns the services alert name belongs to: the static ones
// and, for an instance (withLabel), the one its service label names.
func (r *reference) memberships(name string, in Instance, withLabel bool) []string {
	var out []string
	if spec := r.spec(name); spec != nil {
		out = append(out, spec.Services...)
	}
	for _, s := range r.c.svcs.Services {
		if slices.Contains(s.Alerts, name) {
			out = append(out, s.Name)
		}
	}
	if v := in.Labels.Get(DefaultServiceLabel); withLabel && r.service(v) != nil {
		out = append(out, v)
	}
	return out
}

func (r *reference) spec(name string) *AlertSpec {
	for i := range r.c.alerts {
		if r.c.alerts[i].Name == name {
			return &r.c.alerts[i]
		}
	}
	return nil
}

func (r *reference) service(name string) *Service {
	for i := range r.c.svcs.Services {
		if r.c.svcs.Services[i].Name == name {
			return &r.c.svcs.Services[i]
		}
	}
	return nil
}
