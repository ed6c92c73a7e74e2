package alerting_test

import (
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/vigilsre/vigil/alerting"
)

// The rule file fixtures. testdata/rules/good holds real-world style rule
// files (node exporter, Kubernetes, HTTP error ratio and latency, SLO burn
// rates, blackbox probes) that must load unchanged; testdata/rules/bad holds
// one mistake (or a few) per file, with the errors listed in badRuleFiles.
const (
	goodRulesGlob = "testdata/rules/good/*.yml"
	badRulesDir   = "testdata/rules/bad"
)

// wantError is one error CheckFiles must report: it names the file and one
// of lines, and its text matches reason (case-insensitive).
type wantError struct {
	lines  []int // the right line; a few cases accept two (see their comments)
	reason string
}

func at(reason string, lines ...int) wantError { return wantError{lines: lines, reason: reason} }

// badRuleFiles lists, for each file in testdata/rules/bad, every error
// CheckFiles must report, in file order, and no others. The lines are the
// lines of the offending text. TestCheckFilesBad requires that every bad
// file is listed here.
var badRuleFiles = []struct {
	file string
	want []wantError
}{
	// The expression of a block scalar may be named by the line of `expr:`
	// or by the line of the error inside the expression.
	{"bad_promql.yml", []wantError{at(`parse error|unexpected`, 6), at(`absent_or_zero`, 11, 16)}},
	{"missing_expr.yml", []wantError{at(`expr`, 5)}},
	// Either of the two conflicting keys is the right line.
	{"alert_and_record.yml", []wantError{at(`record.*alert|alert.*record`, 7, 8)}},
	{"bad_duration.yml", []wantError{at(`5 minutes`, 7)}},
	{"unknown_key.yml", []wantError{at(`\bannotation\b`, 8)}},
	{"duplicate_group.yml", []wantError{at(`api-availability.*(repeated|duplicate|twice|already)|(repeated|duplicate|twice|already).*api-availability`, 11)}},
	{"bad_template.yml", []wantError{at(`summary`, 11)}},
	{"invalid_label_name.yml", []wantError{at(`label name.*__name__|__name__.*label name`, 9), at(`label name`, 14)}},
	{"tab_indent.yml", []wantError{at(`tab|cannot start any token`, 9)}},
	// YAML's parser names the line where the enclosing rule starts (8) for
	// a tab right after it; the tab is on line 9.
	{"tab_in_rule.yml", []wantError{at(`tab`, 8, 9)}},
	{"bad_indentation.yml", []wantError{at(`mapping values|indent`, 8)}},
	// `for` in a recording rule: the rule (5) or the `for` key (7).
	{"record_with_for.yml", []wantError{at(`\bfor\b`, 5, 7), at(`brace|metric name|record`, 8)}},
}

// TestCheckFilesGood requires every good fixture to pass, one at a time and
// all together.
func TestCheckFilesGood(t *testing.T) {
	files, err := filepath.Glob(goodRulesGlob)
	if err != nil || len(files) < 5 {
		t.Fatalf("glob %s: %d files, %v", goodRulesGlob, len(files), err)
	}
	for _, f := range files {
		if errs := alerting.CheckFiles(alerting.LoadSpec{RuleFiles: []string{f}}); len(errs) != 0 {
			t.Errorf("%s: want no errors, got %d:\n%s", f, len(errs), joinErrors(errs))
		}
	}
	if errs := alerting.CheckFiles(alerting.LoadSpec{RuleFiles: files}); len(errs) != 0 {
		t.Errorf("all good files together: want no errors, got:\n%s", joinErrors(errs))
	}
}

// TestCheckFilesBad checks each bad fixture on its own: exactly the listed
// errors, each naming the file and the right line.
func TestCheckFilesBad(t *testing.T) {
	requireAllListed(t)
	for _, c := range badRuleFiles {
		t.Run(strings.TrimSuffix(c.file, ".yml"), func(t *testing.T) {
			path := filepath.Join(badRulesDir, c.file)
			errs := alerting.CheckFiles(alerting.LoadSpec{RuleFiles: []string{path}})
			t.Logf("CheckFiles(%s):\n%s", c.file, joinErrors(errs))
			if problems := matchErrors(c.file, errs, c.want); len(problems) > 0 {
				t.Errorf("CheckFiles(%s):\n%s\ngot %d errors:\n%s", path, strings.Join(problems, "\n"), len(errs), joinErrors(errs))
			}
		})
	}
}

