package main

import (
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vigilsre/vigil/alerting/notify"
)

func TestParseFileBad(t *testing.T) {
	tests := []struct {
		file string
		want string
	}{
		{"bad_duration.bad.yml", `testdata/bad_duration.bad.yml:4: storage.retention: invalid duration "15x"`},
		{"negative_duration.bad.yml", `testdata/negative_duration.bad.yml:2: query.lookback_delta: invalid duration "-5m"`},
		{"zero_duration.bad.yml", `testdata/zero_duration.bad.yml:2: query.timeout: must be greater than 0`},
		{"value_not_scalar.bad.yml", `testdata/value_not_scalar.bad.yml:3: storage.retention: expected a duration, got a mapping`},
		{"bad_wal_sync.bad.yml", `testdata/bad_wal_sync.bad.yml:2: storage.wal_sync: invalid value "sometimes": want "always" or an fsync interval such as 1s`},
		{"zero_wal_sync.bad.yml", `testdata/zero_wal_sync.bad.yml:2: storage.wal_sync: invalid value "0s": want "always" or an fsync interval such as 1s`},
		{"listen_no_port.bad.yml", `testdata/listen_no_port.bad.yml:2: server.listen: invalid address "9096": want HOST:PORT, such as ":9096" or "127.0.0.1:9096"`},
		{"listen_bad_port.bad.yml", `testdata/listen_bad_port.bad.yml:2: server.listen: invalid address "127.0.0.1:99999": port "99999" is not a number from 0 to 65535`},
		{"bad_log_level.bad.yml", `testdata/bad_log_level.bad.yml:2: log.level: invalid level "verbose": want debug, info, warn or error`},
		{"bad_log_format.bad.yml", `testdata/bad_log_format.bad.yml:2: log.format: invalid value "xml": want text or json`},
		{"empty_data_dir.bad.yml", `testdata/empty_data_dir.bad.yml:2: storage.data_dir: must not be empty`},
		{"unknown_key.bad.yml", `testdata/unknown_key.bad.yml:3: storage.retension: unknown key (known keys: block_duration, data_dir, out_of_order_window, retention, retention_size, wal_sync)`},
		{"duplicate_key.bad.yml", `testdata/duplicate_key.bad.yml:3: storage.retention: duplicate key (first set at line 2)`},
		{"not_mapping.bad.yml", `testdata/not_mapping.bad.yml:1: expected a mapping, got a list`},
		{"syntax.bad.yml", `testdata/syntax.bad.yml:2: invalid YAML: did not find expected key`},
		{"two_documents.bad.yml", `testdata/two_documents.bad.yml:3: a second YAML document (---); the configuration is one document`},
		{"wrong_types.bad.yml", `testdata/wrong_types.bad.yml:2: ingest.max_body_bytes: expected an integer, got "lots"
testdata/wrong_types.bad.yml:4: query.max_samples: expected an integer, got "1.5"
testdata/wrong_types.bad.yml:6: self_monitoring.enabled: expected true or false, got "yes"`},
		{"non_positive.bad.yml", `testdata/non_positive.bad.yml:2: ingest.max_body_bytes: must be greater than 0
testdata/non_positive.bad.yml:4: query.max_samples: must be greater than 0`},
		{"section_not_mapping.bad.yml", `testdata/section_not_mapping.bad.yml:1: server: expected a mapping, got ":9096"
testdata/section_not_mapping.bad.yml:3: storage: expected a mapping, got a list`},
		{"many_problems.bad.yml", `testdata/many_problems.bad.yml:3: server.listen: invalid address "localhost": want HOST:PORT, such as ":9096" or "127.0.0.1:9096"
testdata/many_problems.bad.yml:5: storage.retention: invalid duration "2 weeks"
testdata/many_problems.bad.yml:6: storage.wal_sync: invalid value "never": want "always" or an fsync interval such as 1s
testdata/many_problems.bad.yml:7: sampling_interval: invalid duration "10"
testdata/many_problems.bad.yml:8: quer: unknown key (known keys: dependencies, ingest, log, notify, oncall, query, rules, sampling_interval, self_monitoring, server, sev, storage)
testdata/many_problems.bad.yml:11: log.level: invalid level "INFO": want debug, info, warn or error
testdata/many_problems.bad.yml:13: self_monitoring.interval: must be greater than 0`},
		{"rules_bad.bad.yml", `testdata/rules_bad.bad.yml:2: rules.files[0]: invalid glob "rules/[a-z.yml": syntax error in pattern
testdata/rules_bad.bad.yml:2: rules.files[1]: must not be empty
testdata/rules_bad.bad.yml:3: rules.evaluation_interval: must be greater than 0
testdata/rules_bad.bad.yml:4: rules.missing_data_timeout: invalid duration "5 minutes"
testdata/rules_bad.bad.yml:5: rules.external_url: invalid URL "vigil.example.com": want an absolute http:// or https:// URL
testdata/rules_bad.bad.yml:6: rules.file: unknown key (known keys: evaluation_interval, external_url, files, missing_data_timeout)`},
		{"sev_bad.bad.yml", `testdata/sev_bad.bad.yml:2: sev.policy_file: must not be empty
testdata/sev_bad.bad.yml:3: sev.policy: unknown key (known keys: policy_file)`},
		{"sev_not_string.bad.yml", `testdata/sev_not_string.bad.yml:2: sev.policy_file: expected a string, got a list`},
		{"notify_unknown_receiver.bad.yml", `testdata/notify_unknown_receiver.bad.yml:9: notify.routes[1].receiver: unknown receiver "team-db" (receivers: team-web)`},
		{"notify_route_without_receiver.bad.yml", `testdata/notify_route_without_receiver.bad.yml:5: notify.routes[0]: a route needs a receiver`},
		{"notify_bad_regex.bad.yml", `testdata/notify_bad_regex.bad.yml:6: notify.routes[0].match_re.service: invalid regular expression "web-(api|ui": missing closing )`},
		{"notify_duplicate_receiver.bad.yml", `testdata/notify_duplicate_receiver.bad.yml:7: notify.receivers[1].name: duplicate receiver name "chat" (first defined at line 5)
testdata/notify_duplicate_receiver.bad.yml:9: notify.receivers[2].name: duplicate receiver name "pagerduty" (first defined at line 3)`},
		{"notify_receiver_kinds.bad.yml", `testdata/notify_receiver_kinds.bad.yml:3: notify.receivers[0]: a receiver needs one of pagerduty, slack or webhook
testdata/notify_receiver_kinds.bad.yml:4: notify.receivers[1]: a receiver has exactly one of pagerduty, slack or webhook; this one has slack and webhook
testdata/notify_receiver_kinds.bad.yml:7: notify.receivers[2]: a receiver needs a name`},
		{"notify_bad_url.bad.yml", `testdata/notify_bad_url.bad.yml:4: notify.pagerduty.events_url: invalid URL "events.pagerduty.com": want an absolute http:// or https:// URL
testdata/notify_bad_url.bad.yml:7: notify.receivers[0].webhook.url: invalid URL "ftp://audit.internal/alerts": want an absolute http:// or https:// URL
testdata/notify_bad_url.bad.yml:9: notify.receivers[1].slack: url is required`},
		{"notify_routing_key.bad.yml", `testdata/notify_routing_key.bad.yml:5: notify.receivers[0].pagerduty: routing_key (line 5) and routing_key_env (line 6) are both set; set one
testdata/notify_routing_key.bad.yml:9: notify.receivers[1].pagerduty: routing_key or routing_key_env is required
testdata/notify_routing_key.bad.yml:12: notify.receivers[2].pagerduty.routing_key_env: environment variable VIGIL_TEST_UNSET_ROUTING_KEY is not set or is empty`},
		{"notify_default_receiver.bad.yml", `testdata/notify_default_receiver.bad.yml:2: notify: default_receiver is required with more than one receiver and no pagerduty shorthand; alerts that match no route would be lost (receivers: team-db, team-web)`},
		{"notify_unknown_default.bad.yml", `testdata/notify_unknown_default.bad.yml:5: notify.default_receiver: unknown receiver "team-wbe" (receivers: team-web)`},
		{"notify_types.bad.yml", `testdata/notify_types.bad.yml:2: notify.repeat_interval: must be greater than 0
testdata/notify_types.bad.yml:3: notify.give_up_after: invalid duration "soon"
testdata/notify_types.bad.yml:4: notify.queue_size: must be greater than 0
testdata/notify_types.bad.yml:6: notify.receivers: expected a list, got a mapping
testdata/notify_types.bad.yml:8: notify.routes[0]: expected a mapping, got "receiver"
testdata/notify_types.bad.yml:9: notify.routes[1].match: expected a mapping of label names to values, got a list
testdata/notify_types.bad.yml:13: notify.pagerduty.severity: unknown key (known keys: client, client_url, events_url, routing_key, routing_key_env, source)`},
		{"deps_bad.bad.yml", `testdata/deps_bad.bad.yml:2: dependencies.files[0]: invalid glob "deps/[a-z.yml": syntax error in pattern
testdata/deps_bad.bad.yml:2: dependencies.files[1]: must not be empty
testdata/deps_bad.bad.yml:4: dependencies.weights.expr: invalid PromQL expression "sum by (caller, callee) (rate(rpc_requests_total[5m])": 1:54: parse error: unclosed left parenthesis
testdata/deps_bad.bad.yml:5: dependencies.weights.caller_label: invalid label name "1caller": want letters, digits and _, not starting with a digit
testdata/deps_bad.bad.yml:6: dependencies.weights.user_callers: must not be empty: list the callers that are users ("" for requests without a caller)
testdata/deps_bad.bad.yml:7: dependencies.weights.interval: must be greater than 0
testdata/deps_bad.bad.yml:8: dependencies.weights.critical_threshold: must be greater than 0 and at most 1, got 1.5
testdata/deps_bad.bad.yml:9: dependencies.weights.treshold: unknown key (known keys: callee_label, caller_label, critical_threshold, expr, interval, user_callers)
testdata/deps_bad.bad.yml:10: dependencies.servcies: unknown key (known keys: files, weights)`},
		{"deps_weights.bad.yml", `testdata/deps_weights.bad.yml:3: dependencies.weights: expr is required: a PromQL expression of the request rate by caller and callee label, such as 'sum by (caller, callee) (rate(rpc_requests_total[5m]))'
testdata/deps_weights.bad.yml:4: dependencies.weights: caller_label and callee_label are both "svc"; they must differ
testdata/deps_weights.bad.yml:5: dependencies.weights.user_callers[1]: expected a string, got null (write "" for the empty string)
testdata/deps_weights.bad.yml:6: dependencies.weights.critical_threshold: expected a number greater than 0 and at most 1, got "high"`},
	}
	// The variable notify_routing_key.bad.yml reads, set and empty.
	t.Setenv("VIGIL_TEST_UNSET_ROUTING_KEY", "")
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			_, err := ParseFile(filepath.Join("testdata", tt.file))
			require.EqualError(t, err, tt.want)
		})
	}
}

