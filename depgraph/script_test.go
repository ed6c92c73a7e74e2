package depgraph

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/prometheus/prometheus/model/labels"
	"go.yaml.in/yaml/v3"
)

var rewrite = flag.Bool("rewrite", false, "rewrite the expected outputs of testdata/*.txt")

// TestScripts runs the golden scripts of testdata/*.txt, in the manner of
// etcd-io/raft's interaction tests. A script is a list of directives:
//
//	command key=value ...
//	input lines
//	----
//	expected output (up to a blank line)
//
// Lines before a directive that start with # are comments. Commands:
// rules (YAML list of rules, file rules.yml), services [file=NAME]
// (a services file), build, fire [reset] (instances, one per line:
// Name{label="value", ...}), explain, misses and serviceof (instances),
// nodes, edges, dot, json, weights [users=a,b] (lines: caller callee rate,
// "-" for the empty caller). go test -run TestScripts -rewrite rewrites the
// expected outputs.
func TestScripts(t *testing.T) {
	files, err := filepath.Glob("testdata/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no scripts: %v", err)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txt"), func(t *testing.T) {
			runScript(t, file)
		})
	}
}

// chunk is a run of comment lines or one directive.
type chunk struct {
	raw   []string
	cmd   string
	input []string
	want  []string
	line  int
}

