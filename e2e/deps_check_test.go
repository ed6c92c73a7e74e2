package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// depsCheckConfig names the rule and services files by relative globs, as
// a user's configuration would.
const depsCheckConfig = `rules:
  files: [rules/*.yml]
dependencies:
  files: [deps/*.yml]
`

// depsCycleRules: A → B → C → A by depends_on, across two files.
var depsCycleRules = map[string]string{
	"rules/a.yml": `groups:
  - name: ab
    rules:
      - alert: A
        expr: vector(1)
        depends_on:
          - alert: B
      - alert: B
        expr: vector(1)
        depends_on:
          - alert: C
`,
	"rules/c.yml": `groups:
  - name: c
    rules:
      - alert: C
        expr: vector(1)
        depends_on:
          - alert: A
            match: [region]
`,
	"deps/services.yml": "services: []\n",
}

// depsMixedCycle: X depends on Y; Y belongs to service s2, which depends
// on s1, whose alert is X: X → Y → s2 → s1 → X.
var depsMixedCycle = map[string]string{
	"rules/x.yml": `groups:
  - name: xy
    rules:
      - alert: X
        expr: vector(1)
        depends_on:
          - alert: Y
      - alert: Y
        expr: vector(1)
`,
	"deps/services.yml": `services:
  - name: s1
    alerts: [X]
  - name: s2
    depends_on: [s1]
    alerts: [Y]
`,
}

const depsUnknownAlertRules = `groups:
  - name: services
    rules:
      - alert: WebErrors
        expr: e2e_web_error_ratio > 0.05
        depends_on:
          - alert: MetadataDBDown
            match: [region]
          - alert: NoSuchAlert
            match: [region]
`

const depsUnknownService = `services:
  - name: metadata-db
    alerts: [MetadataDBDown]
  - name: web
    depends_on:
      - service: nosuch-service
        match: [region]
`

// writeConfigDir writes the config and files into a new directory and
// returns the config's path.
func writeConfigDir(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	if err := writeFiles(dir, files); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "vigil.yml")
	if err := os.WriteFile(path, []byte(depsCheckConfig), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestDepsCheck runs `vigil deps check --config` as a user would: a cycle
// fails with exit 1 and prints the cycle; a reference to an unknown alert
// or service fails with exit 1, naming file and line; the acceptance
// test's files pass with exit 0 and their counts. `vigil deps graph`
// prints the same graph as JSON and DOT.
func TestDepsCheck(t *testing.T) {
	t.Parallel()
	good := writeConfigDir(t, depFiles(depServiceRules, depServices))
	out, code := runVigil(t, "deps", "check", "--config", good)
	t.Logf("good config: exit %d: %s", code, out)
	if code != 0 || !regexp.MustCompile(`\bok: 4 alerts, 2 services, 5 edges\b`).MatchString(out) {
		t.Errorf("vigil deps check on the acceptance files: exit %d, want 0 and \"ok: 4 alerts, 2 services, 5 edges\"; output:\n%s", code, out)
	}
	checkDepsGraph(t, good)
	rules, _ := filepath.Glob(filepath.Join(filepath.Dir(good), "rules", "*.yml"))
	if out, code := runVigil(t, append([]string{"rules", "check"}, rules...)...); code != 0 {
		t.Errorf("vigil rules check on rule files with depends_on: exit %d, want 0; output:\n%s", code, out)
	}

	out, code = runVigil(t, "deps", "check", "--config", writeConfigDir(t, depsCycleRules))
	t.Logf("cycle: exit %d: %s", code, out)
	if cycle := printedCycle(out); code != 1 || !isRotation(cycle, []string{"A", "B", "C"}) {
		t.Errorf("vigil deps check on A → B → C → A: exit %d, cycle %q; want exit 1 and the cycle printed as \"dependency cycle: A -> B -> C -> A\" (any rotation); output:\n%s", code, cycle, out)
	}
	out, code = runVigil(t, "deps", "check", "--config", writeConfigDir(t, depsMixedCycle))
	t.Logf("cycle through services: exit %d: %s", code, out)
	if cycle := printedCycle(out); code != 1 || !containsAll(cycle, "X", "Y", "s1", "s2") {
		t.Errorf("vigil deps check on X → Y → s2 → s1 → X: exit %d, cycle %q; want exit 1 and a cycle through X, Y, s2 and s1; output:\n%s", code, cycle, out)
	}

	// Every problem is reported at once: the rule file without SyncErrors
	// also makes the services file's `alerts: [SyncErrors]` unknown.
	out = checkUnknownRef(t, "rules/services.yml", depsUnknownAlertRules, "- alert: NoSuchAlert", "NoSuchAlert")
	if line := lineOf(depServices, "alerts: [SyncErrors]"); !slices.Contains(outputLines("services.yml", out), line) || !strings.Contains(out, "SyncErrors") {
		t.Errorf("vigil deps check: want the second problem too, the unknown SyncErrors at deps/services.yml:%d; output:\n%s", line, out)
	}
	checkUnknownRef(t, "deps/services.yml", depsUnknownService, "- service: nosuch-service", "nosuch-service")
}

// checkUnknownRef writes the acceptance files with file replaced by
// content and requires `vigil deps check` to fail naming ref at file and
// the line holding needle. It returns the output.
func checkUnknownRef(t *testing.T, file, content, needle, ref string) string {
	t.Helper()
	files := depFiles(depServiceRules, depServices)
	files[file] = content
	out, code := runVigil(t, "deps", "check", "--config", writeConfigDir(t, files))
	line := lineOf(content, needle)
	t.Logf("unknown %s: exit %d: %s", ref, code, out)
	if code != 1 || !strings.Contains(out, ref) || !slices.Contains(outputLines(filepath.Base(file), out), line) {
		t.Errorf("vigil deps check with an unknown %s: exit %d; want exit 1, the name and %s:%d; output:\n%s", ref, code, file, line, out)
	}
	return out
}

// printedCycle returns the nodes of the first "dependency cycle: A -> B ->
// A" line of out, the repeated first node dropped; nil if there is none.
func printedCycle(out string) []string {
	m := regexp.MustCompile(`dependency cycle: (.+)`).FindStringSubmatch(out)
	if m == nil {
		return nil
	}
	nodes := strings.Split(strings.TrimSpace(m[1]), " -> ")
	if len(nodes) < 2 || nodes[0] != nodes[len(nodes)-1] {
		return nil
	}
	return nodes[:len(nodes)-1]
}

// isRotation reports whether got is want rotated.
func isRotation(got, want []string) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range want {
		if slices.Equal(got, append(slices.Clone(want[i:]), want[:i]...)) {
			return true
		}
	}
	return false
}

