package main

import (
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
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
		{"unknown_key.bad.yml", `testdata/unknown_key.bad.yml:3: storage.retension: unknown key (known keys: data_dir, retention, wal_sync)`},
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
testdata/many_problems.bad.yml:8: quer: unknown key (known keys: ingest, log, query, sampling_interval, self_monitoring, server, storage)
testdata/many_problems.bad.yml:11: log.level: invalid level "INFO": want debug, info, warn or error
testdata/many_problems.bad.yml:13: self_monitoring.interval: must be greater than 0`},
	}
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
	require.Len(t, files, 20, "add every testdata/*.bad.yml to TestParseFileBad")
}

func TestParseFileGood(t *testing.T) {
	defaults := DefaultConfig()
	full := Config{
		Server:           ServerConfig{Listen: "127.0.0.1:19096"},
		Storage:          StorageConfig{DataDir: "/var/lib/vigil", Retention: 90 * time.Minute, WALSync: time.Second},
		SamplingInterval: 15 * time.Second,
		Ingest:           IngestConfig{MaxBodyBytes: 1 << 20},
		Query:            QueryConfig{Timeout: 30 * time.Second, MaxSamples: 1000, LookbackDelta: time.Minute},
		Log:              LogConfig{Level: slog.LevelDebug, Format: "json"},
		SelfMonitoring:   SelfMonitoringConfig{Enabled: true, Interval: time.Minute},
	}
	sampling := DefaultConfig()
	sampling.SamplingInterval = 15 * time.Second
	sampling.Storage.Retention = 0
	sampling.SelfMonitoring = SelfMonitoringConfig{Enabled: true, Interval: 15 * time.Second}
	aliases := DefaultConfig()
	aliases.Query.Timeout, aliases.Query.LookbackDelta = 5*time.Minute, 5*time.Minute

	tests := []struct {
		file string
		want Config
	}{
		{"empty.good.yml", defaults},
		{"empty_sections.good.yml", defaults},
		{"full.good.yml", full},
		{"sampling_interval.good.yml", sampling},
		{"aliases.good.yml", aliases},
		{"../../../examples/vigil.yml", defaults}, // the example documents the defaults
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got, err := ParseFile(filepath.Join("testdata", tt.file))
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
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
