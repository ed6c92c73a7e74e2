package depgraph

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// TestCyclesMatchReference checks Build's cycle errors on random graphs with
// cycles of every kind (alert-only, service-only, mixed, self-loops)
// against a brute-force model of the internal graph: one message per
// strongly connected component with a cycle, each message a simple cycle of
// declared nodes whose hops exist and that lies inside its component, and
// the same messages whatever the order of the declarations.
func TestCyclesMatchReference(t *testing.T) {
	cyclic, kinds := 0, map[string]bool{}
	for seed := range uint64(3000) {
		r := rand.New(rand.NewPCG(seed, 11))
		c := genCyclic(r)
		msgs := checkCycles(t, fmt.Sprint("seed ", seed), c, r)
		if len(msgs) > 0 {
			cyclic++
		}
		for _, m := range msgs {
			kinds[cycleKind(m)] = true
		}
	}
	if cyclic < 1000 || cyclic > 2800 || len(kinds) != 5 {
		t.Fatalf("%d of 3000 random graphs have cycles, of kinds %v; the generator needs tuning", cyclic, kinds)
	}
}

// cycleKind classifies a cycle for the generator's coverage check.
func cycleKind(c []string) string {
	alerts := 0
	for _, n := range c[:len(c)-1] {
		if strings.HasPrefix(n, "A") {
			alerts++
		}
	}
	switch {
	case len(c) == 2 && alerts == 1:
		return "alert self-loop"
	case len(c) == 2:
		return "service self-loop"
	case alerts == len(c)-1:
		return "alerts"
	case alerts == 0:
		return "services"
	}
	return "mixed"
}

// genCyclic builds random declarations in which any alert may depend on any
// alert, itself included, any service on any service, and alerts belong to
// services at random.
func genCyclic(r *rand.Rand) randomCase {
	var c randomCase
	nA, nS := 1+r.IntN(6), r.IntN(5)
	for i := range nS {
		s := Service{Name: svcName(i)}
		for j := range nS {
			if r.IntN(5) == 0 {
				s.DependsOn = append(s.DependsOn, ServiceDependency{Service: svcName(j)})
			}
		}
		c.svcs.Services = append(c.svcs.Services, s)
	}
	for i := range nA {
		c.alerts = append(c.alerts, genCyclicAlert(r, &c.svcs, i, nA))
	}
	return c
}

func genCyclicAlert(r *rand.Rand, svcs *Services, i, nA int) AlertSpec {
	a := AlertSpec{Name: alertName(i), IgnoreServiceDependencies: r.IntN(5) == 0}
	for j := range nA {
		switch r.IntN(12) {
		case 0:
			a.DependsOn = append(a.DependsOn, Dependency{Alert: alertName(j)})
		case 1:
			a.DependsOn = append(a.DependsOn, Dependency{AllOf: []string{alertName(j), alertName(r.IntN(nA))}})
		}
	}
	for k := range svcs.Services {
		switch r.IntN(6) {
		case 0:
			a.Services = append(a.Services, svcName(k))
		case 1:
			svcs.Services[k].Alerts = append(svcs.Services[k].Alerts, a.Name)
		}
	}
	return a
}

// checkCycles builds c, checks its cycle errors against the reference and
// returns them.
func checkCycles(t *testing.T, name string, c randomCase, r *rand.Rand) [][]string {
	_, err := Build(c.alerts, []Services{c.svcs})
	msgs := cycleErrors(t, name, err)
	ref := newCycleRef(c)
	comps := map[string]bool{}
	for _, m := range msgs {
		comp, problem := ref.lift(m)
		if problem != "" || comps[comp] {
			t.Fatalf("%s: cycle %s: %s (or a component reported twice)\ncase:\n%s", name, strings.Join(m, " -> "), problem, c)
		}
		comps[comp] = true
	}
	if want := ref.cyclicComponents(); len(comps) != want {
		t.Fatalf("%s: %d cycles reported, want one for each of %d components with a cycle: %v\ncase:\n%s", name, len(msgs), want, err, c)
	}
	if again := shuffledBuildError(c, r); fmt.Sprint(err) != again {
		t.Fatalf("%s: declarations in another order give\n%s\nwant\n%v", name, again, err)
	}
	return msgs
}