func containsAll(list []string, names ...string) bool {
	for _, n := range names {
		if !slices.Contains(list, n) {
			return false
		}
	}
	return true
}

// checkDepsGraph requires `vigil deps graph` to print the acceptance graph
// as JSON (the edges of /api/v1/deps) and as DOT.
func checkDepsGraph(t *testing.T, config string) {
	t.Helper()
	out, code := runVigil(t, "deps", "graph", "--config", config, "--format", "json")
	var g apiDeps
	if err := json.Unmarshal([]byte(out), &g); code != 0 || err != nil {
		t.Errorf("vigil deps graph --format json: exit %d, decode: %v; output:\n%s", code, err, out)
		return
	}
	if got := edgeStrings(g.Edges); !slices.Equal(got, acceptanceEdges) {
		t.Errorf("vigil deps graph --format json edges:\n got %q\nwant %q", got, acceptanceEdges)
	}
	var names []string
	for _, n := range g.Nodes {
		names = append(names, fmt.Sprintf("%s:%s", n.Kind, n.Name))
	}
	slices.Sort(names)
	want := []string{"alert:ApiErrors", "alert:MetadataDBDown", "alert:SyncErrors", "alert:WebErrors", "service:metadata-db", "service:sync"}
	if !slices.Equal(names, want) {
		t.Errorf("vigil deps graph --format json nodes %q, want %q", names, want)
	}
	out, code = runVigil(t, "deps", "graph", "--config", config, "--format", "dot")
	if code != 0 || !strings.Contains(out, "digraph") || !mentionsAll(out, "MetadataDBDown", "WebErrors", "ApiErrors", "SyncErrors", "sync", "metadata-db") {
		t.Errorf("vigil deps graph --format dot: exit %d; want a digraph naming every node; output:\n%s", code, out)
	}
}

// mentionsAll reports whether text contains each of names.
func mentionsAll(text string, names ...string) bool {
	for _, n := range names {
		if !strings.Contains(text, n) {
			return false
		}
	}
	return true
}
