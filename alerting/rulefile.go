package alerting

import (
	"errors"
	"fmt"
	"io"
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
}

// CheckFiles validates rule files offline (for `vigil rules check`): every
// problem, each naming file and line (a *FileError). Entries of files that
// contain a glob metacharacter (*, ?, [) are expanded with filepath.Glob;
// other entries are paths. nil means every file is valid.
func CheckFiles(files []string) []error {
	_, errs := readRuleFiles(files, newParser(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	return errs
}

// newParser returns the PromQL parser rules are checked with: Prometheus'
// current dialect, the one the query engine speaks.
func newParser() parser.Parser {
	return parser.NewParser(parser.Options{})
}

// readRuleFiles expands patterns and parses every file, collecting every
// problem of every file.
func readRuleFiles(patterns []string, p parser.Parser, logger *slog.Logger) ([]ruleFile, []error) {
	paths, err := expandFiles(patterns)
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

// expandFiles turns the entries of Load and CheckFiles into paths: an entry
// with a glob metacharacter is expanded (matching nothing is not an error,
// as in Prometheus), any other entry is a path. A path listed twice is read
// once.
func expandFiles(patterns []string) ([]string, error) {
	var paths []string
	seen := map[string]bool{}
	for _, pat := range patterns {
		matches := []string{pat}
		if strings.ContainsAny(pat, "*?[") {
			var err error
			if matches, err = filepath.Glob(pat); err != nil {
				return nil, fmt.Errorf("rule file pattern %q: %w", pat, err)
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

// readRuleFile reads and validates one file with Prometheus' rulefmt
// (strict: unknown fields are errors), turning its errors into FileErrors.
func readRuleFile(path string, p parser.Parser, logger *slog.Logger) (ruleFile, []error) {
	content, err := os.ReadFile(path)
	if err != nil {
		if pe, ok := errors.AsType[*fs.PathError](err); ok {
			err = pe.Err // the path is in FileError already
		}
		return ruleFile{path: path}, []error{&FileError{File: path, Err: err}}
	}
	rgs, errs := rulefmt.Parse(content, false, model.UTF8Validation, p, logger.With("file", path))
	if len(errs) > 0 {
		return ruleFile{path: path}, positionErrors(path, content, errs)
	}
	return ruleFile{path: path, groups: rgs.Groups}, nil
}
