package alerting

import (
	"cmp"
	"io"
	"log/slog"
	"slices"
	"strings"

	"github.com/prometheus/prometheus/promql/parser"

	"github.com/vigilsre/vigil/depgraph"
)

// LoadSpec names the files a Manager loads: rule files, and the services
// files of the dependency graph (see package depgraph). Entries with a
// glob metacharacter (*, ?, [) are expanded with filepath.Glob (matching
// nothing is not an error); other entries are paths.
type LoadSpec struct {
	RuleFiles    []string
	ServiceFiles []string
}

// ruleSet is everything a Load puts in effect at once: the groups and the
// dependency graph of their alerts and the services.
type ruleSet struct {
	groups []*group
	graph  *depgraph.Graph
}

// CheckFiles validates the files of spec offline (for `vigil rules check`
// and `vigil deps check`): every problem of every rule file and services
// file, each naming file and line, and then, when they all parse, the
// dependency graph they make (unknown alerts and services, with file and
// line; cycles, printed). nil means everything is valid.
func CheckFiles(spec LoadSpec) []error {
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	_, _, errs := readSpec(spec, newParser(), logger)
	return errs
}

// readSpec reads and validates every file of spec and builds the graph.
// The graph is built only when every file is valid: an alert of a broken
// rule file would read as an unknown reference.
func readSpec(spec LoadSpec, p parser.Parser, logger *slog.Logger) ([]ruleFile, *depgraph.Graph, []error) {
	rules, errs := readRuleFiles(spec.RuleFiles, p, logger)
	svcs, svcErrs := readServiceFiles(spec.ServiceFiles)
	if errs = append(errs, svcErrs...); len(errs) > 0 {
		return nil, nil, errs
	}
	g, err := depgraph.Build(alertSpecs(rules, svcs), svcs)
	if err != nil {
		return nil, nil, splitJoined(err)
	}
	return rules, g, nil
}

// readServiceFiles expands patterns and parses every services file,
// collecting every problem of every file.
func readServiceFiles(patterns []string) ([]depgraph.Services, []error) {
	paths, err := expandFiles("services file", patterns)
	if err != nil {
		return nil, []error{err}
	}
	var (
		out  []depgraph.Services
		errs []error
	)
	for _, path := range paths {
		content, err := readFile(path)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		s, err := depgraph.ParseServices(path, content)
		if err != nil {
			errs = append(errs, splitJoined(err)...)
			continue
		}
		out = append(out, s)
	}
	return out, errs
}

// alertSpecs returns the graph node of every alert name the rule files
// define, in file order. Rules that share an alert name are one node:
// their depends_on lists add up, and ignore_service_dependencies holds if
// any of them sets it (depgraph decides per alert name, not per rule). A
// rule whose labels (or its group's) set a service label to a declared
// service, without a template, belongs to that service statically.
func alertSpecs(files []ruleFile, svcs []depgraph.Services) []depgraph.AlertSpec {
	var specs []depgraph.AlertSpec
	index := map[string]int{}
	static := staticServices(svcs)
	for _, f := range files {
		for gi, rg := range f.groups {
			for ri, r := range rg.Rules {
				if r.Alert == "" {
					continue
				}
				i, ok := index[r.Alert]
				if !ok {
					i, index[r.Alert] = len(specs), len(specs)
					specs = append(specs, depgraph.AlertSpec{Name: r.Alert, File: f.path, Line: f.ext(gi, ri).line})
				}
				addRule(&specs[i], f.ext(gi, ri), static(rg.Labels, r.Labels))
			}
		}
	}
	return specs
}

// addRule adds what one rule says to the node of its alert name.
func addRule(spec *depgraph.AlertSpec, ext ruleExt, services []string) {
	spec.DependsOn = append(spec.DependsOn, ext.dependsOn...)
	spec.IgnoreServiceDependencies = spec.IgnoreServiceDependencies || ext.ignoreService
	for _, s := range services {
		if !slices.Contains(spec.Services, s) {
			spec.Services = append(spec.Services, s)
		}
	}
}

// staticServices returns a function giving the declared services a rule's
// labels (over its group's) name in a service label of svcs.
func staticServices(svcs []depgraph.Services) func(group, rule map[string]string) []string {
	var names []string
	declared := map[string]bool{}
	for _, f := range svcs {
		name := cmp.Or(f.ServiceLabel, depgraph.DefaultServiceLabel)
		if !slices.Contains(names, name) {
			names = append(names, name)
		}
		for _, s := range f.Services {
			declared[s.Name] = true
		}
	}
	return func(group, rule map[string]string) []string {
		var out []string
		for _, n := range names {
			v, ok := rule[n]
			if !ok {
				v = group[n]
			}
			if declared[v] && !strings.Contains(v, "{{") && !slices.Contains(out, v) {
				out = append(out, v)
			}
		}
		return out
	}
}

// splitJoined returns the errors errors.Join joined, or err alone.
func splitJoined(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// emptyGraph is the graph of no alerts and no services, in effect before
// the first Load.
func emptyGraph() *depgraph.Graph {
	g, err := depgraph.Build(nil, nil)
	if err != nil {
		panic("BUG: the empty dependency graph does not build: " + err.Error())
	}
	return g
}
