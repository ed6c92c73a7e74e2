package depgraph

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
)

// Build validates the alerts and services and compiles them into a Graph.
// Every problem is reported, joined with errors.Join: an *Error for each
// unknown alert or service (naming the file and line of the reference) or
// invalid entry, sorted by file and line, then a *CycleError for each
// cycle. Specs that share an alert
// name are one node (depends_on lists add up; ignore_service_dependencies
// holds if any sets it). Build does not modify its arguments.
func Build(alerts []AlertSpec, svcs []Services) (*Graph, error) {
	b := &builder{g: &Graph{alertIdx: map[string]int32{}, svcIdx: map[string]int32{}}}
	b.collectAlerts(alerts)
	b.collectServices(svcs)
	b.number()
	b.linkMembers()
	b.linkDependsOn()
	b.linkServices()
	slices.SortStableFunc(b.errs, cmpErrors)
	b.errs = append(b.errs, b.g.cycles()...)
	if len(b.errs) > 0 {
		return nil, errors.Join(b.errs...)
	}
	b.g.compile()
	return b.g, nil
}

// builder holds Build's state: the graph being built, the merged
// declarations, and the problems found so far.
type builder struct {
	g       *Graph
	specs   []*AlertSpec // merged, one per name, sorted by name after number
	svcs    []declaredService
	errs    []error
	members map[[2]int32]memberDecl // (alert, service) → where declared
}

// declaredService is a service with the label of the file that declared it.
type declaredService struct {
	Service
	label string
}

// memberDecl is the declaration of one static membership.
type memberDecl struct {
	file string
	line int
}

func (b *builder) fail(file string, line int, format string, args ...any) {
	b.errs = append(b.errs, &Error{File: file, Line: line, Msg: fmt.Sprintf(format, args...)})
}

// collectAlerts merges the specs by name.
func (b *builder) collectAlerts(alerts []AlertSpec) {
	byName := map[string]*AlertSpec{}
	for _, a := range alerts {
		if a.Name == "" {
			b.fail(a.File, a.Line, "alert without a name")
			continue
		}
		m, ok := byName[a.Name]
		if !ok {
			m = &AlertSpec{Name: a.Name, File: a.File, Line: a.Line}
			byName[a.Name] = m
			b.specs = append(b.specs, m)
		}
		m.DependsOn = append(m.DependsOn, a.DependsOn...)
		m.Services = append(m.Services, a.Services...)
		m.IgnoreServiceDependencies = m.IgnoreServiceDependencies || a.IgnoreServiceDependencies
	}
	slices.SortFunc(b.specs, func(x, y *AlertSpec) int { return cmpString(x.Name, y.Name) })
}

// collectServices gathers the services of every file, rejecting duplicates.
func (b *builder) collectServices(files []Services) {
	seen := map[string]declaredService{}
	for _, f := range files {
		label := f.ServiceLabel
		if label == "" {
			label = DefaultServiceLabel
		}
		for _, s := range f.Services {
			if s.Name == "" {
				b.fail(s.File, s.Line, "service without a name")
				continue
			}
			if prev, ok := seen[s.Name]; ok {
				b.fail(s.File, s.Line, "service %q already declared at %s", s.Name, where(prev.File, prev.Line))
				continue
			}
			seen[s.Name] = declaredService{Service: s, label: label}
			b.svcs = append(b.svcs, seen[s.Name])
		}
	}
	slices.SortFunc(b.svcs, func(x, y declaredService) int { return cmpString(x.Name, y.Name) })
}

// number assigns node ids: alerts 0..n-1 by name, then an in and an out
// node per service (see Graph).
func (b *builder) number() {
	g := b.g
	for i, a := range b.specs {
		g.alertIdx[a.Name] = int32(i)
		g.names = append(g.names, a.Name)
		g.alerts = append(g.alerts, alertNode{ignore: a.IgnoreServiceDependencies})
		g.nodes = append(g.nodes, Node{Name: a.Name, Kind: KindAlert, File: a.File, Line: a.Line})
	}
	for j, s := range b.svcs {
		g.svcIdx[s.Name] = int32(j)
		g.names = append(g.names, s.Name, s.Name)
		g.svcs = append(g.svcs, serviceNode{label: s.label})
		g.nodes = append(g.nodes, Node{Name: s.Name, Kind: KindService, File: s.File, Line: s.Line})
		if !slices.Contains(g.svcLabels, s.label) {
			g.svcLabels = append(g.svcLabels, s.label)
		}
	}
	g.adj = make([][]hop, len(g.names))
	g.sets, g.conds = newLabelSets(), newCondSets()
	b.members = map[[2]int32]memberDecl{}
}

// linkMembers records static memberships: from the alerts' Services and
// from the services' alerts lists.
func (b *builder) linkMembers() {
	for i, a := range b.specs {
		for _, s := range a.Services {
			j, ok := b.g.svcIdx[s]
			if !ok {
				b.fail(a.File, a.Line, "alert %q belongs to unknown service %q", a.Name, s)
				continue
			}
			b.addMember(int32(i), j, a.File, a.Line)
		}
	}
	for j, s := range b.svcs {
		for k, name := range s.Alerts {
			line := s.alertLine(k)
			i, ok := b.g.alertIdx[name]
			if !ok {
				b.fail(s.File, line, "service %q lists unknown alert %q", s.Name, name)
				continue
			}
			b.addMember(i, int32(j), s.File, line)
		}
	}
	b.addMemberEdges()
}

