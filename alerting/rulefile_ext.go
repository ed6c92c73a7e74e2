package alerting

import (
	"fmt"
	"slices"

	"github.com/prometheus/common/model"
	"go.yaml.in/yaml/v3"

	"github.com/vigilsre/vigil/depgraph"
)

// Vigil's extension keys of an alerting rule; a file without them is a
// plain Prometheus rule file.
const (
	keyDependsOn     = "depends_on"
	keyIgnoreService = "ignore_service_dependencies"
)

// The keys each level of a rule file may have: Prometheus' (rulefmt's
// RuleGroups, RuleGroup and Rule) and, on rules, Vigil's extensions.
var (
	fileKeys  = []string{"groups"}
	groupKeys = []string{"name", "interval", "query_offset", "limit", "rules", "labels"}
	ruleKeys  = []string{"record", "alert", "expr", "for", "keep_firing_for", "labels", "annotations", keyDependsOn, keyIgnoreService}
	depKeys   = []string{"alert", "all_of", "match"}
)

// ruleExt is what Vigil's extension keys say about one rule.
type ruleExt struct {
	line          int // the rule's line
	dependsOn     []depgraph.Dependency
	ignoreService bool
}

// extWalk checks the keys of a rule file's YAML tree and reads the
// extension keys, collecting every problem as a FileError.
type extWalk struct {
	path string
	errs []error
}

// readExtensions walks the YAML tree of a rule file: any key that is
// neither Prometheus' nor a Vigil extension is an error (rulefmt parses
// the file ignoring unknown fields, so that the extensions pass), and the
// extensions are read. exts[g][r] belongs to rule r of group g, in file
// order, as rulefmt's groups. A file that is not YAML gives nothing: rulefmt
// reports it.
func readExtensions(path string, content []byte) ([][]ruleExt, []error) {
	var doc yaml.Node
	if yaml.Unmarshal(content, &doc) != nil || len(doc.Content) == 0 {
		return nil, nil
	}
	w := &extWalk{path: path}
	top := resolve(doc.Content[0])
	if top.Kind != yaml.MappingNode {
		return nil, nil // rulefmt reports the type error
	}
	w.checkKeys(top, fileKeys, "type rulefmt.RuleGroups")
	var exts [][]ruleExt
	if seq := resolve(mappingValue(top, "groups")); seq != nil && seq.Kind == yaml.SequenceNode {
		for _, g := range seq.Content {
			exts = append(exts, w.group(resolve(g)))
		}
	}
	return exts, w.errs
}

// group checks one group and reads the extensions of its rules.
func (w *extWalk) group(g *yaml.Node) []ruleExt {
	if g.Kind != yaml.MappingNode {
		return nil
	}
	w.checkKeys(g, groupKeys, "type rulefmt.RuleGroup")
	rules := resolve(mappingValue(g, "rules"))
	if rules == nil || rules.Kind != yaml.SequenceNode {
		return nil
	}
	out := make([]ruleExt, 0, len(rules.Content))
	for _, r := range rules.Content {
		out = append(out, w.rule(resolve(r)))
	}
	return out
}

// rule checks one rule and reads its extension keys. They belong to
// alerting rules only.
func (w *extWalk) rule(r *yaml.Node) ruleExt {
	ext := ruleExt{line: r.Line}
	if r.Kind != yaml.MappingNode {
		return ext
	}
	w.checkKeys(r, ruleKeys, "type rulefmt.Rule")
	recording := mappingValue(r, "record") != nil && mappingValue(r, "alert") == nil
	for i := 0; i+1 < len(r.Content); i += 2 {
		k, v := r.Content[i], resolve(r.Content[i+1])
		switch k.Value {
		case keyDependsOn:
			if w.recordingOnly(k, recording) {
				ext.dependsOn = w.dependsOn(v)
			}
		case keyIgnoreService:
			if w.recordingOnly(k, recording) {
				ext.ignoreService = w.boolean(k, v)
			}
		}
	}
	return ext
}

// recordingOnly reports a Vigil key k on a recording rule and returns
// whether the key may be read.
func (w *extWalk) recordingOnly(k *yaml.Node, recording bool) bool {
	if recording {
		w.fail(k.Line, "%s is only for alerting rules, not recording rules", k.Value)
	}
	return !recording
}