// TestCheckFilesAll checks every bad and good file in one call: every
// problem of every bad file is reported, each naming its own file, and the
// good files add none.
func TestCheckFilesAll(t *testing.T) {
	good, err := filepath.Glob(goodRulesGlob)
	if err != nil {
		t.Fatal(err)
	}
	files := slices.Clone(good)
	want := 0
	for _, c := range badRuleFiles {
		files = append(files, filepath.Join(badRulesDir, c.file))
		want += len(c.want)
	}
	errs := alerting.CheckFiles(alerting.LoadSpec{RuleFiles: files})
	if len(errs) != want {
		t.Errorf("CheckFiles(all): got %d errors, want %d:\n%s", len(errs), want, joinErrors(errs))
	}
	for _, c := range badRuleFiles {
		var mine []error
		for _, e := range errs {
			if strings.Contains(e.Error(), c.file) {
				mine = append(mine, e)
			}
		}
		if problems := matchErrors(c.file, mine, c.want); len(problems) > 0 {
			t.Errorf("%s among all files:\n%s", c.file, strings.Join(problems, "\n"))
		}
	}
}

// TestCheckFilesMissing requires a file that does not exist to be an error
// naming it.
func TestCheckFilesMissing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "no-such-rules.yml")
	errs := alerting.CheckFiles(alerting.LoadSpec{RuleFiles: []string{path}})
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), "no-such-rules.yml") {
		t.Errorf("CheckFiles(missing file): got %d errors, want one naming the file:\n%s", len(errs), joinErrors(errs))
	}
}

// requireAllListed fails the test when a file in the bad directory has no
// entry in badRuleFiles (or an entry names a file that is gone).
func requireAllListed(t *testing.T) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(badRulesDir, "*.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var onDisk, listed []string
	for _, f := range files {
		onDisk = append(onDisk, filepath.Base(f))
	}
	for _, c := range badRuleFiles {
		listed = append(listed, c.file)
	}
	slices.Sort(onDisk)
	slices.Sort(listed)
	if !slices.Equal(onDisk, listed) {
		t.Fatalf("bad fixtures on disk %q != listed in badRuleFiles %q", onDisk, listed)
	}
}

// matchErrors pairs got with want in order and describes every mismatch:
// a wrong count, an error that does not name the file, the wrong line or
// the wrong reason.
func matchErrors(file string, got []error, want []wantError) []string {
	var problems []string
	if len(got) != len(want) {
		problems = append(problems, fmt.Sprintf("  got %d errors, want %d", len(got), len(want)))
	}
	for i, w := range want {
		if i >= len(got) {
			problems = append(problems, fmt.Sprintf("  missing error %d: line %v, reason /%s/", i+1, w.lines, w.reason))
			continue
		}
		if p := matchError(file, got[i].Error(), w); p != "" {
			problems = append(problems, fmt.Sprintf("  error %d %q: %s", i+1, got[i], p))
		}
	}
	return problems
}

// matchError says what is wrong with msg as the error w, or "" if nothing.
func matchError(file, msg string, w wantError) string {
	if !strings.Contains(msg, file) {
		return "does not name the file " + file
	}
	lines := errorLines(file, msg)
	if !slices.ContainsFunc(lines, func(l int) bool { return slices.Contains(w.lines, l) }) {
		return fmt.Sprintf("names lines %v, want one of %v", lines, w.lines)
	}
	if !regexp.MustCompile(`(?is)` + w.reason).MatchString(msg) {
		return fmt.Sprintf("does not match reason /%s/", w.reason)
	}
	return ""
}

// errorLines returns the line numbers msg gives: "file:12", "file: 12:3"
// or "line 12".
func errorLines(file string, msg string) []int {
	pats := []*regexp.Regexp{
		regexp.MustCompile(regexp.QuoteMeta(file) + `:\s?(\d+)\b`),
		regexp.MustCompile(`\blines? (\d+)\b`),
	}
	var lines []int
	for _, re := range pats {
		for _, m := range re.FindAllStringSubmatch(msg, -1) {
			n, _ := strconv.Atoi(m[1])
			lines = append(lines, n)
		}
	}
	return lines
}

func joinErrors(errs []error) string {
	var b strings.Builder
	for _, e := range errs {
		fmt.Fprintf(&b, "    %v\n", e)
	}
	return b.String()
}
