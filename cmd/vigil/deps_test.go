package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// module is Vigil's module path.
const module = "github.com/vigilsre/vigil"

// importRule is what the packages under one directory may import.
type importRule struct {
	// vigil lists the Vigil packages (and their sub-packages) that may be
	// imported directly, relative to the module: "tsdb" allows tsdb and
	// tsdb/wal. A package may always import its own sub-packages.
	vigil []string
	// noImport lists import path prefixes that must not be imported
	// directly, such as "net/http" for an engine.
	noImport []string
	// noDep lists import path prefixes that must not be depended on at
	// all, even through another package.
	noDep []string
}

// notForLibraries is what only cmd/vigil may pull in: YAML and the CLI.
var notForLibraries = []string{"go.yaml.in/yaml", "gopkg.in/yaml", "github.com/spf13/cobra", "github.com/spf13/pflag"}

// alertingNoDep is what no alerting package may depend on, even through
// another: the store (rule results reach it only through cmd's adapter of
// alerting.Writer) and the CLI. Rule files are YAML, so YAML is allowed.
var alertingNoDep = []string{module + "/tsdb", "github.com/spf13"}

// depgraphNoImport is what depgraph, pure logic, must not import: I/O
// (files, network, logs, system calls), the clock, and metrics. It may
// parse YAML (services files, from bytes) and use labels; fmt and the
// like pull os in behind it, so these are checked on direct imports.
var depgraphNoImport = []string{"os", "net", "io/fs", "io/ioutil", "path/filepath", "syscall", "log", "time", "github.com/prometheus/client_golang"}

// importRules holds DESIGN.md's package table, keyed by directory relative to
// the module. The most specific key applies: "query/api" before "query".
// Engines do not import net/http directly; Prometheus' client library pulls
// it in behind them, so that one is checked on direct imports only.
var importRules = map[string]importRule{
	"cmd":             {vigil: []string{""}},
	"tsdb":            {noImport: []string{"net/http"}, noDep: notForLibraries},
	"ingest":          {vigil: []string{"tsdb"}, noDep: notForLibraries},
	"query":           {vigil: []string{"tsdb"}, noImport: []string{"net/http"}, noDep: notForLibraries},
	"query/api":       {vigil: []string{"query"}, noDep: notForLibraries},
	"depgraph":        {noImport: depgraphNoImport, noDep: []string{"github.com/spf13", "net/http", "github.com/prometheus/client_golang"}},
	"alerting":        {vigil: []string{"query", "depgraph"}, noImport: []string{"net/http", module + "/query/api", module + "/tsdb"}, noDep: alertingNoDep},
	"alerting/api":    {vigil: []string{"alerting", "query/api", "depgraph"}, noImport: []string{module + "/tsdb", module + "/alerting/notify"}, noDep: alertingNoDep},
	"alerting/notify": {vigil: []string{"alerting"}, noImport: []string{module + "/tsdb", module + "/alerting/api"}, noDep: alertingNoDep},
	"alerting/oncall": {vigil: []string{"alerting", "query", "depgraph"}, noDep: []string{"github.com/spf13"}},
	"sevbridge":       {vigil: []string{"query", "alerting", "depgraph"}, noImport: []string{"net/http", module + "/query/api", module + "/alerting/api", module + "/tsdb"}, noDep: []string{"github.com/spf13", module + "/tsdb"}},
	"sevbridge/api":   {vigil: []string{"sevbridge", "query/api"}, noImport: []string{module + "/alerting/notify"}, noDep: []string{"github.com/spf13", module + "/tsdb"}},
	"bench":           {vigil: []string{"ingest", "tsdb", "query"}, noDep: []string{"github.com/spf13"}},
	"e2e":             {noDep: []string{"github.com/spf13"}},
}

// goPackage is what go list says of one package.
type goPackage struct {
	ImportPath   string
	Imports      []string
	Deps         []string
	TestImports  []string
	XTestImports []string
}

