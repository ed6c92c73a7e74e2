package alerting

import (
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"testing"

	"github.com/vigilsre/vigil/depgraph"
)

func TestExtensionKeysParse(t *testing.T) {
	const path = "testdata/check/deps_good.yml"
	f, errs := readRuleFile(path, newParser(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	var got []string
	for _, s := range alertSpecs([]ruleFile{f}, nil) {
		got = append(got, fmt.Sprintf("%s %s:%d ignore=%v %v", s.Name, s.File, s.Line, s.IgnoreServiceDependencies, s.DependsOn))
	}
	want := []string{
		"MetadataDBDown testdata/check/deps_good.yml:5 ignore=false []",
		"StorageReplicaDown testdata/check/deps_good.yml:8 ignore=false []",
		"WebErrors testdata/check/deps_good.yml:13 ignore=true [" +
			"{MetadataDBDown [] [region] testdata/check/deps_good.yml 17} " +
			"{ [StorageReplicaDown] [cluster] testdata/check/deps_good.yml 19} " +
			"{MetadataDBDown [] [] testdata/check/deps_good.yml 21}]",
		"WebSlow testdata/check/deps_good.yml:23 ignore=false []",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("alert specs:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestAlertSpecsMergeRulesOfOneName(t *testing.T) {
	h := newDepsHarness(t, `
groups:
  - name: a
    rules:
      - alert: Cause
        expr: x > 1
      - alert: Other
        expr: y > 1
      - alert: Dep
        expr: z > 1
        labels: {severity: warning, service: web}
        depends_on: [Cause]
      - alert: Dep
        expr: z > 10
        labels: {severity: critical}
        depends_on: [Other]
        ignore_service_dependencies: true
`, "services: [{name: web}]\n")
	var edges []string
	for _, e := range h.m.Graph().Edges() {
		edges = append(edges, e.From+" -> "+e.To+" "+e.Kind)
	}
	want := []string{"Dep -> web member", "Dep -> Cause depends_on", "Dep -> Other depends_on"}
	slices.Sort(edges)
	slices.Sort(want)
	if !slices.Equal(edges, want) {
		t.Fatalf("edges %q, want %q", edges, want)
	}
}

func TestCheckFilesDependencyGraph(t *testing.T) {
	for _, c := range []struct {
		name string
		spec LoadSpec
		want string
	}{
		{"good", LoadSpec{RuleFiles: []string{"testdata/deps/rules.yml"}, ServiceFiles: []string{"testdata/deps/services.yml"}}, ""},
		// A services file that does not parse: its problems, no graph.
		{"bad services file", LoadSpec{RuleFiles: []string{"testdata/deps/rules.yml"}, ServiceFiles: []string{"testdata/deps/services.yml", "testdata/deps/bad_services.yml"}},
			"testdata/deps/bad_services.yml:6: unknown key \"owner\" in a service"},
		{"cycle", LoadSpec{RuleFiles: []string{"testdata/deps/cycle.yml"}}, "dependency cycle: A -> B -> A"},
		{"missing services file", LoadSpec{RuleFiles: []string{"testdata/deps/rules.yml"}, ServiceFiles: []string{"testdata/deps/none.yml"}},
			"testdata/deps/none.yml: no such file or directory"},
		{"bad pattern", LoadSpec{ServiceFiles: []string{"testdata/deps/[.yml"}}, `services file pattern "testdata/deps/[.yml": syntax error in pattern`},
	} {
		t.Run(c.name, func(t *testing.T) {
			var got []string
			for _, err := range CheckFiles(c.spec) {
				got = append(got, err.Error())
			}
			if strings.Join(got, "\n") != c.want {
				t.Fatalf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), c.want)
			}
		})
	}
}

func TestCheckFilesUnknownReferences(t *testing.T) {
	h := &harness{dir: t.TempDir()}
	spec := h.spec(t, "groups:\n  - name: g\n    rules:\n      - alert: WebSlow\n        expr: x > 1\n        depends_on: [Nope]\n", `
services:
  - name: web
    depends_on: [metadata-db, stroage]
    alerts: [WebSlow, WebDown]
  - name: metadata-db
`)
	var got []string
	for _, err := range CheckFiles(spec) {
		got = append(got, strings.ReplaceAll(err.Error(), h.dir+"/", ""))
	}
	want := []string{
		`services.yml:5: service "web" lists unknown alert "WebDown"`,
		`rules.yml:6: alert "WebSlow" depends on unknown alert "Nope"`,
		`services.yml:4: service "web" depends on unknown service "stroage"`,
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestLoadIsAllOrNothingWithServices(t *testing.T) {
	h := newDepsHarness(t, depsRules, depsServices)
	graph, groups := h.m.Graph(), h.m.current()
	if n := len(graph.Nodes()); n != 6 { // 4 alerts, 2 services
		t.Fatalf("%d nodes: %+v", n, graph.Nodes())
	}
	for _, bad := range []struct{ rules, services, want string }{
		{depsRules, "services:\n  - name: api\n    depends_on: [nowhere]\n", `services.yml:3: service "api" depends on unknown service "nowhere"`},
		{strings.Replace(depsRules, "alert: MetadataDBDown, match", "alert: MetadataDB, match", 1), depsServices, `rules.yml:8: alert "WebErrors" depends on unknown alert "MetadataDB"`},
	} {
		err := h.m.Load(h.spec(t, bad.rules, bad.services))
		if err == nil || strings.ReplaceAll(err.Error(), h.dir+"/", "") != bad.want {
			t.Fatalf("error %v, want %s", err, bad.want)
		}
		if h.m.Graph() != graph || !slices.Equal(h.m.current(), groups) {
			t.Fatal("a bad load replaced the graph or the rules")
		}
	}
	if err := h.m.Load(h.spec(t, depsRules, "")); err != nil {
		t.Fatal(err)
	}
	if n := len(h.m.Graph().Nodes()); n != 4 {
		t.Fatalf("without services: %d nodes", n)
	}
}

func TestGraphBeforeLoad(t *testing.T) {
	m, err := NewManager(Options{Query: newFakeQuerier(), Writer: &fakeWriter{}})
	if err != nil {
		t.Fatal(err)
	}
	if g := m.Graph(); g == nil || len(g.Nodes()) != 0 {
		t.Fatalf("graph before Load: %v", g)
	}
	if d := m.Explain("Any", ls(t, `{a="b"}`)); d.Suppressed {
		t.Fatalf("Explain before Load: %+v", d)
	}
	var _ depgraph.Decision = m.Explain("Any", ls(t, `{}`))
}
