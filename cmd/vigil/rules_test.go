package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestRulesCheck(t *testing.T) {
	tests := []struct {
		name       string
		files      []string
		code       int
		wantStdout string
		wantStderr []string // line prefixes, in order
	}{
		{"good", []string{"testdata/rules/good.yml", "../../examples/rules/api.yml", "../../examples/rules/storage.yml"}, 0,
			"testdata/rules/good.yml: 2 groups, 3 rules OK\n../../examples/rules/api.yml: 2 groups, 4 rules OK\n../../examples/rules/storage.yml: 1 group, 3 rules OK\n", nil},
		// api.yml's depends_on names alerts of storage.yml: checked alone,
		// they are unknown.
		{"a dependency in a file not checked", []string{"../../examples/rules/api.yml"}, 1, "", []string{
			`../../examples/rules/api.yml:83: alert "QueueBacklog" depends on unknown alert "StoragePrimaryDown"`,
			`../../examples/rules/api.yml:83: alert "QueueBacklog" depends on unknown alert "StorageReplicaDown"`,
			"vigil: 2 problems in 1 of 1 rule file",
		}},
		{"a cycle across files", []string{"testdata/rules/cycle_a.yml", "testdata/rules/cycle_b.yml"}, 1, "", []string{
			"dependency cycle: ",
			"vigil: 1 problem in 2 rule files",
		}},
		{"good and bad", []string{"testdata/rules/bad.yml", "testdata/rules/good.yml", "testdata/rules/bad2.yml", "testdata/rules/none.yml"}, 1,
			"testdata/rules/good.yml: 2 groups, 3 rules OK\n", []string{
				`testdata/rules/bad.yml:6: group "broken", rule 1, "BadExpr": `,
				`testdata/rules/bad2.yml:6: `,
				`testdata/rules/none.yml: `,
				"vigil: 3 problems in 3 of 4 rule files",
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), append([]string{"rules", "check"}, tt.files...), nil, &stdout, &stderr)
			require.Equal(t, tt.code, code, stderr.String())
			require.Equal(t, tt.wantStdout, stdout.String())
			lines := strings.Split(strings.TrimSuffix(stderr.String(), "\n"), "\n")
			if tt.wantStderr == nil {
				require.Empty(t, stderr.String())
				return
			}
			require.Len(t, lines, len(tt.wantStderr), stderr.String())
			for i, want := range tt.wantStderr {
				require.True(t, strings.HasPrefix(lines[i], want), "line %d: %q does not start with %q", i, lines[i], want)
			}
		})
	}
}

func TestRulesCheckNeedsFiles(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"rules", "check"}, nil, &stdout, &stderr)
	require.Equal(t, 2, code)
	require.Equal(t, "vigil: requires at least 1 arg(s), only received 0 (see \"vigil rules check --help\")\n", stderr.String())
}
