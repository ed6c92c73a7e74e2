package depgraph

import "encoding/json"

// MarshalJSON encodes the graph as {"nodes": [...], "edges": [...]}: the
// nodes (name, kind alert|service, file, line) and the declared edges
// (see Edge.MarshalJSON), in the order of Nodes and Edges. It is the shape
// of the HTTP API's /api/v1/deps without the live state.
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

// MarshalJSON encodes the edge as {"from", "to", "kind", "match", "allOf",
// "file", "line"}: match always, [] when the edge restricts no label;
// allOf only for an all_of dependency; file and line when known.
func (e Edge) MarshalJSON() ([]byte, error) {
	type plain Edge // without this method
	p := plain(e)
	if p.Match == nil {
		p.Match = []string{}
	}
	return json.Marshal(p)
}