func (b *builder) addMember(alert, svc int32, file string, line int) {
	key := [2]int32{alert, svc}
	if _, dup := b.members[key]; dup {
		return
	}
	b.members[key] = memberDecl{file: file, line: line}
	g := b.g
	g.alerts[alert].services = append(g.alerts[alert].services, svc)
	g.svcs[svc].members = append(g.svcs[svc].members, alert)
}

// addMemberEdges adds the hops of static memberships, sorted, and their
// public edges.
func (b *builder) addMemberEdges() {
	g := b.g
	for i := range g.alerts {
		a := &g.alerts[i]
		slices.Sort(a.services)
		for _, j := range a.services {
			d := b.members[[2]int32{int32(i), j}]
			g.edges = append(g.edges, Edge{From: g.names[i], To: g.svcName(j), Kind: EdgeMember, File: d.file, Line: d.line})
			if !a.ignore {
				g.adj[i] = append(g.adj[i], hop{to: g.inNode(j), ls: lsTop, group: -1, kind: hopMember})
			}
		}
	}
	for j := range g.svcs {
		slices.Sort(g.svcs[j].members)
		out := g.outNode(int32(j))
		g.adj[out] = append(g.adj[out], hop{to: g.inNode(int32(j)), ls: lsTop, group: -1, kind: hopUp})
		for _, m := range g.svcs[j].members {
			g.adj[out] = append(g.adj[out], hop{to: m, ls: lsTop, group: -1, kind: hopContains})
		}
	}
}

// linkDependsOn adds the alerts' depends_on hops and edges.
func (b *builder) linkDependsOn() {
	for i, a := range b.specs {
		for _, d := range a.DependsOn {
			b.linkDependency(int32(i), a.Name, d)
		}
	}
}

func (b *builder) linkDependency(from int32, name string, d Dependency) {
	g := b.g
	if (d.Alert == "") == (len(d.AllOf) == 0) {
		b.fail(d.File, d.Line, "depends_on entry of alert %q needs exactly one of alert and all_of", name)
		return
	}
	targets, group := []string{d.Alert}, int32(-1)
	if len(d.AllOf) > 0 {
		targets, group = d.AllOf, int32(len(g.groups))
	}
	ids := b.resolveAlerts(name, targets, d)
	if len(ids) < len(targets) {
		return
	}
	if group >= 0 {
		g.groups = append(g.groups, ids)
	}
	ls := g.sets.intern(d.Match)
	for k, to := range ids {
		g.adj[from] = append(g.adj[from], hop{to: to, ls: ls, group: group, kind: hopDepends})
		e := Edge{From: name, To: targets[k], Kind: EdgeDependsOn, Match: g.sets.sets[ls], File: d.File, Line: d.Line}
		if group >= 0 {
			e.AllOf = slices.Clone(d.AllOf)
		}
		g.edges = append(g.edges, e)
	}
}

// resolveAlerts returns the ids of the named alerts, reporting unknown ones.
func (b *builder) resolveAlerts(name string, targets []string, d Dependency) []int32 {
	var ids []int32
	for _, t := range targets {
		id, ok := b.g.alertIdx[t]
		if !ok {
			b.fail(d.File, d.Line, "alert %q depends on unknown alert %q", name, t)
			continue
		}
		ids = append(ids, id)
	}
	return ids
}

// linkServices adds the service → service hops and edges.
func (b *builder) linkServices() {
	g := b.g
	for j, s := range b.svcs {
		for _, d := range s.DependsOn {
			k, ok := g.svcIdx[d.Service]
			if !ok {
				b.fail(d.File, d.Line, "service %q depends on unknown service %q", s.Name, d.Service)
				continue
			}
			ls := g.sets.intern(d.Match)
			in := g.inNode(int32(j))
			g.adj[in] = append(g.adj[in], hop{to: g.outNode(k), ls: ls, group: -1, kind: hopService})
			g.edges = append(g.edges, Edge{From: s.Name, To: d.Service, Kind: EdgeService, Match: g.sets.sets[ls], File: d.File, Line: d.Line})
		}
	}
}

// alertLine returns the line of the k-th entry of the alerts list, or the
// service's line when ParseServices did not record it.
func (s declaredService) alertLine(k int) int {
	if k < len(s.alertLines) && s.alertLines[k] > 0 {
		return s.alertLines[k]
	}
	return s.Line
}

// cmpErrors orders *Errors by file and line.
func cmpErrors(a, b error) int {
	x, y := a.(*Error), b.(*Error)
	if c := cmpString(x.File, y.File); c != 0 {
		return c
	}
	return x.Line - y.Line
}

// where formats a declaration's position for messages.
func where(file string, line int) string {
	if file == "" {
		return "line " + strconv.Itoa(line)
	}
	return file + ":" + strconv.Itoa(line)
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
