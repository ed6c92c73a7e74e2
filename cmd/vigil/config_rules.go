package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/vigilsre/vigil/alerting"
)

// rulesSchema maps the keys of the rules section. Relative rule file globs
// are resolved against dir, the directory of the configuration file.
func rulesSchema(d *decoder, c *RulesConfig, dir string) schema {
	return schema{
		"files":                d.globs(&c.Files, dir),
		"evaluation_interval":  d.positiveDuration(&c.EvaluationInterval),
		"missing_data_timeout": d.positiveDuration(&c.MissingDataTimeout),
		"external_url":         d.httpURL(&c.ExternalURL),
	}
}

// globs decodes a list of file globs (filepath.Match syntax), each resolved
// against dir unless it is absolute.
func (d *decoder) globs(dst *[]string, dir string) decodeFunc {
	return d.list(
		func(n int) { *dst = make([]string, 0, n) },
		func(int) decodeFunc {
			return func(n *yaml.Node, path string) {
				if p, ok := d.glob(n, path); ok {
					*dst = append(*dst, resolvePath(dir, p))
				}
			}
		})
}

// glob decodes one glob, checking its syntax.
func (d *decoder) glob(n *yaml.Node, path string) (string, bool) {
	var p string
	d.nonEmpty(&p)(n, path)
	if p == "" {
		return "", false
	}
	if _, err := filepath.Match(p, ""); err != nil {
		d.errorf(n, path, "invalid glob %q: %v", p, err)
		return "", false
	}
	return p, true
}

// resolvePath makes a relative path relative to dir.
func resolvePath(dir, p string) string {
	if filepath.IsAbs(p) || dir == "" {
		return p
	}
	return filepath.Join(dir, p)
}

// expandLoadSpec expands the globs of rules.files and dependencies.files
// into the files alerting.Manager.Load and alerting.CheckFiles take.
func expandLoadSpec(rules, services []string) (alerting.LoadSpec, error) {
	ruleFiles, err := expandRuleFiles(rules)
	if err != nil {
		return alerting.LoadSpec{}, err
	}
	serviceFiles, err := expandFiles("services file", services)
	if err != nil {
		return alerting.LoadSpec{}, err
	}
	return alerting.LoadSpec{RuleFiles: ruleFiles, ServiceFiles: serviceFiles}, nil
}

// expandRuleFiles expands the rule file globs into the files they name, in
// order, each once; see expandFiles.
func expandRuleFiles(patterns []string) ([]string, error) {
	return expandFiles("rule file", patterns)
}

// expandFiles expands the globs of a files key into the files they name,
// in order, each once. A glob that matches nothing is fine (a directory of
// rule files may be empty); a path without glob characters names one file,
// which must exist. kind names the files in errors.
func expandFiles(kind string, patterns []string) ([]string, error) {
	var files []string
	seen := make(map[string]bool)
	for _, p := range patterns {
		matches, err := expandGlob(kind, p)
		if err != nil {
			return nil, err
		}
		for _, f := range matches {
			if !seen[f] {
				seen[f] = true
				files = append(files, f)
			}
		}
	}
	return files, nil
}

// expandGlob expands one pattern of a files key.
func expandGlob(kind, p string) ([]string, error) {
	if !hasGlobMeta(p) {
		if _, err := os.Stat(p); err != nil {
			return nil, fmt.Errorf("%s: %w", kind, err)
		}
		return []string{p}, nil
	}
	matches, err := filepath.Glob(p)
	if err != nil {
		return nil, fmt.Errorf("%s glob %q: %w", kind, p, err)
	}
	return matches, nil
}

// hasGlobMeta reports whether p has any of filepath.Match's special
// characters.
func hasGlobMeta(p string) bool {
	return strings.ContainsAny(p, `*?[\`)
}
