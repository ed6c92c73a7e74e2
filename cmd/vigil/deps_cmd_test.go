package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/require"
)

// runVigil runs a command line and returns its exit code and output.
func runVigil(args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	code = run(context.Background(), args, nil, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestDepsCheck(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		code       int
		wantStdout string
		wantStderr string
	}{
		{"good", []string{"--config", "testdata/deps/good/vigil.yml"}, 0, "ok: 2 alerts, 2 services, 4 edges\n", ""},
		{"the example", []string{"--config", "../../examples/vigil.yml"}, 0, "ok: 6 alerts, 3 services, 10 edges\n", ""},
		// db depends on web, whose alert WebErrors depends on DBDown, db's.
		{"cycle", []string{"--config", "testdata/deps/cycle/vigil.yml"}, 1, "",
			"dependency cycle: DBDown -> db -> web -> WebErrors -> DBDown\n" +
				"vigil: 1 problem in the rule and services files of testdata/deps/cycle/vigil.yml\n"},
		{"unknown references", []string{"--config", "testdata/deps/unknown/vigil.yml"}, 1, "",
			`testdata/deps/unknown/rules.yml:7: alert "WebErrors" depends on unknown alert "DBDwn"` + "\n" +
				`testdata/deps/unknown/services.yml:3: service "web" depends on unknown service "dbb"` + "\n" +
				`testdata/deps/unknown/services.yml:4: service "web" lists unknown alert "WebLatency"` + "\n" +
				"vigil: 3 problems in the rule and services files of testdata/deps/unknown/vigil.yml\n"},
		{"a bad configuration", []string{"--config", "testdata/deps_weights.bad.yml"}, 1, "",
			"vigil: invalid configuration; nothing was checked:\n" +
				"testdata/deps_weights.bad.yml:3: dependencies.weights: expr is required: a PromQL expression of the request rate by caller and callee label, such as 'sum by (caller, callee) (rate(rpc_requests_total[5m]))'\n" +
				`testdata/deps_weights.bad.yml:4: dependencies.weights: caller_label and callee_label are both "svc"; they must differ` + "\n" +
				`testdata/deps_weights.bad.yml:5: dependencies.weights.user_callers[1]: expected a string, got null (write "" for the empty string)` + "\n" +
				`testdata/deps_weights.bad.yml:6: dependencies.weights.critical_threshold: expected a number greater than 0 and at most 1, got "high"` + "\n"},
		{"a missing services file", []string{"--config", "testdata/deps.good.yml"}, 1, "",
			"vigil: services file: stat /etc/vigil/services.yml: no such file or directory\n"},
		{"no --config", nil, 2, "",
			`vigil: --config is required: the configuration file naming the rule and services files (see "vigil deps check --help")` + "\n"},
		{"an argument", []string{"--config", "testdata/deps/good/vigil.yml", "rules.yml"}, 2, "",
			`vigil: unknown command "rules.yml" for "vigil deps check" (see "vigil deps check --help")` + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runVigil(append([]string{"deps", "check"}, tt.args...)...)
			require.Equal(t, tt.code, code, stderr)
			require.Equal(t, tt.wantStdout, stdout)
			require.Equal(t, tt.wantStderr, stderr)
		})
	}
}

// goodGraphDOT is the graph of testdata/deps/good in DOT.
const goodGraphDOT = `digraph deps {
	rankdir=LR;
	"alert:DBDown" [label="DBDown", shape=ellipse];
	"alert:WebErrors" [label="WebErrors", shape=ellipse];
	"service:db" [label="db", shape=box];
	"service:web" [label="web", shape=box];
	"alert:DBDown" -> "service:db" [style=dotted];
	"alert:WebErrors" -> "service:web" [style=dotted];
	"alert:WebErrors" -> "alert:DBDown" [style=solid, label="match: region"];
	"service:web" -> "service:db" [style=bold];
}
`

// goodGraphJSON is the graph of testdata/deps/good in JSON.
const goodGraphJSON = `{
  "nodes": [
    {
      "name": "DBDown",
      "kind": "alert",
      "file": "testdata/deps/good/rules.yml",
      "line": 4
    },
    {
      "name": "WebErrors",
      "kind": "alert",
      "file": "testdata/deps/good/rules.yml",
      "line": 6
    },
    {
      "name": "db",
      "kind": "service",
      "file": "testdata/deps/good/services.yml",
      "line": 5
    },
    {
      "name": "web",
      "kind": "service",
      "file": "testdata/deps/good/services.yml",
      "line": 2
    }
  ],
  "edges": [
    {
      "from": "DBDown",
      "to": "db",
      "kind": "member",
      "match": [],
      "file": "testdata/deps/good/services.yml",
      "line": 6
    },
    {
      "from": "WebErrors",
      "to": "web",
      "kind": "member",
      "match": [],
      "file": "testdata/deps/good/services.yml",
      "line": 4
    },
    {
      "from": "WebErrors",
      "to": "DBDown",
      "kind": "depends_on",
      "match": [
        "region"
      ],
      "file": "testdata/deps/good/rules.yml",
      "line": 9
    },
    {
      "from": "web",
      "to": "db",
      "kind": "service",
      "match": [],
      "file": "testdata/deps/good/services.yml",
      "line": 3
    }
  ]
}
`

func TestDepsGraph(t *testing.T) {
	good := []string{"--config", "testdata/deps/good/vigil.yml"}
	tests := []struct {
		name       string
		args       []string
		code       int
		wantStdout string
		wantStderr string
	}{
		{"dot by default", good, 0, goodGraphDOT, ""},
		{"dot", append(good, "--format", "dot"), 0, goodGraphDOT, ""},
		{"json", append(good, "--format", "json"), 0, goodGraphJSON, ""},
		{"a cycle", []string{"--config", "testdata/deps/cycle/vigil.yml", "--format", "json"}, 1, "",
			"dependency cycle: DBDown -> db -> web -> WebErrors -> DBDown\n" +
				"vigil: 1 problem in the rule and services files of testdata/deps/cycle/vigil.yml\n"},
		{"an unknown format", append(good, "--format", "svg"), 2, "",
			`vigil: --format: invalid format "svg": want dot or json (see "vigil deps graph --help")` + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runVigil(append([]string{"deps", "graph"}, tt.args...)...)
			require.Equal(t, tt.code, code, stderr)
			require.Equal(t, tt.wantStdout, stdout)
			require.Equal(t, tt.wantStderr, stderr)
		})
	}
}