// dependsOn reads a depends_on list: each entry an alert name, or a
// mapping with alert or all_of, and match.
func (w *extWalk) dependsOn(v *yaml.Node) []depgraph.Dependency {
	if v.Kind != yaml.SequenceNode {
		w.fail(v.Line, "%s must be a list of dependencies", keyDependsOn)
		return nil
	}
	var out []depgraph.Dependency
	for _, e := range v.Content {
		if d, ok := w.dependency(resolve(e)); ok {
			out = append(out, d)
		}
	}
	return out
}

// dependency reads one entry of depends_on: `AlertName`, or
// `{alert: AlertName, match: [label, ...]}`, or
// `{all_of: [A, B, ...], match: [...]}`.
func (w *extWalk) dependency(e *yaml.Node) (depgraph.Dependency, bool) {
	d := depgraph.Dependency{File: w.path, Line: e.Line}
	switch e.Kind {
	case yaml.ScalarNode:
		d.Alert = e.Value
		return d, w.alertName(e)
	case yaml.MappingNode:
	default:
		w.fail(e.Line, "a dependency is an alert name or a mapping with alert or all_of, and match")
		return d, false
	}
	n := len(w.errs)
	w.checkKeys(e, depKeys, "a dependency (alert, all_of, match)")
	if a := resolve(mappingValue(e, "alert")); a != nil && w.alertName(a) {
		d.Alert = a.Value
	}
	if a := resolve(mappingValue(e, "all_of")); a != nil {
		d.AllOf = w.names(a, "all_of", "alert name")
	}
	if m := resolve(mappingValue(e, "match")); m != nil {
		d.Match = w.names(m, "match", "label name")
	}
	w.oneTarget(e, d)
	return d, len(w.errs) == n
}

// oneTarget requires exactly one of alert and a non-empty all_of.
func (w *extWalk) oneTarget(e *yaml.Node, d depgraph.Dependency) {
	hasAlert, hasAllOf := mappingValue(e, "alert") != nil, mappingValue(e, "all_of") != nil
	switch {
	case hasAlert && hasAllOf:
		w.fail(e.Line, "a dependency has either alert or all_of, not both")
	case !hasAlert && !hasAllOf:
		w.fail(e.Line, "a dependency needs alert or all_of")
	case hasAllOf && len(d.AllOf) == 0 && resolve(mappingValue(e, "all_of")).Kind == yaml.SequenceNode:
		w.fail(e.Line, "all_of lists no alert")
	}
}

// alertName checks that n is a non-empty scalar.
func (w *extWalk) alertName(n *yaml.Node) bool {
	if n.Kind != yaml.ScalarNode || n.Value == "" {
		w.fail(n.Line, "an alert name must be a non-empty string")
		return false
	}
	return true
}

// names reads a list of distinct names: alert names of all_of or label
// names of match.
func (w *extWalk) names(n *yaml.Node, key, what string) []string {
	if n.Kind != yaml.SequenceNode {
		w.fail(n.Line, "%s must be a list of %ss", key, what)
		return nil
	}
	var out []string
	for _, c := range n.Content {
		c = resolve(c)
		switch {
		case c.Kind != yaml.ScalarNode || c.Value == "":
			w.fail(c.Line, "%s: a %s must be a non-empty string", key, what)
		case what == "label name" && !model.UTF8Validation.IsValidLabelName(c.Value):
			w.fail(c.Line, "%s: invalid label name: %s", key, c.Value)
		case slices.Contains(out, c.Value):
			w.fail(c.Line, "%s: %q is listed twice", key, c.Value)
		default:
			out = append(out, c.Value)
		}
	}
	return out
}

// boolean reads the value v of key k as true or false.
func (w *extWalk) boolean(k, v *yaml.Node) bool {
	var b bool
	if v.Kind != yaml.ScalarNode || v.Decode(&b) != nil {
		w.fail(v.Line, "%s must be true or false", k.Value)
	}
	return b
}

// checkKeys reports every key of mapping m that is not in allowed, as
// YAML's strict decoding words it ("field x not found in type
// rulefmt.Rule"). Merge keys (<<) are YAML's, not the file's.
func (w *extWalk) checkKeys(m *yaml.Node, allowed []string, in string) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		k := m.Content[i]
		if k.Value != "<<" && !slices.Contains(allowed, k.Value) {
			w.fail(k.Line, "field %s not found in %s", k.Value, in)
		}
	}
}

// fail records a problem on line.
func (w *extWalk) fail(line int, format string, args ...any) {
	w.errs = append(w.errs, &FileError{File: w.path, Line: line, Err: fmt.Errorf(format, args...)})
}

// resolve follows an alias to the node it names; nil stays nil.
func resolve(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}
