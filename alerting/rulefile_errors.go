package alerting

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"

	"github.com/prometheus/prometheus/model/rulefmt"
	"go.yaml.in/yaml/v3"
)

// FileError is a problem in a rule file: File and, when known, the 1-based
// Line it is on. Its message reads "FILE:LINE: reason".
type FileError struct {
	File string
	Line int // 0 when the problem is not on one line (an unreadable file)
	Err  error
}

// Error returns "FILE:LINE: reason", or "FILE: reason" without a line.
func (e *FileError) Error() string {
	if e.Line <= 0 {
		return fmt.Sprintf("%s: %v", e.File, e.Err)
	}
	return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err)
}

// Unwrap returns the reason.
func (e *FileError) Unwrap() error { return e.Err }

var (
	// positionPrefix is rulefmt's "LINE:COL: " (twice when it points at two
	// fields).
	positionPrefix = regexp.MustCompile(`^(\d+):\d+: (?:\d+:\d+: )?`)
	// yamlLine is the "line N: " of YAML syntax and type errors.
	yamlLine = regexp.MustCompile(`line (\d+): `)
)

// positionErrors turns rulefmt's errors for the file at path into
// FileErrors with a line each, dropping repeats (rulefmt decodes a file
// twice, so a YAML error may come twice).
func positionErrors(path string, content []byte, errs []error) []error {
	idx := indexFile(content)
	var out []error
	seen := map[string]bool{}
	for _, err := range errs {
		for _, fe := range idx.position(path, err) {
			if msg := fe.Error(); !seen[msg] {
				seen[msg] = true
				out = append(out, fe)
			}
		}
	}
	return sortByLine(out)
}

// sortByLine orders the FileErrors of one file by line, keeping the order
// of errors on one line (rulefmt walks maps, labels and annotations: this
// reports the same file the same way every time).
func sortByLine(errs []error) []error {
	slices.SortStableFunc(errs, func(a, b error) int {
		return a.(*FileError).Line - b.(*FileError).Line
	})
	return errs
}

// position finds the line of one rulefmt error.
func (idx fileIndex) position(path string, err error) []*FileError {
	if te, ok := errors.AsType[*yaml.TypeError](err); ok {
		out := make([]*FileError, 0, len(te.Errors))
		for _, msg := range te.Errors {
			line, rest := splitYAMLLine(msg)
			out = append(out, &FileError{File: path, Line: line, Err: errors.New(rest)})
		}
		return out
	}
	if re, ok := errors.AsType[*rulefmt.Error](err); ok {
		return []*FileError{idx.ruleError(path, re)}
	}
	return []*FileError{idx.otherError(path, err.Error())}
}

// ruleError positions an error of one rule: rulefmt gives the line of the
// offending field when it knows it; otherwise (labels, annotations,
// templates, missing fields) the line is looked up here.
func (idx fileIndex) ruleError(path string, re *rulefmt.Error) *FileError {
	line, msg := splitPosition(re.Error())
	if line == 0 {
		line = idx.ruleLine(re.Group, re.Rule, msg)
	}
	return &FileError{File: path, Line: line, Err: errors.New(msg)}
}

// otherError positions a group-level or YAML error.
func (idx fileIndex) otherError(path, msg string) *FileError {
	line, msg := splitPosition(msg)
	if line == 0 {
		line, msg = splitYAMLLine(msg)
	}
	if line == 0 {
		line = idx.groupLine(msg)
	}
	if line == 0 {
		line = idx.quotedLine(msg)
	}
	return &FileError{File: path, Line: line, Err: errors.New(msg)}
}

// splitPosition takes rulefmt's "LINE:COL: " out of msg; the line is 0 when
// there is none or rulefmt did not know it (it writes 0:0 then).
func splitPosition(msg string) (int, string) {
	m := positionPrefix.FindStringSubmatch(msg)
	if m == nil {
		return 0, msg
	}
	line, _ := strconv.Atoi(m[1])
	return line, msg[len(m[0]):]
}

// splitYAMLLine takes the "line N: " out of a YAML error message.
func splitYAMLLine(msg string) (int, string) {
	loc := yamlLine.FindStringSubmatchIndex(msg)
	if loc == nil {
		return 0, msg
	}
	line, _ := strconv.Atoi(msg[loc[2]:loc[3]])
	return line, msg[:loc[0]] + msg[loc[1]:]
}
