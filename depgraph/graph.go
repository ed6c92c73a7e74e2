package depgraph

import (
	"slices"
	"sync"

	"github.com/prometheus/prometheus/model/labels"
)

// Node kinds, the values of Node.Kind.
const (
	KindAlert   = "alert"
	KindService = "service"
)

// Edge kinds, the values of Edge.Kind.
const (
	// EdgeDependsOn goes from an alert to an alert it depends on.
	EdgeDependsOn = "depends_on"
	// EdgeMember goes from an alert to a service it belongs to statically.
	EdgeMember = "member"
	// EdgeService goes from a service to a service it depends on.
	EdgeService = "service"
)

// Node is one node of the graph: an alert name or a service.
type Node struct {
	Name string `json:"name"`
	Kind string `json:"kind"` // KindAlert or KindService
	File string `json:"file"`
	Line int    `json:"line"`
}

// Edge is one declared edge of the graph, from the dependent to what it
// depends on. An all_of dependency yields one edge per alternative, each
// carrying the whole group in AllOf. Membership by service label is decided
// per instance and has no edge. Its JSON (see MarshalJSON) always has
// match, [] for none.
type Edge struct {
	From  string   `json:"from"`
	To    string   `json:"to"`
	Kind  string   `json:"kind"` // EdgeDependsOn, EdgeMember or EdgeService
	Match []string `json:"match"`
	AllOf []string `json:"allOf,omitempty"`
	File  string   `json:"file,omitempty"`
	Line  int      `json:"line,omitempty"`
}

// Graph is the validated dependency graph of alerts and services. It is
// immutable after Build and safe for concurrent use.
//
// Internally every alert is one node and every service two: its in node
// stands for "what the service depends on" (a member alert's hop leads
// there) and its out node for "the service as a cause" (a service hop leads
// there; its member alerts are causes, and a zero-length hop continues to
// its in node, so chains of services are followed). Splitting the service
// keeps two alerts of one service from explaining each other. Ids: alert i
// is i; service j has in node nA+2j and out node nA+2j+1.
//
// Build precomputes, for every alert and every service in node, the
// closure Explain reads (see closure.go), so a decision looks only at the
// firing instances and never walks the graph.
type Graph struct {
	nodes []Node
	edges []Edge

	alertIdx  map[string]int32
	svcIdx    map[string]int32
	alerts    []alertNode
	svcs      []serviceNode
	svcLabels []string // distinct service label names, in first-seen order

	names  []string // per node id
	adj    [][]hop  // per node id, from dependent to cause
	groups [][]int32
	sets   *labelSets
	conds  *condSets

	alertCl []closure // per alert: its depends_on closure and service portals
	svcCl   []closure // per service: the closure of its in node

	pool sync.Pool // of *explainer
}

// alertNode is an alert's static facts.
type alertNode struct {
	services []int32 // static memberships, sorted
	ignore   bool    // ignore_service_dependencies
}

// serviceNode is a service's static facts.
type serviceNode struct {
	label   string  // the label naming an instance's service
	members []int32 // static member alerts, sorted
}

// Hop kinds of the internal graph.
const (
	hopDepends  uint8 = iota // alert → alert (depends_on)
	hopMember                // alert → service in node (membership)
	hopService               // service in → service out (service depends_on)
	hopUp                    // service out → its own in node, zero length
	hopContains              // service out → a static member alert
)

// hop is one edge of the internal graph.
type hop struct {
	to    int32
	ls    int32 // the hop's match set; lsTop for membership, up, contains
	group int32 // all_of group, or -1
	kind  uint8
}

func (g *Graph) inNode(svc int32) int32    { return int32(len(g.alerts)) + 2*svc }
func (g *Graph) outNode(svc int32) int32   { return g.inNode(svc) + 1 }
func (g *Graph) isAlert(node int32) bool   { return node < int32(len(g.alerts)) }
func (g *Graph) svcOf(node int32) int32    { return (node - int32(len(g.alerts))) / 2 }
func (g *Graph) svcName(svc int32) string  { return g.names[g.inNode(svc)] }
func (g *Graph) isOut(node int32) bool     { return !g.isAlert(node) && (node-int32(len(g.alerts)))%2 == 1 }
func (g *Graph) numNodes() int             { return len(g.names) }
func (g *Graph) alertID(name string) int32 { return lookup(g.alertIdx, name) }

func lookup(m map[string]int32, name string) int32 {
	if id, ok := m[name]; ok {
		return id
	}
	return -1
}

// Nodes returns the graph's nodes: alerts then services, each sorted by name.
// The caller must not modify the result.
func (g *Graph) Nodes() []Node { return g.nodes }

// Edges returns the graph's declared edges: memberships, then depends_on
// edges, then service edges, each in a stable order. The caller must not
// modify the result.
func (g *Graph) Edges() []Edge { return g.edges }

// ServiceOf returns the services an instance of alert with labels ls
// belongs to, sorted: the alert's static memberships and the service its
// service label names, if the graph knows it.
func (g *Graph) ServiceOf(alert string, ls labels.Labels) []string {
	var out []string
	if a := g.alertID(alert); a >= 0 {
		for _, j := range g.alerts[a].services {
			out = append(out, g.svcName(j))
		}
	}
	for _, name := range g.svcLabels {
		if j := lookup(g.svcIdx, ls.Get(name)); j >= 0 && g.svcs[j].label == name {
			out = append(out, g.svcName(j))
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}