func runScript(t *testing.T, file string) {
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	chunks := parseScript(t, file, string(data))
	env := &scriptEnv{firing: NewFiring()}
	var out strings.Builder
	for i := range chunks {
		c := &chunks[i]
		if c.cmd == "" {
			out.WriteString(strings.Join(c.raw, "\n") + "\n")
			continue
		}
		got := env.run(t, c)
		if !*rewrite && !slices.Equal(got, c.want) {
			t.Errorf("%s:%d: %s\ngot:\n%s\nwant:\n%s", file, c.line, c.cmd, strings.Join(got, "\n"), strings.Join(c.want, "\n"))
		}
		out.WriteString(c.cmd + "\n" + joinLines(c.input) + "----\n" + joinLines(got) + "\n")
	}
	if *rewrite {
		if err := os.WriteFile(file, []byte(strings.TrimSuffix(out.String(), "\n")), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func joinLines(lines []string) string {
	if len(lines) == 0 {
		return ""
	}
	return strings.Join(lines, "\n") + "\n"
}

// parseScript splits a script into chunks.
func parseScript(t *testing.T, file, data string) []chunk {
	lines := strings.Split(strings.TrimRight(data, "\n"), "\n")
	var chunks []chunk
	for i := 0; i < len(lines); {
		if lines[i] == "" || strings.HasPrefix(lines[i], "#") {
			if len(chunks) == 0 || chunks[len(chunks)-1].cmd != "" {
				chunks = append(chunks, chunk{})
			}
			chunks[len(chunks)-1].raw = append(chunks[len(chunks)-1].raw, lines[i])
			i++
			continue
		}
		c := chunk{cmd: lines[i], line: i + 1}
		for i++; i < len(lines) && lines[i] != "----"; i++ {
			c.input = append(c.input, lines[i])
		}
		if i == len(lines) {
			t.Fatalf("%s:%d: directive without ----", file, c.line)
		}
		for i++; i < len(lines) && lines[i] != ""; i++ {
			c.want = append(c.want, lines[i])
		}
		i++ // the blank line ending the output
		chunks = append(chunks, c)
	}
	return chunks
}

// scriptEnv is the state a script builds up.
type scriptEnv struct {
	rules  []AlertSpec
	svcs   []Services
	graph  *Graph
	firing *Firing
}

func (env *scriptEnv) run(t *testing.T, c *chunk) []string {
	fields := strings.Fields(c.cmd)
	args := map[string]string{}
	for _, f := range fields[1:] {
		k, v, _ := strings.Cut(f, "=")
		args[k] = v
	}
	input := strings.Join(c.input, "\n")
	switch fields[0] {
	case "rules":
		return env.cmdRules(t, input)
	case "services":
		return env.cmdServices(args, input)
	case "build":
		return env.cmdBuild()
	case "fire":
		return env.cmdFire(t, args, c.input)
	case "explain":
		return env.cmdExplain(t, c.input)
	case "serviceof":
		return env.cmdServiceOf(t, c.input)
	case "misses":
		return env.cmdMisses(t, c.input)
	case "nodes", "edges", "dot", "json":
		return env.cmdRender(fields[0])
	case "weights":
		return cmdWeights(t, args, c.input)
	}
	t.Fatalf("line %d: unknown command %q", c.line, fields[0])
	return nil
}

func (env *scriptEnv) cmdRules(t *testing.T, input string) []string {
	var rules []testRule
	if err := yaml.Unmarshal([]byte(input), &rules); err != nil {
		t.Fatalf("rules: %v", err)
	}
	env.rules = env.rules[:0]
	for _, r := range rules {
		env.rules = append(env.rules, r.spec())
	}
	return []string{fmt.Sprintf("ok: %d rules", len(rules))}
}

func (env *scriptEnv) cmdServices(args map[string]string, input string) []string {
	file := args["file"]
	if file == "" {
		file = "services.yml"
	}
	s, err := ParseServices(file, []byte(input))
	if err != nil {
		return errorLines(err)
	}
	env.svcs = append(env.svcs, s)
	return []string{fmt.Sprintf("ok: %d services", len(s.Services))}
}

func (env *scriptEnv) cmdBuild() []string {
	g, err := Build(env.rules, env.svcs)
	env.svcs = nil
	if err != nil {
		return errorLines(err)
	}
	env.graph = g
	alerts := 0
	for _, n := range g.Nodes() {
		if n.Kind == KindAlert {
			alerts++
		}
	}
	return []string{fmt.Sprintf("ok: %d alerts, %d services, %d edges", alerts, len(g.Nodes())-alerts, len(g.Edges()))}
}

func (env *scriptEnv) cmdFire(t *testing.T, args map[string]string, input []string) []string {
	if _, ok := args["reset"]; ok {
		env.firing.Reset()
	}
	for _, l := range input {
		env.firing.Add(parseInstance(t, l))
	}
	return []string{fmt.Sprintf("%d firing", env.firing.Len())}
}

func (env *scriptEnv) cmdExplain(t *testing.T, input []string) []string {
	var out []string
	for _, l := range input {
		d := env.graph.Explain(parseInstance(t, l), env.firing)
		out = append(out, formatDecision(l, d)...)
	}
	return out
}

// formatDecision prints a decision, one line per explanation.
func formatDecision(in string, d Decision) []string {
	if !d.Suppressed {
		return []string{in + ": not suppressed"}
	}
	out := []string{in + ": suppressed"}
	for _, e := range d.By {
		kind := "also"
		if e.Root {
			kind = "root"
		}
		out = append(out, "  "+kind+" "+e.Cause.String()+" via "+strings.Join(e.Path, " -> "))
	}
	return out
}

func (env *scriptEnv) cmdMisses(t *testing.T, input []string) []string {
	var out []string
	for _, l := range input {
		misses := env.graph.Misses(parseInstance(t, l), env.firing)
		out = append(out, fmt.Sprintf("%s: %d misses", l, len(misses)))
		for _, m := range misses {
			out = append(out, "  "+m.String()+" ("+m.Cause.String()+" via "+strings.Join(m.Path, " -> ")+")")
		}
	}
	return out
}

func (env *scriptEnv) cmdServiceOf(t *testing.T, input []string) []string {
	var out []string
	for _, l := range input {
		in := parseInstance(t, l)
		out = append(out, l+": "+strings.Join(env.graph.ServiceOf(in.Alert, in.Labels), ", "))
	}
	return out
}

func (env *scriptEnv) cmdRender(what string) []string {
	g := env.graph
	var out []string
	switch what {
	case "nodes":
		for _, n := range g.Nodes() {
			out = append(out, fmt.Sprintf("%s %s %s:%d", n.Kind, n.Name, n.File, n.Line))
		}
	case "edges":
		for _, e := range g.Edges() {
			out = append(out, fmt.Sprintf("%s %s -> %s match=%v all_of=%v %s:%d", e.Kind, e.From, e.To, e.Match, e.AllOf, e.File, e.Line))
		}
	case "dot":
		out = strings.Split(strings.TrimSuffix(g.DOT(), "\n"), "\n")
	case "json":
		b, err := g.MarshalJSON()
		out = []string{string(b), fmt.Sprint(err)}
	}
	return out
}

func cmdWeights(t *testing.T, args map[string]string, input []string) []string {
	var calls []Call
	for _, l := range input {
		f := strings.Fields(l)
		rate, err := strconv.ParseFloat(f[2], 64)
		if err != nil || len(f) != 3 {
			t.Fatalf("weights: bad line %q", l)
		}
		calls = append(calls, Call{Caller: strings.TrimPrefix(f[0], "-"), Callee: f[1], Rate: rate})
	}
	var users []string
	if args["users"] != "" {
		users = strings.Split(args["users"], ",")
	}
	w := Weights(calls, users)
	var out []string
	for name, v := range w {
		out = append(out, fmt.Sprintf("%s: %.4f", name, v))
	}
	slices.Sort(out)
	return out
}

// errorLines lists the errors errors.Join joined.
func errorLines(err error) []string {
	var out []string
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range j.Unwrap() {
			out = append(out, errorLines(e)...)
		}
		return out
	}
	var pe *Error
	var ce *CycleError
	if !errors.As(err, &pe) && !errors.As(err, &ce) {
		return []string{"untyped error: " + err.Error()}
	}
	return []string{err.Error()}
}

var instanceRE = regexp.MustCompile(`^([A-Za-z_][A-Za-z0-9_]*)\{(.*)\}$`)
var pairRE = regexp.MustCompile(`([A-Za-z_][A-Za-z0-9_]*)="([^"]*)"`)

// parseInstance parses Name{label="value", ...}; alertname is added.
func parseInstance(t testing.TB, s string) Instance {
	m := instanceRE.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		t.Fatalf("bad instance %q", s)
	}
	b := labels.NewScratchBuilder(4)
	b.Add(labels.AlertName, m[1])
	for _, p := range pairRE.FindAllStringSubmatch(m[2], -1) {
		b.Add(p[1], p[2])
	}
	b.Sort()
	return Instance{Alert: m[1], Labels: b.Labels()}
}

// testRule is a rule of a script's rules directive.
type testRule struct {
	Alert     string    `yaml:"alert"`
	DependsOn []testDep `yaml:"depends_on"`
	Ignore    bool      `yaml:"ignore_service_dependencies"`
	Services  []string  `yaml:"services"`
	line      int
}

func (r *testRule) UnmarshalYAML(n *yaml.Node) error {
	type plain testRule
	r.line = n.Line
	return n.Decode((*plain)(r))
}

func (r testRule) spec() AlertSpec {
	s := AlertSpec{Name: r.Alert, IgnoreServiceDependencies: r.Ignore, Services: r.Services, File: "rules.yml", Line: r.line}
	for _, d := range r.DependsOn {
		s.DependsOn = append(s.DependsOn, Dependency{Alert: d.Alert, AllOf: d.AllOf, Match: d.Match, File: "rules.yml", Line: d.line})
	}
	return s
}

// testDep is a depends_on entry of a testRule.
type testDep struct {
	Alert string   `yaml:"alert"`
	AllOf []string `yaml:"all_of"`
	Match []string `yaml:"match"`
	line  int
}

func (d *testDep) UnmarshalYAML(n *yaml.Node) error {
	type plain testDep
	d.line = n.Line
	return n.Decode((*plain)(d))
}