// TestParseFileBadFixturesListed keeps the table above complete.
func TestParseFileBadFixturesListed(t *testing.T) {
	files, err := filepath.Glob("testdata/*.bad.yml")
	require.NoError(t, err)
	require.Len(t, files, 35, "add every testdata/*.bad.yml to TestParseFileBad")
}

func TestParseFileGood(t *testing.T) {
	defaults := DefaultConfig()
	fullStorage := StorageConfig{DataDir: "/var/lib/vigil", Retention: 90 * time.Minute, RetentionSize: 10 << 30,
		WALSync: time.Second, BlockDuration: time.Hour, OutOfOrderWindow: 10 * time.Minute}
	full := Config{
		Server:           ServerConfig{Listen: "127.0.0.1:19096"},
		Storage:          fullStorage,
		SamplingInterval: 15 * time.Second,
		Ingest:           IngestConfig{MaxBodyBytes: 1 << 20},
		Query:            QueryConfig{Timeout: 30 * time.Second, MaxSamples: 1000, LookbackDelta: time.Minute},
		Log:              LogConfig{Level: slog.LevelDebug, Format: "json"},
		SelfMonitoring:   SelfMonitoringConfig{Enabled: true, Interval: time.Minute},
		Rules: RulesConfig{Files: []string{"testdata/rules/*.yml"}, EvaluationInterval: 5 * time.Second,
			MissingDataTimeout: 2 * time.Minute, ExternalURL: "http://vigil.internal:9096"},
		Notify: notify.Config{PagerDuty: &notify.PagerDutyConfig{RoutingKey: "abc"},
			RepeatInterval: 2 * time.Hour, GiveUpAfter: time.Minute, QueueSize: 100},
	}
	sampling := DefaultConfig()
	sampling.SamplingInterval = 15 * time.Second
	sampling.Rules.EvaluationInterval = 15 * time.Second
	sampling.Storage.Retention = 0
	sampling.SelfMonitoring = SelfMonitoringConfig{Enabled: true, Interval: 15 * time.Second}
	aliases := DefaultConfig()
	aliases.Query.Timeout, aliases.Query.LookbackDelta = 5*time.Minute, 5*time.Minute
	example := DefaultConfig()
	example.Rules.Files = []string{"../../examples/rules/*.yml"}
	example.Dependencies.Files = []string{"../../examples/deps/*.yml"}
	example.SEV.PolicyFile = "../../examples/sev/policy.yml"
	sev := DefaultConfig()
	sev.SEV.PolicyFile = "testdata/sev/policy.yml"
	sevAbs := DefaultConfig()
	sevAbs.SEV.PolicyFile = "/etc/vigil/sev.yml"
	t.Setenv("VIGIL_TEST_ROUTING_KEY", "key-from-env")
	rulesNotify := DefaultConfig()
	rulesNotify.SamplingInterval = 15 * time.Second
	rulesNotify.SelfMonitoring.Interval = 15 * time.Second
	rulesNotify.Rules = RulesConfig{
		Files:              []string{"testdata/rules/*.yml", "/etc/vigil/rules/extra.yml"},
		EvaluationInterval: 15 * time.Second, // follows sampling_interval
		MissingDataTimeout: 10 * time.Minute,
		ExternalURL:        "https://vigil.example.com/",
	}
	rulesNotify.Notify = notify.Config{
		PagerDuty: &notify.PagerDutyConfig{RoutingKey: "key-from-env", EventsURL: "http://127.0.0.1:8080"},
		Receivers: []notify.Receiver{
			{Name: "team-web", PagerDuty: &notify.PagerDutyConfig{RoutingKey: "web-key", Source: "web-cluster", Client: "Vigil", ClientURL: "https://vigil.example.com/"}},
			{Name: "chat", Slack: &notify.SlackConfig{URL: "https://hooks.slack.com/services/T0/B0/X", Channel: "#oncall"}},
			{Name: "audit", Webhook: &notify.WebhookConfig{URL: "http://audit.internal/alerts"}},
		},
		Routes: []notify.Route{
			{Match: map[string]string{"team": "web"}, MatchRE: map[string]string{"service": "web-.*"}, Receiver: "team-web"},
			{Match: map[string]string{"severity": "info"}, Receiver: "chat"},
		},
		Default:        "audit",
		RepeatInterval: time.Hour,
		GiveUpAfter:    2 * time.Minute,
		QueueSize:      50,
	}
	shorthand := DefaultConfig()
	shorthand.Rules.Files = []string{"testdata/alerts.yml"}
	shorthand.Rules.EvaluationInterval = 5 * time.Second
	shorthand.Notify.PagerDuty = &notify.PagerDutyConfig{RoutingKey: "key"}

	deps := DefaultConfig()
	deps.Dependencies = DependenciesConfig{
		Files: []string{"testdata/deps/*.yml", "/etc/vigil/services.yml"},
		Weights: &WeightsConfig{Expr: "sum by (from, to) (rate(rpc_requests_total[5m]))", CallerLabel: "from", CalleeLabel: "to",
			UserCallers: []string{"", "user", "frontend-lb"}, Interval: 30 * time.Second, CriticalThreshold: 0.25},
	}
	weightsDefaults := DefaultConfig()
	weights := DefaultWeightsConfig()
	weights.Expr = "sum by (caller, callee) (rate(rpc_requests_total[5m]))"
	weightsDefaults.Dependencies = DependenciesConfig{Files: []string{}, Weights: &weights}

	tests := []struct {
		file string
		want Config
	}{
		{"empty.good.yml", defaults},
		{"empty_sections.good.yml", defaults},
		{"full.good.yml", full},
		{"sampling_interval.good.yml", sampling},
		{"aliases.good.yml", aliases},
		{"../../../examples/vigil.yml", example}, // the example documents the defaults, with example rules
		{"rules_notify.good.yml", rulesNotify},
		{"pagerduty_shorthand.good.yml", shorthand},
		{"deps.good.yml", deps},
		{"deps_weights_defaults.good.yml", weightsDefaults},
		{"sev.good.yml", sev},
		{"sev_absolute.good.yml", sevAbs},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got, err := ParseFile(filepath.Join("testdata", tt.file))
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestParseCriticalThreshold(t *testing.T) {
	tests := []struct {
		value   string
		want    float64
		wantErr string
	}{
		{"0.5", 0.5, ""},
		{"1", 1, ""},
		{"0.001", 0.001, ""},
		{"0", 0, "must be greater than 0 and at most 1, got 0"},
		{"-0.1", 0, "must be greater than 0 and at most 1, got -0.1"},
		{"1.01", 0, "must be greater than 0 and at most 1, got 1.01"},
		{".nan", 0, "must be greater than 0 and at most 1, got .nan"},
		{`"0.5"`, 0, `expected a number greater than 0 and at most 1, got "0.5"`},
	}
	for _, tt := range tests {
		yml := "dependencies:\n  weights:\n    expr: rpc_rate\n    critical_threshold: " + tt.value + "\n"
		got, err := Parse("vigil.yml", []byte(yml))
		if tt.wantErr != "" {
			require.EqualError(t, err, "vigil.yml:4: dependencies.weights.critical_threshold: "+tt.wantErr, tt.value)
			continue
		}
		require.NoError(t, err, tt.value)
		require.Equal(t, tt.want, got.Dependencies.Weights.CriticalThreshold, tt.value)
	}
}

func TestParseEmpty(t *testing.T) {
	for _, data := range []string{"", "\n", "# nothing\n", "~\n", "---\n"} {
		got, err := Parse("vigil.yml", []byte(data))
		require.NoError(t, err, "%q", data)
		require.Equal(t, DefaultConfig(), got, "%q", data)
	}
}

func TestParseFileMissing(t *testing.T) {
	_, err := ParseFile("testdata/no-such-file.yml")
	require.EqualError(t, err, "read config: open testdata/no-such-file.yml: no such file or directory")
}

func TestConfigErrorWithoutKey(t *testing.T) {
	err := &ConfigError{File: "vigil.yml", Line: 7, Msg: "invalid YAML: mapping values are not allowed in this context"}
	require.EqualError(t, err, "vigil.yml:7: invalid YAML: mapping values are not allowed in this context")
}

func TestParseRuleFilesRelativeToConfig(t *testing.T) {
	tests := []struct {
		file string
		want []string
	}{
		{"vigil.yml", []string{"rules/*.yml", "/abs/a.yml"}},
		{"/etc/vigil/vigil.yml", []string{"/etc/vigil/rules/*.yml", "/abs/a.yml"}},
		{"conf/../vigil.yml", []string{"rules/*.yml", "/abs/a.yml"}},
	}
	for _, tt := range tests {
		got, err := Parse(tt.file, []byte("rules:\n  files: [rules/*.yml, /abs/a.yml]\n"))
		require.NoError(t, err)
		require.Equal(t, tt.want, got.Rules.Files, tt.file)
	}
}

func TestExpandRuleFiles(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"b.yml", "a.yml", "c.yaml"} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, f), nil, 0o644))
	}
	in := func(f string) string { return filepath.Join(dir, f) }
	tests := []struct {
		name     string
		patterns []string
		want     []string
		wantErr  string
	}{
		{"glob, sorted", []string{in("*.yml")}, []string{in("a.yml"), in("b.yml")}, ""},
		{"each file once", []string{in("b.yml"), in("*.yml")}, []string{in("b.yml"), in("a.yml")}, ""},
		{"no match is fine", []string{in("none/*.yml"), in("*.yaml")}, []string{in("c.yaml")}, ""},
		{"nothing", nil, nil, ""},
		{"missing file", []string{in("a.yml"), in("missing.yml")}, nil, "rule file: stat " + in("missing.yml") + ": no such file or directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := expandRuleFiles(tt.patterns)
			if tt.wantErr != "" {
				require.EqualError(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}
