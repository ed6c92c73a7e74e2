package e2e

import (
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// The rule file fixtures of package alerting (its check_files_test.go lists
// every expected error; here, the line of each file's first error).
const rulesTestdata = "../alerting/testdata/rules"

var badRulesFirstLine = map[string][]int{
	"bad_promql.yml":         {6},
	"missing_expr.yml":       {5},
	"alert_and_record.yml":   {7, 8},
	"bad_duration.yml":       {7},
	"unknown_key.yml":        {8},
	"duplicate_group.yml":    {11},
	"bad_template.yml":       {11},
	"invalid_label_name.yml": {9},
	"tab_indent.yml":         {9},
	"tab_in_rule.yml":        {8, 9},
	"bad_indentation.yml":    {8},
	"record_with_for.yml":    {5, 7},
}

// TestRulesCheck runs `vigil rules check` as a user would: the real-world
// rule files pass with exit code 0; each broken file fails with exit code 1
// and output naming the file and the line.
func TestRulesCheck(t *testing.T) {
	t.Parallel()
	good, err := filepath.Glob(filepath.Join(rulesTestdata, "good", "*.yml"))
	if err != nil || len(good) == 0 {
		t.Fatalf("glob good rule files: %d, %v", len(good), err)
	}
	out, code := runVigil(t, append([]string{"rules", "check"}, good...)...)
	if code != 0 {
		t.Errorf("vigil rules check %d good files: exit %d, want 0; output:\n%s", len(good), code, out)
	}
	bad, err := filepath.Glob(filepath.Join(rulesTestdata, "bad", "*.yml"))
	if err != nil || len(bad) != len(badRulesFirstLine) {
		t.Fatalf("glob bad rule files: %d files (%v), want the %d listed", len(bad), err, len(badRulesFirstLine))
	}
	for _, path := range bad {
		name := filepath.Base(path)
		out, code := runVigil(t, "rules", "check", path)
		lines := outputLines(name, out)
		if code != 1 || !strings.Contains(out, name) || !slices.ContainsFunc(lines, func(l int) bool { return slices.Contains(badRulesFirstLine[name], l) }) {
			t.Errorf("vigil rules check %s: exit %d, lines %v; want exit 1, the file name and one of lines %v; output:\n%s",
				name, code, lines, badRulesFirstLine[name], out)
		}
	}
	out, code = runVigil(t, append([]string{"rules", "check", bad[0]}, good...)...)
	if code != 1 {
		t.Errorf("vigil rules check with one bad file among good ones: exit %d, want 1; output:\n%s", code, out)
	}
}

// outputLines returns the line numbers out gives for file: "file:12",
// "file: 12:3" or "line 12".
func outputLines(file, out string) []int {
	var lines []int
	for _, re := range []*regexp.Regexp{
		regexp.MustCompile(regexp.QuoteMeta(file) + `:\s?(\d+)\b`),
		regexp.MustCompile(`\blines? (\d+)\b`),
	} {
		for _, m := range re.FindAllStringSubmatch(out, -1) {
			n, _ := strconv.Atoi(m[1])
			lines = append(lines, n)
		}
	}
	return lines
}
