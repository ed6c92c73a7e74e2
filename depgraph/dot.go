package depgraph

import (
	"strconv"
	"strings"
)

// DOT renders the graph in Graphviz DOT, edges pointing from the dependent
// to what it depends on: alerts as ellipses, services as boxes (node ids
// are prefixed with the kind, as an alert and a service may share a name),
// depends_on edges solid, membership edges dotted, service edges bold; an
// edge's label lists its match labels and, for all_of, the group.
func (g *Graph) DOT() string {
	var b strings.Builder
	b.WriteString("digraph deps {\n\trankdir=LR;\n")
	for _, n := range g.nodes {
		shape := "ellipse"
		if n.Kind == KindService {
			shape = "box"
		}
		b.WriteString("\t" + dotID(n.Kind, n.Name) + " [label=" + strconv.Quote(n.Name) + ", shape=" + shape + "];\n")
	}
	for _, e := range g.edges {
		b.WriteString("\t" + dotID(fromKind(e.Kind), e.From) + " -> " + dotID(toKind(e.Kind), e.To) + dotAttrs(e) + ";\n")
	}
	b.WriteString("}\n")
	return b.String()
}

func dotID(kind, name string) string { return strconv.Quote(kind + ":" + name) }

func fromKind(edgeKind string) string {
	if edgeKind == EdgeService {
		return KindService
	}
	return KindAlert
}

func toKind(edgeKind string) string {
	if edgeKind == EdgeDependsOn {
		return KindAlert
	}
	return KindService
}

// dotAttrs returns an edge's style and label.
func dotAttrs(e Edge) string {
	style := map[string]string{EdgeDependsOn: "solid", EdgeMember: "dotted", EdgeService: "bold"}[e.Kind]
	var label []string
	if len(e.Match) > 0 {
		label = append(label, "match: "+strings.Join(e.Match, ", "))
	}
	if len(e.AllOf) > 0 {
		label = append(label, "all_of: "+strings.Join(e.AllOf, ", "))
	}
	attrs := " [style=" + style
	if len(label) > 0 {
		attrs += ", label=" + strconv.Quote(strings.Join(label, "\n"))
	}
	return attrs + "]"
}
