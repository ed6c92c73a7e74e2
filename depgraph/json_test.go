package depgraph

import (
	"encoding/json"
	"testing"
)

// TestEdgeJSON pins an edge's JSON, alone or in a list: match always ([]
// for none, as the HTTP API sends it), allOf only for all_of edges, file
// and line when known.
func TestEdgeJSON(t *testing.T) {
	for _, tt := range []struct {
		name string
		edge Edge
		want string
	}{
		{"member", Edge{From: "A", To: "web", Kind: EdgeMember},
			`{"from":"A","to":"web","kind":"member","match":[]}`},
		{"empty match", Edge{From: "web", To: "db", Kind: EdgeService, Match: []string{}, File: "deps.yml", Line: 3},
			`{"from":"web","to":"db","kind":"service","match":[],"file":"deps.yml","line":3}`},
		{"all_of", Edge{From: "A", To: "B", Kind: EdgeDependsOn, Match: []string{"region"}, AllOf: []string{"B", "C"}},
			`{"from":"A","to":"B","kind":"depends_on","match":["region"],"allOf":["B","C"]}`},
	} {
		for _, v := range []any{tt.edge, &tt.edge, []Edge{tt.edge}} {
			b, err := json.Marshal(v)
			if _, list := v.([]Edge); list {
				b = b[1 : len(b)-1]
			}
			if err != nil || string(b) != tt.want {
				t.Errorf("%s: json.Marshal(%T) = %s, %v; want %s", tt.name, v, b, err, tt.want)
			}
		}
	}
}