// TestImportRules checks every Vigil package against importRules, after
// Pebble's internal/lint TestForbiddenImports: the arrows of DESIGN.md's
// package graph are the only imports between Vigil packages, engines do not
// serve HTTP, YAML and the CLI stay in cmd, and nothing imports cmd.
func TestImportRules(t *testing.T) {
	pkgs := listPackages(t)
	require.NotEmpty(t, pkgs)
	for _, p := range pkgs {
		for _, v := range violations(p) {
			t.Error(v)
		}
	}
}

// violations returns every import of p that breaks its rule.
func violations(p goPackage) []string {
	rel := relPath(p.ImportPath)
	key, rule, ok := ruleFor(rel)
	if !ok {
		return []string{rel + ": no import rule; add its directory to importRules in cmd/vigil/deps_test.go, as DESIGN.md's package table says"}
	}
	var bad []string
	for _, imp := range p.Imports {
		if dep, ok := strings.CutPrefix(imp, module+"/"); ok && !allowedVigil(rel, key, dep, rule) {
			bad = append(bad, fmt.Sprintf("%s imports %s; DESIGN.md allows %q and its own sub-packages", rel, dep, rule.vigil))
		}
		if hasPrefix(imp, rule.noImport) {
			bad = append(bad, fmt.Sprintf("%s imports %s; it must not", rel, imp))
		}
	}
	for _, dep := range p.Deps {
		if hasPrefix(dep, rule.noDep) {
			bad = append(bad, fmt.Sprintf("%s depends on %s (through its imports); it must not", rel, dep))
		}
	}
	return append(bad, importsOfCmd(p, rel, key)...)
}

// importsOfCmd reports imports of cmd, by the package or its tests.
func importsOfCmd(p goPackage, rel, key string) []string {
	if key == "cmd" {
		return nil
	}
	var bad []string
	for _, imp := range slices.Concat(p.Imports, p.TestImports, p.XTestImports) {
		if within(imp, module+"/cmd") {
			bad = append(bad, fmt.Sprintf("%s imports %s; nothing imports cmd", rel, imp))
		}
	}
	return bad
}

// allowedVigil reports whether the package rel, ruled by key, may import
// the Vigil package dep: one under the same rule (its own sub-packages,
// siblings, never its parent) or one its rule lists.
func allowedVigil(rel, key, dep string, rule importRule) bool {
	if depKey, _, _ := ruleFor(dep); depKey == key && !within(rel, dep) {
		return true
	}
	for _, a := range rule.vigil {
		if a == "" || within(dep, a) {
			return true
		}
	}
	return false
}

// ruleFor returns the most specific rule for the package at rel.
func ruleFor(rel string) (string, importRule, bool) {
	for key := rel; ; {
		if rule, ok := importRules[key]; ok {
			return key, rule, true
		}
		i := strings.LastIndexByte(key, '/')
		if i < 0 {
			return "", importRule{}, false
		}
		key = key[:i]
	}
}

// within reports whether path is dir or below it.
func within(path, dir string) bool {
	return path == dir || strings.HasPrefix(path, dir+"/")
}

// hasPrefix reports whether path starts with one of prefixes.
func hasPrefix(path string, prefixes []string) bool {
	return slices.ContainsFunc(prefixes, func(p string) bool { return strings.HasPrefix(path, p) })
}

// relPath strips the module path: "github.com/vigilsre/vigil/tsdb/wal" is
// "tsdb/wal".
func relPath(importPath string) string {
	return strings.TrimPrefix(strings.TrimPrefix(importPath, module), "/")
}

// listPackages runs go list over the module. Packages that do not compile
// are listed too (-e): their imports still count.
func listPackages(t *testing.T) []goPackage {
	t.Helper()
	cmd := exec.Command("go", "list", "-e", "-json=ImportPath,Imports,Deps,TestImports,XTestImports", module+"/...")
	out, err := cmd.Output()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		t.Fatalf("go list: %v\n%s", err, exit.Stderr)
	}
	require.NoError(t, err)
	var pkgs []goPackage
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for {
		var p goPackage
		if err := dec.Decode(&p); err == io.EOF {
			return pkgs
		} else if err != nil {
			t.Fatalf("decode go list output: %v", err)
		}
		pkgs = append(pkgs, p)
	}
}

