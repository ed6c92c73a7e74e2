package depgraph

import "encoding/json"

// MarshalJSON encodes the graph as {"nodes": [...], "edges": [...]}: the
// nodes (name, kind alert|service, file, line) and the declared edges
// (from, to, kind depends_on|member|service, match, allOf, file, line), in
// the order of Nodes and Edges.
func (g *Graph) MarshalJSON() ([]byte, error) {
	out := struct {
		Nodes []Node `json:"nodes"`
		Edges []Edge `json:"edges"`
	}{Nodes: g.nodes, Edges: g.edges}
	if out.Nodes == nil {
		out.Nodes = []Node{}
	}
	if out.Edges == nil {
		out.Edges = []Edge{}
	}
	return json.Marshal(out)
}
