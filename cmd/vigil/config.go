package main

import (
	"log/slog"
	"time"

	"github.com/vigilsre/vigil/alerting/notify"
	"github.com/vigilsre/vigil/alerting/oncall"
)

// Config is the content of Vigil's configuration file after defaults are
// applied. Every key of the file is optional; DefaultConfig holds the values
// used for the keys a file leaves out. Parse reads a file into a Config and
// examples/vigil.yml documents every key.
type Config struct {
	Server           ServerConfig
	Storage          StorageConfig
	SamplingInterval time.Duration // sampling_interval; default 10s
	Ingest           IngestConfig
	Query            QueryConfig
	Log              LogConfig
	SelfMonitoring   SelfMonitoringConfig
	Rules            RulesConfig
	Notify           notify.Config // notify; receivers and routes, see config_notify.go
	Dependencies     DependenciesConfig
	SEV              SEVConfig // sev; the SEV bridge, see config_sev.go
	// OnCall is the oncall section: the on-call readiness checks of the
	// PagerDuty set-up, see config_oncall.go. nil (no section): none.
	OnCall *oncall.Config
}

// ServerConfig is the "server" section: the HTTP listener.
type ServerConfig struct {
	Listen         string // listen; default ":9096"
	EnableAdminAPI bool   // enable_admin_api: serve POST /api/v1/admin/flush; default false
}

// StorageConfig is the "storage" section: where and how samples are kept.
// config_storage.go decodes it.
type StorageConfig struct {
	DataDir   string        // data_dir; default "data"
	Retention time.Duration // retention; default 15d; 0 keeps samples forever
	// RetentionSize caps the bytes of the blocks and the WAL
	// (retention_size: a byte count or a size such as 10GiB); the oldest
	// blocks are deleted whole until they fit. Default 0: no limit.
	RetentionSize int64
	WALSync       time.Duration // wal_sync; 0 is "always" (fsync every batch), the default
	// BlockDuration is the time range of a block cut from the head
	// (block_duration); default 2h, at least 1s.
	BlockDuration time.Duration
	// OutOfOrderWindow is how much older than its series' newest sample a
	// sample may be and still be stored (out_of_order_window); default 0
	// (rejected), at most block_duration/2.
	OutOfOrderWindow time.Duration
}

// IngestConfig is the "ingest" section: limits on push requests.
// config_ingest.go decodes it.
type IngestConfig struct {
	MaxBodyBytes int64 // max_body_bytes; default 32 MiB
	// MaxInflightRequests bounds the push requests served at once
	// (max_inflight_requests); past it a push is answered 429 with
	// Retry-After. Default 0: ingest.DefaultMaxInflightRequests() (16 per
	// core, at least 64).
	MaxInflightRequests int
	// MaxInflightBytes bounds the push request bodies held at once, as sent
	// and decompressed (max_inflight_bytes: a byte count or a size such as
	// 64MiB); past it a push is answered 429. Default 0:
	// ingest.DefaultMaxInflightBytes (64 MiB).
	MaxInflightBytes int64
}

// QueryConfig is the "query" section: limits of the PromQL engine.
type QueryConfig struct {
	Timeout       time.Duration // timeout; default 2m
	MaxSamples    int           // max_samples; default 50,000,000
	LookbackDelta time.Duration // lookback_delta; default 5m
}

// LogConfig is the "log" section.
type LogConfig struct {
	Level  slog.Level // level; default info
	Format string     // format: "text" (default) or "json"
}

// SelfMonitoringConfig is the "self_monitoring" section: whether Vigil writes
// its own /metrics into its store.
type SelfMonitoringConfig struct {
	Enabled  bool          // enabled; default false
	Interval time.Duration // interval; default sampling_interval
}

// RulesConfig is the "rules" section: the alerting and recording rule files
// and how they are evaluated.
type RulesConfig struct {
	// Files are the globs of the rule files (files). A relative pattern is
	// relative to the directory of the configuration file, as in
	// Prometheus. A glob matching nothing is fine; a file named without
	// glob characters must exist.
	Files              []string
	EvaluationInterval time.Duration // evaluation_interval; default sampling_interval
	MissingDataTimeout time.Duration // missing_data_timeout; default 5m
	ExternalURL        string        // external_url; default "": http://<bound listen address>
}

// DependenciesConfig is the "dependencies" section: the services files of
// the alert dependency graph, and how service weights are computed.
type DependenciesConfig struct {
	// Files are the globs of the services files (files), resolved and
	// expanded as rules.files are. Default: none; the graph is then made of
	// the rules' depends_on alone.
	Files []string
	// Weights configures the service weights (weights). nil, the default,
	// computes none.
	Weights *WeightsConfig
}

// WeightsConfig is the "dependencies.weights" section: the PromQL
// expression giving the request rate of every (caller, callee) pair of
// services, from which each service's weight, the share of user-facing
// requests whose path reaches it, is computed. Keys left out take
// DefaultWeightsConfig's values; expr is required.
type WeightsConfig struct {
	Expr              string        // expr; required
	CallerLabel       string        // caller_label; default "caller"
	CalleeLabel       string        // callee_label; default "callee"
	UserCallers       []string      // user_callers; callers that are users; default [""]
	Interval          time.Duration // interval; how often weights are recomputed; default 1m
	CriticalThreshold float64       // critical_threshold; in (0, 1]; a service whose weight is at least this is on the critical path; default 0.5
}

// DefaultWeightsConfig returns the values of the keys a weights section
// leaves out.
func DefaultWeightsConfig() WeightsConfig {
	return WeightsConfig{
		CallerLabel:       "caller",
		CalleeLabel:       "callee",
		UserCallers:       []string{""},
		Interval:          time.Minute,
		CriticalThreshold: 0.5,
	}
}

// Log formats accepted by log.format.
const (
	logFormatText = "text"
	logFormatJSON = "json"
)

// DefaultConfig returns the configuration Vigil runs with when no file is
// given. It is also the base every file is applied to.
func DefaultConfig() Config {
	return Config{
		Server: ServerConfig{Listen: ":9096"},
		Storage: StorageConfig{
			DataDir:       "data",
			Retention:     15 * 24 * time.Hour,
			BlockDuration: 2 * time.Hour,
		},
		SamplingInterval: 10 * time.Second,
		Ingest:           IngestConfig{MaxBodyBytes: 32 << 20},
		Query: QueryConfig{
			Timeout:       2 * time.Minute,
			MaxSamples:    50_000_000,
			LookbackDelta: 5 * time.Minute,
		},
		Log:            LogConfig{Level: slog.LevelInfo, Format: logFormatText},
		SelfMonitoring: SelfMonitoringConfig{Interval: 10 * time.Second},
		Rules:          RulesConfig{EvaluationInterval: 10 * time.Second, MissingDataTimeout: 5 * time.Minute},
		Notify: notify.Config{
			RepeatInterval: notify.DefaultRepeatInterval,
			GiveUpAfter:    notify.DefaultGiveUpAfter,
			QueueSize:      notify.DefaultQueueSize,
		},
	}
}
