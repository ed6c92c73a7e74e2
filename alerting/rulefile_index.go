package alerting

import (
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// fileIndex holds the YAML nodes of a rule file's groups and rules, to
// find the line of a problem rulefmt reports without one.
type fileIndex struct {
	groups []groupIndex
}

// groupIndex holds the nodes of one group.
type groupIndex struct {
	name   string
	line   int
	node   *yaml.Node   // the group's mapping
	labels *yaml.Node   // mapping, or nil
	rules  []*yaml.Node // one mapping per rule
}

// indexFile indexes content; a file that does not parse gives an empty
// index (its errors carry their own lines).
func indexFile(content []byte) fileIndex {
	var doc yaml.Node
	if yaml.Unmarshal(content, &doc) != nil || len(doc.Content) == 0 {
		return fileIndex{}
	}
	seq := mappingValue(doc.Content[0], "groups")
	if seq == nil || seq.Kind != yaml.SequenceNode {
		return fileIndex{}
	}
	var idx fileIndex
	for _, g := range seq.Content {
		idx.groups = append(idx.groups, indexGroup(g))
	}
	return idx
}

// indexGroup indexes one group mapping.
func indexGroup(g *yaml.Node) groupIndex {
	gi := groupIndex{line: g.Line, node: g, labels: mappingValue(g, "labels")}
	if n := mappingValue(g, "name"); n != nil {
		gi.name = n.Value
	}
	if rules := mappingValue(g, "rules"); rules != nil && rules.Kind == yaml.SequenceNode {
		gi.rules = rules.Content
	}
	return gi
}

// mappingValue returns the value of key in mapping node n, or nil.
func mappingValue(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// ruleLine is the line of the label or annotation msg names in rule number
// (1-based) of the first group called group, else the line of the rule.
func (idx fileIndex) ruleLine(group string, number int, msg string) int {
	for _, g := range idx.groups {
		if g.name != group || number < 1 || number > len(g.rules) {
			continue
		}
		r := g.rules[number-1]
		for _, field := range []string{"labels", "annotations"} {
			if line := entryLine(mappingValue(r, field), msg); line > 0 {
				return line
			}
		}
		return r.Line
	}
	return 0
}

// groupLine is the line of the group a group-level message is about: the
// second group of a repeated name, the group without a name, or the group
// whose label the message names ("invalid label name: x"); 0 if none is.
func (idx fileIndex) groupLine(msg string) int {
	seen := map[string]bool{}
	for _, g := range idx.groups {
		switch {
		case seen[g.name] && strings.Contains(msg, strconv.Quote(g.name)+" is repeated"):
			return g.line
		case g.name == "" && strings.Contains(msg, "Groupname must not be empty"):
			return g.line
		}
		if line := entryLine(g.labels, msg); line > 0 {
			return line
		}
		seen[g.name] = true
	}
	return 0
}

// quotedLine is the line of the scalar of the file whose value msg quotes
// (`unknown unit "x" in duration "1x"`), the longest if several are, or 0.
func (idx fileIndex) quotedLine(msg string) int {
	var best *yaml.Node
	for _, g := range idx.groups {
		best = longestQuoted(g.node, msg, best)
	}
	if best == nil {
		return 0
	}
	return best.Line
}

// longestQuoted returns the scalar under n with the longest value msg
// quotes, or best if none is longer.
func longestQuoted(n *yaml.Node, msg string, best *yaml.Node) *yaml.Node {
	if n.Kind == yaml.ScalarNode && n.Value != "" && strings.Contains(msg, strconv.Quote(n.Value)) &&
		(best == nil || len(n.Value) > len(best.Value)) {
		best = n
	}
	for _, c := range n.Content {
		best = longestQuoted(c, msg, best)
	}
	return best
}

// entryLine is the line of the entry of mapping m that msg names, quoted
// (`label "x": …`) or at its end (`invalid label name: x`), or 0.
func entryLine(m *yaml.Node, msg string) int {
	if m == nil || m.Kind != yaml.MappingNode {
		return 0
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		if strings.Contains(msg, strconv.Quote(k.Value)) || strings.HasSuffix(msg, ": "+k.Value) {
			return k.Line
		}
		if strings.HasSuffix(msg, ": "+v.Value) {
			return v.Line
		}
	}
	return 0
}