// TestImportRulesCatch makes sure the checker fails on the imports it is
// there to catch.
func TestImportRulesCatch(t *testing.T) {
	tests := []struct {
		name string
		pkg  goPackage
		ok   bool
	}{
		{"tsdb imports its wal", goPackage{ImportPath: module + "/tsdb", Imports: []string{module + "/tsdb/wal"}}, true},
		{"tsdb/wal imports tsdb/gorilla", goPackage{ImportPath: module + "/tsdb/wal", Imports: []string{module + "/tsdb/gorilla"}}, true},
		{"tsdb imports query", goPackage{ImportPath: module + "/tsdb", Imports: []string{module + "/query"}}, false},
		{"tsdb imports net/http", goPackage{ImportPath: module + "/tsdb", Imports: []string{"net/http"}}, false},
		{"tsdb depends on yaml", goPackage{ImportPath: module + "/tsdb", Deps: []string{"go.yaml.in/yaml/v3"}}, false},
		{"ingest imports tsdb", goPackage{ImportPath: module + "/ingest", Imports: []string{module + "/tsdb", "net/http"}}, true},
		{"ingest imports query", goPackage{ImportPath: module + "/ingest", Imports: []string{module + "/query"}}, false},
		{"query imports query/api", goPackage{ImportPath: module + "/query", Imports: []string{module + "/query/api"}}, false},
		{"query imports net/http", goPackage{ImportPath: module + "/query", Imports: []string{"net/http"}}, false},
		{"query/api imports query", goPackage{ImportPath: module + "/query/api", Imports: []string{module + "/query", "net/http"}}, true},
		{"query/api imports tsdb", goPackage{ImportPath: module + "/query/api", Imports: []string{module + "/tsdb"}}, false},
		{"ingest test imports cmd", goPackage{ImportPath: module + "/ingest", XTestImports: []string{module + "/cmd/vigil"}}, false},
		{"tsdb/wal imports tsdb", goPackage{ImportPath: module + "/tsdb/wal", Imports: []string{module + "/tsdb"}}, false},
		{"a package without a rule", goPackage{ImportPath: module + "/misc"}, false},
		{"alerting imports query", goPackage{ImportPath: module + "/alerting", Imports: []string{module + "/query"}}, true},
		{"alerting imports tsdb", goPackage{ImportPath: module + "/alerting", Imports: []string{module + "/tsdb"}}, false},
		{"alerting depends on tsdb", goPackage{ImportPath: module + "/alerting", Deps: []string{module + "/tsdb"}}, false},
		{"alerting imports net/http", goPackage{ImportPath: module + "/alerting", Imports: []string{"net/http"}}, false},
		{"alerting imports query/api", goPackage{ImportPath: module + "/alerting", Imports: []string{module + "/query/api"}}, false},
		{"alerting imports notify", goPackage{ImportPath: module + "/alerting", Imports: []string{module + "/alerting/notify"}}, false},
		{"alerting depends on cobra", goPackage{ImportPath: module + "/alerting", Deps: []string{"github.com/spf13/cobra"}}, false},
		{"notify imports alerting and net/http", goPackage{ImportPath: module + "/alerting/notify", Imports: []string{module + "/alerting", "net/http"}}, true},
		{"notify imports query", goPackage{ImportPath: module + "/alerting/notify", Imports: []string{module + "/query"}}, false},
		{"notify imports alerting/api", goPackage{ImportPath: module + "/alerting/notify", Imports: []string{module + "/alerting/api"}}, false},
		{"alerting/api imports alerting and query/api", goPackage{ImportPath: module + "/alerting/api", Imports: []string{module + "/alerting", module + "/query/api", "net/http"}}, true},
		{"alerting/api imports query", goPackage{ImportPath: module + "/alerting/api", Imports: []string{module + "/query"}}, false},
		{"alerting/api imports tsdb", goPackage{ImportPath: module + "/alerting/api", Imports: []string{module + "/tsdb"}}, false},
		{"alerting test imports cmd", goPackage{ImportPath: module + "/alerting", TestImports: []string{module + "/cmd/vigil"}}, false},
		{"depgraph imports yaml and labels", goPackage{ImportPath: module + "/depgraph", Imports: []string{"go.yaml.in/yaml/v3", "github.com/prometheus/prometheus/model/labels", "sync", "fmt"}}, true},
		{"depgraph imports a Vigil package", goPackage{ImportPath: module + "/depgraph", Imports: []string{module + "/query"}}, false},
		{"depgraph imports os", goPackage{ImportPath: module + "/depgraph", Imports: []string{"os"}}, false},
		{"depgraph imports net/http", goPackage{ImportPath: module + "/depgraph", Imports: []string{"net/http"}}, false},
		{"depgraph imports path/filepath", goPackage{ImportPath: module + "/depgraph", Imports: []string{"path/filepath"}}, false},
		{"depgraph imports log/slog", goPackage{ImportPath: module + "/depgraph", Imports: []string{"log/slog"}}, false},
		{"depgraph reads the clock", goPackage{ImportPath: module + "/depgraph", Imports: []string{"time"}}, false},
		{"depgraph registers metrics", goPackage{ImportPath: module + "/depgraph", Imports: []string{"github.com/prometheus/client_golang/prometheus"}}, false},
		{"depgraph depends on cobra", goPackage{ImportPath: module + "/depgraph", Deps: []string{"github.com/spf13/cobra"}}, false},
		{"alerting imports depgraph", goPackage{ImportPath: module + "/alerting", Imports: []string{module + "/depgraph"}}, true},
		{"alerting/api imports depgraph", goPackage{ImportPath: module + "/alerting/api", Imports: []string{module + "/alerting", module + "/depgraph", "net/http"}}, true},
		{"notify imports depgraph", goPackage{ImportPath: module + "/alerting/notify", Imports: []string{module + "/depgraph"}}, false},
		{"sevbridge imports query, alerting, notify and depgraph", goPackage{ImportPath: module + "/sevbridge", Imports: []string{module + "/query", module + "/alerting", module + "/alerting/notify", module + "/depgraph"}}, true},
		{"sevbridge imports net/http", goPackage{ImportPath: module + "/sevbridge", Imports: []string{"net/http"}}, false},
		{"sevbridge imports query/api", goPackage{ImportPath: module + "/sevbridge", Imports: []string{module + "/query/api"}}, false},
		{"sevbridge imports its api", goPackage{ImportPath: module + "/sevbridge", Imports: []string{module + "/sevbridge/api"}}, false},
		{"sevbridge depends on tsdb", goPackage{ImportPath: module + "/sevbridge", Deps: []string{module + "/tsdb"}}, false},
		{"sevbridge/api imports sevbridge and query/api", goPackage{ImportPath: module + "/sevbridge/api", Imports: []string{module + "/sevbridge", module + "/query/api", "net/http"}}, true},
		{"sevbridge/api imports query", goPackage{ImportPath: module + "/sevbridge/api", Imports: []string{module + "/query"}}, false},
		{"sevbridge/api imports alerting", goPackage{ImportPath: module + "/sevbridge/api", Imports: []string{module + "/alerting"}}, false},
		{"sevbridge/api depends on cobra", goPackage{ImportPath: module + "/sevbridge/api", Deps: []string{"github.com/spf13/cobra"}}, false},
		{"cmd imports everything", goPackage{ImportPath: module + "/cmd/vigil", Imports: []string{module + "/query/api", module + "/tsdb", "go.yaml.in/yaml/v3"}}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := violations(tt.pkg)
			require.Equal(t, tt.ok, len(got) == 0, "%q", got)
		})
	}
}