// cycleErrors returns the cycles of Build's error, failing on any other.
func cycleErrors(t *testing.T, name string, err error) [][]string {
	if err == nil {
		return nil
	}
	var out [][]string
	for _, line := range errorLines(err) {
		cycle, ok := strings.CutPrefix(line, "dependency cycle: ")
		if !ok {
			t.Fatalf("%s: unexpected error %s", name, line)
		}
		out = append(out, strings.Split(cycle, " -> "))
	}
	var ce *CycleError
	if !errors.As(err, &ce) {
		t.Fatalf("%s: %v is no *CycleError", name, err)
	}
	return out
}

// shuffledBuildError builds c with its alerts and services in another order.
func shuffledBuildError(c randomCase, r *rand.Rand) string {
	alerts := slices.Clone(c.alerts)
	svcs := Services{Services: slices.Clone(c.svcs.Services)}
	r.Shuffle(len(alerts), func(i, j int) { alerts[i], alerts[j] = alerts[j], alerts[i] })
	r.Shuffle(len(svcs.Services), func(i, j int) { svcs.Services[i], svcs.Services[j] = svcs.Services[j], svcs.Services[i] })
	_, err := Build(alerts, []Services{svcs})
	return fmt.Sprint(err)
}

// cycleRef is the internal graph as the Graph doc describes it, built
// independently: nodes "a:NAME", "in:NAME", "out:NAME", and its transitive
// closure.
type cycleRef struct {
	c     randomCase
	ids   map[string]int
	reach [][]bool
}

func newCycleRef(c randomCase) *cycleRef {
	r := &cycleRef{c: c, ids: map[string]int{}}
	for _, a := range c.alerts {
		r.id("a:" + a.Name)
	}
	for _, s := range c.svcs.Services {
		r.id("in:" + s.Name)
		r.id("out:" + s.Name)
	}
	r.reach = make([][]bool, len(r.ids))
	for i := range r.reach {
		r.reach[i] = make([]bool, len(r.ids))
	}
	r.addHops()
	r.close()
	return r
}

func (r *cycleRef) id(node string) int {
	if _, ok := r.ids[node]; !ok {
		r.ids[node] = len(r.ids)
	}
	return r.ids[node]
}

func (r *cycleRef) hop(from, to string) { r.reach[r.ids[from]][r.ids[to]] = true }

// addHops adds the hops: depends_on, membership (unless ignored), service
// depends_on from in to out, out to in, and out to each member.
func (r *cycleRef) addHops() {
	for _, a := range r.c.alerts {
		for _, d := range a.DependsOn {
			for _, to := range append([]string{d.Alert}, d.AllOf...) {
				if to != "" {
					r.hop("a:"+a.Name, "a:"+to)
				}
			}
		}
	}
	for _, s := range r.c.svcs.Services {
		r.hop("out:"+s.Name, "in:"+s.Name)
		for _, d := range s.DependsOn {
			r.hop("in:"+s.Name, "out:"+d.Service)
		}
		for _, a := range r.c.alerts {
			if r.member(a.Name, s.Name) {
				r.hop("out:"+s.Name, "a:"+a.Name)
				if !a.IgnoreServiceDependencies {
					r.hop("a:"+a.Name, "in:"+s.Name)
				}
			}
		}
	}
}

func (r *cycleRef) member(alert, svc string) bool {
	a := r.spec(alert)
	s := r.svc(svc)
	return a != nil && s != nil && (slices.Contains(a.Services, svc) || slices.Contains(s.Alerts, alert))
}

func (r *cycleRef) spec(name string) *AlertSpec {
	i := slices.IndexFunc(r.c.alerts, func(a AlertSpec) bool { return a.Name == name })
	if i < 0 {
		return nil
	}
	return &r.c.alerts[i]
}

func (r *cycleRef) svc(name string) *Service {
	i := slices.IndexFunc(r.c.svcs.Services, func(s Service) bool { return s.Name == name })
	if i < 0 {
		return nil
	}
	return &r.c.svcs.Services[i]
}

// close computes the transitive closure (Floyd–Warshall).
func (r *cycleRef) close() {
	for k := range r.reach {
		for i := range r.reach {
			for j := range r.reach {
				r.reach[i][j] = r.reach[i][j] || r.reach[i][k] && r.reach[k][j]
			}
		}
	}
}

// component names the strongly connected component of node v: its smallest
// member id.
func (r *cycleRef) component(v int) string {
	for u := range r.reach {
		if u == v || r.reach[u][v] && r.reach[v][u] {
			return fmt.Sprint(u)
		}
	}
	return ""
}

// cyclicComponents counts the components that hold a cycle.
func (r *cycleRef) cyclicComponents() int {
	comps := map[string]bool{}
	for v := range r.reach {
		if r.reach[v][v] {
			comps[r.component(v)] = true
		}
	}
	return len(comps)
}

