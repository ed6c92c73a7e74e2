package alerting

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCheckFiles checks every fixture of testdata/check: a *.good.yml file
// has no problem; a *.bad.yml file has exactly the problems its "# error:"
// lines list, in order, each "FILE:LINE: reason".
func TestCheckFiles(t *testing.T) {
	files, err := filepath.Glob("testdata/check/*.yml")
	if err != nil || len(files) == 0 {
		t.Fatalf("fixtures: %v %v", files, err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			var got []string
			for _, err := range CheckFiles(LoadSpec{RuleFiles: []string{f}}) {
				got = append(got, err.Error())
			}
			if want := expectedErrors(t, f); strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Fatalf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}

// expectedErrors reads the "# error: :LINE: reason" lines of a fixture.
func expectedErrors(t *testing.T, path string) []string {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "# error: "); ok {
			want = append(want, path+rest)
		}
	}
	if strings.HasSuffix(path, ".bad.yml") && len(want) == 0 {
		t.Fatalf("%s has no # error: line", path)
	}
	return want
}

func TestCheckFilesGlobsAndMissingFiles(t *testing.T) {
	errs := CheckFiles(LoadSpec{RuleFiles: []string{"testdata/check/good*.yml", "testdata/check/none-*.yml", "testdata/check/missing.yml", "testdata/check/good.yml"}})
	if len(errs) != 1 || errs[0].Error() != "testdata/check/missing.yml: no such file or directory" {
		t.Fatalf("errors %v", errs)
	}
	var fe *FileError
	if !errors.As(errs[0], &fe) || fe.File != "testdata/check/missing.yml" || fe.Line != 0 {
		t.Fatalf("not a FileError: %#v", errs[0])
	}
	if errs := CheckFiles(LoadSpec{RuleFiles: []string{"testdata/check/[.yml"}}); len(errs) != 1 || errs[0].Error() != `rule file pattern "testdata/check/[.yml": syntax error in pattern` {
		t.Fatalf("bad pattern: %v", errs)
	}
}

func TestLoadReportsEveryFile(t *testing.T) {
	h := newHarness(t, "groups: []\n")
	err := h.m.Load(LoadSpec{RuleFiles: []string{"testdata/check/bad_expr.bad.yml", "testdata/check/good.yml", "testdata/check/bad_label.bad.yml"}})
	want := `testdata/check/bad_expr.bad.yml:6: group "g", rule 1, "Bad": could not parse expression: 1:16: parse error: unclosed left parenthesis` + "\n" +
		`testdata/check/bad_label.bad.yml:8: group "g", rule 1, "Lbl": invalid label name: __name__`
	if err == nil || err.Error() != want {
		t.Fatalf("error:\n%v\nwant:\n%s", err, want)
	}
}
