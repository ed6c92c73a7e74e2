package alerting

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/rulefmt"
	"github.com/prometheus/prometheus/promql/parser"
)

// ruleFile is one parsed and validated rule file.
type ruleFile struct {
	path   string
	groups []rulefmt.RuleGroup
	exts   [][]ruleExt // exts[g][r]: the extension keys of rule r of group g
}

// ext returns the extension keys of rule r of group g.
func (f ruleFile) ext(g, r int) ruleExt {
	if g < len(f.exts) && r < len(f.exts[g]) {
		return f.exts[g][r]
	}
	return ruleExt{}
}

// newParser returns the PromQL parser rules are checked with: Prometheus'
// current dialect, the one the query engine speaks.
func newParser() parser.Parser {
	return parser.NewParser(parser.Options{})
}

// readRuleFiles expands patterns and parses every file, collecting every
// problem of every file.
func readRuleFiles(patterns []string, p parser.Parser, logger *slog.Logger) ([]ruleFile, []error) {
	paths, err := expandFiles("rule file", patterns)
	if err != nil {
		return nil, []error{err}
	}
	var (
		files []ruleFile
		errs  []error
	)
	for _, path := range paths {
		f, ferrs := readRuleFile(path, p, logger)
		errs = append(errs, ferrs...)
		files = append(files, f)
	}
	return files, errs
}

// expandFiles turns the entries of a LoadSpec into paths: an entry with a
// glob metacharacter is expanded (matching nothing is not an error, as in
// Prometheus), any other entry is a path. A path listed twice is read once.
// kind names the files in errors.
func expandFiles(kind string, patterns []string) ([]string, error) {
	var paths []string
	seen := map[string]bool{}
	for _, pat := range patterns {
		matches := []string{pat}
		if strings.ContainsAny(pat, "*?[") {
			var err error
			if matches, err = filepath.Glob(pat); err != nil {
				return nil, fmt.Errorf("%s pattern %q: %w", kind, pat, err)
			}
		}
		for _, m := range matches {
			if !seen[m] {
				seen[m] = true
				paths = append(paths, m)
			}
		}
	}
	return paths, nil
}

// readRuleFile reads and validates one file with Prometheus' rulefmt,
// turning its errors into FileErrors, and reads Vigil's extension keys.
// rulefmt ignores unknown fields so that the extensions pass;
// readExtensions rejects every other unknown key, so the file is as strict
// as with rulefmt alone.
func readRuleFile(path string, p parser.Parser, logger *slog.Logger) (ruleFile, []error) {
	content, err := readFile(path)
	if err != nil {
		return ruleFile{path: path}, []error{err}
	}
	rgs, errs := rulefmt.Parse(content, true, model.UTF8Validation, p, logger.With("file", path))
	exts, extErrs := readExtensions(path, content)
	if len(errs)+len(extErrs) > 0 {
		return ruleFile{path: path}, sortByLine(append(positionErrors(path, content, errs), extErrs...))
	}
	return ruleFile{path: path, groups: rgs.Groups, exts: exts}, nil
}

// readFile reads a rule or services file; an error is a FileError.
func readFile(path string) ([]byte, error) {
	content, err := os.ReadFile(path)
	if err != nil {
		if pe, ok := errors.AsType[*fs.PathError](err); ok {
			err = pe.Err // the path is in FileError already
		}
		return nil, &FileError{File: path, Err: err}
	}
	return content, nil
}