// lift maps a reported cycle onto internal nodes. It returns the component
// holding them all, or a problem: a node named twice, a hop that does not
// exist, a service entered at its in node and left from its out node
// (only a second visit joins them), or nodes of several components.
func (r *cycleRef) lift(c []string) (comp, problem string) {
	n := len(c) - 1
	if n < 1 || c[0] != c[n] {
		return "", "not closed"
	}
	if len(slices.Compact(slices.Sorted(slices.Values(c[:n])))) != n {
		return "", "a node named twice"
	}
	var nodes []int
	for i := range n {
		enter, err := r.hopKind(c[(i+n-1)%n], c[i])
		leave, err2 := r.hopKind(c[i], c[i+1])
		if err != "" || err2 != "" {
			return "", err + err2
		}
		v, problem := r.visit(c[i], enter, leave)
		if problem != "" {
			return "", problem
		}
		nodes = append(nodes, v...)
	}
	return r.oneComponent(nodes)
}

// hopKind returns the kind of the declared hop from a to b: "depends",
// "member" (alert to service), "service" or "contains" (service to member
// alert), or a problem.
func (r *cycleRef) hopKind(a, b string) (string, string) {
	fromAlert, toAlert := r.spec(a) != nil, r.spec(b) != nil
	switch {
	case fromAlert && toAlert && r.dependsOn(a, b):
		return "depends", ""
	case fromAlert && !toAlert && r.member(a, b) && !r.spec(a).IgnoreServiceDependencies:
		return "member", ""
	case !fromAlert && !toAlert && r.svc(a) != nil && slices.ContainsFunc(r.svc(a).DependsOn, func(d ServiceDependency) bool { return d.Service == b }):
		return "service", ""
	case !fromAlert && toAlert && r.member(b, a):
		return "contains", ""
	}
	return "", "no hop " + a + " -> " + b
}

func (r *cycleRef) dependsOn(a, b string) bool {
	return slices.ContainsFunc(r.spec(a).DependsOn, func(d Dependency) bool { return d.Alert == b || slices.Contains(d.AllOf, b) })
}

// visit returns the internal nodes of one visit to node, entered and left
// by hops of the given kinds.
func (r *cycleRef) visit(node, enter, leave string) ([]int, string) {
	if r.spec(node) != nil {
		return []int{r.ids["a:"+node]}, ""
	}
	if enter == "member" && leave == "contains" {
		return nil, "service " + node + " entered at its in node and left from its out node"
	}
	var out []int
	if enter == "service" || leave == "contains" {
		out = append(out, r.ids["out:"+node])
	}
	if enter == "member" || leave == "service" {
		out = append(out, r.ids["in:"+node])
	}
	return out, ""
}

func (r *cycleRef) oneComponent(nodes []int) (string, string) {
	comp := r.component(nodes[0])
	for _, v := range nodes {
		if !r.reach[v][v] || r.component(v) != comp {
			return "", "nodes of several components, or on no cycle"
		}
	}
	return comp, ""
}

// TestSimplify cuts hand-made internal cycles of the graph web <-> db, with
// WebErrors of web, down to simple ones. Build only meets cycles that pass
// a service's in node first (a shortest cycle never goes out ... in, the
// service's own hop being shorter), so the other order is tested here.
func TestSimplify(t *testing.T) {
	g := &Graph{alerts: make([]alertNode, 1), names: []string{"WebErrors", "db", "db", "web", "web"}} // the node ids only
	const we, dbIn, dbOut, webIn, webOut = 0, 1, 2, 3, 4
	for _, tt := range []struct {
		name  string
		cycle []step
		want  string
	}{
		{"simple", []step{{webIn, hopUp}, {dbOut, hopService}, {dbIn, hopUp}, {webOut, hopService}}, "web -> db -> web"},
		{"in before out: keep what lies between", []step{{we, hopContains}, {webIn, hopMember}, {dbOut, hopService}, {dbIn, hopUp}, {webOut, hopService}}, "web -> db -> web"},
		{"out before in: skip what lies between", []step{{webOut, hopService}, {we, hopContains}, {webIn, hopMember}, {dbOut, hopService}, {dbIn, hopUp}}, "web -> db -> web"},
		{"an alert", []step{{we, hopDepends}}, "WebErrors -> WebErrors"},
	} {
		got := strings.Join(g.cycleNames(g.simplify(tt.cycle)), " -> ")
		if got != tt.want {
			t.Errorf("%s: got %s, want %s", tt.name, got, tt.want)
		}
	}
}
