package loadgen

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"
)

// Mode says how the data is pushed.
type Mode string

// The modes of Run.
const (
	// Backfill pushes Options.Duration of data as fast as the server takes it.
	Backfill Mode = "backfill"
	// Live pushes one step of every series each Options.Interval, at real time.
	Live Mode = "live"
)

// Defaults of Options' zero fields.
const (
	DefaultWritePath        = "/api/v1/write"
	DefaultQueryPath        = "/api/v1/query"
	DefaultSeries           = 10_000
	DefaultBackfillDuration = time.Hour
	DefaultLiveDuration     = time.Minute
	DefaultInterval         = 10 * time.Second
	DefaultConcurrency      = 4
	DefaultBatchSize        = 2000 // Prometheus' remote_write max_samples_per_send
	DefaultMaxRetries       = 10
	DefaultMinBackoff       = 10 * time.Millisecond
	DefaultMaxBackoff       = 5 * time.Second
	DefaultMaxRetryAfter    = time.Minute
	DefaultRequestTimeout   = 30 * time.Second
	DefaultLatencySamples   = 100
	DefaultBackgroundRate   = 100_000
	DefaultProgressInterval = 5 * time.Second
	DefaultProcDir          = "/proc"
)

// Options configure Run. Only URL is required; the zero value of every
// other field means its documented default.
type Options struct {
	// URL is the server's base URL, such as "http://localhost:9096".
	URL string
	// WritePath is the remote-write path under URL. Default: DefaultWritePath.
	WritePath string
	// QueryURL is the base URL of the Prometheus query API. Default: URL.
	QueryURL string

	// Mode is Backfill or Live. Default: Backfill.
	Mode Mode
	// Series is the number of series. Default: DefaultSeries, unless Hosts is set.
	Series int
	// Hosts, when set, is the number of whole hosts instead of Series
	// (each has fleet.SeriesPerHost() series).
	Hosts int
	// Seed makes the values; the same seed gives the same samples.
	Seed int64
	// Duration is, in backfill mode, the span of the data; in live mode,
	// how long to push. Default: DefaultBackfillDuration or DefaultLiveDuration.
	Duration time.Duration
	// Start is, in backfill mode, how long ago the data starts. Default: Duration.
	Start time.Duration
	// Interval is the time between two steps of a series, whole
	// milliseconds. Default: DefaultInterval.
	Interval time.Duration

	// Concurrency is the number of requests in flight. Default: DefaultConcurrency.
	Concurrency int
	// BatchSize is the most samples in one request. Default: DefaultBatchSize.
	BatchSize int
	// MaxRetries is how many times one request is retried after a 429,
	// a 5xx or a connection error. Default: DefaultMaxRetries; negative: never.
	MaxRetries int
	// MinBackoff and MaxBackoff bound the wait before a retry when the
	// answer has no Retry-After. Defaults: DefaultMinBackoff, DefaultMaxBackoff.
	MinBackoff, MaxBackoff time.Duration
	// MaxRetryAfter caps the wait a Retry-After header asks for.
	// Default: DefaultMaxRetryAfter.
	MaxRetryAfter time.Duration
	// RequestTimeout bounds one request. Default: DefaultRequestTimeout.
	RequestTimeout time.Duration

	// PID is the server's process ID on this machine; when set, Run reads
	// its CPU time and memory from ProcDir. Default: 0, not measured.
	PID int
	// ProcDir is where the proc file system is mounted. Default: DefaultProcDir.
	ProcDir string

	// LatencySamples is the number of markers of each latency measurement.
	// Default: DefaultLatencySamples; negative: no latency measurement.
	LatencySamples int
	// BackgroundRate is the samples/s pushed while the latency is measured
	// under load. Default: DefaultBackgroundRate; negative: measure idle only.
	BackgroundRate float64
	// Latency tunes the marker polling; its URLs and Samples are set by Run.
	Latency LatencyOptions

	// Progress, when set, receives a line every ProgressInterval while Run
	// runs. Default: nil, no progress.
	Progress io.Writer
	// ProgressInterval is the time between progress lines. Default: DefaultProgressInterval.
	ProgressInterval time.Duration
	// Client sends the requests. Default: a client that keeps Concurrency
	// connections open (and a few more for the latency markers).
	Client *http.Client

	// sleep waits between retries; tests replace it. Default: sleepCtx.
	sleep func(ctx context.Context, d time.Duration) error
}

// Validate reports every problem with the options, joined.
func (o Options) Validate() error {
	var errs []error
	if err := checkURL("URL", o.URL, true); err != nil {
		errs = append(errs, err)
	}
	if err := checkURL("QueryURL", o.QueryURL, false); err != nil {
		errs = append(errs, err)
	}
	if o.Mode != "" && o.Mode != Backfill && o.Mode != Live {
		errs = append(errs, fmt.Errorf("loadgen options: Mode %q: want %q or %q", o.Mode, Backfill, Live))
	}
	if o.Series < 0 || o.Hosts < 0 || o.Concurrency < 0 || o.BatchSize < 0 || o.PID < 0 {
		errs = append(errs, fmt.Errorf("loadgen options: Series %d, Hosts %d, Concurrency %d, BatchSize %d and PID %d must not be negative",
			o.Series, o.Hosts, o.Concurrency, o.BatchSize, o.PID))
	}
	if o.Series > 0 && o.Hosts > 0 {
		errs = append(errs, errors.New("loadgen options: set Series or Hosts, not both"))
	}
	if o.Duration < 0 || o.Start < 0 {
		errs = append(errs, fmt.Errorf("loadgen options: Duration %v and Start %v must not be negative", o.Duration, o.Start))
	}
	if o.Interval < 0 || o.Interval%time.Millisecond != 0 {
		errs = append(errs, fmt.Errorf("loadgen options: Interval %v: use whole milliseconds, or 0 for %v", o.Interval, DefaultInterval))
	}
	if d, iv := o.duration(), or(o.Interval, DefaultInterval); d < iv {
		errs = append(errs, fmt.Errorf("loadgen options: Duration %v is shorter than one Interval (%v); nothing to push", d, iv))
	}
	return errors.Join(errs...)
}

// checkURL checks an http or https base URL; an empty one is an error only
// when required.
func checkURL(field, s string, required bool) error {
	if s == "" && !required {
		return nil
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("loadgen options: %s %q: want http://HOST:PORT or https://HOST:PORT", field, s)
	}
	return nil
}

// withDefaults fills the zero fields with their defaults.
func (o Options) withDefaults() Options {
	o.WritePath = or(o.WritePath, DefaultWritePath)
	o.QueryURL = or(o.QueryURL, o.URL)
	o.Mode = or(o.Mode, Backfill)
	if o.Series == 0 && o.Hosts == 0 {
		o.Series = DefaultSeries
	}
	o.Duration = o.duration()
	o.Start = or(o.Start, o.Duration)
	o.Interval = or(o.Interval, DefaultInterval)
	o.Concurrency = or(o.Concurrency, DefaultConcurrency)
	o.BatchSize = or(o.BatchSize, DefaultBatchSize)
	o.MaxRetries = or(o.MaxRetries, DefaultMaxRetries)
	o.MinBackoff = or(o.MinBackoff, DefaultMinBackoff)
	o.MaxBackoff = or(o.MaxBackoff, DefaultMaxBackoff)
	o.MaxRetryAfter = or(o.MaxRetryAfter, DefaultMaxRetryAfter)
	o.RequestTimeout = or(o.RequestTimeout, DefaultRequestTimeout)
	o.ProcDir = or(o.ProcDir, DefaultProcDir)
	o.LatencySamples = or(o.LatencySamples, DefaultLatencySamples)
	o.BackgroundRate = or(o.BackgroundRate, DefaultBackgroundRate)
	o.ProgressInterval = or(o.ProgressInterval, DefaultProgressInterval)
	if o.Client == nil {
		o.Client = newClient(o.Concurrency + 4)
	}
	if o.sleep == nil {
		o.sleep = sleepCtx
	}
	return o
}

// duration returns Duration, or its default for the mode.
func (o Options) duration() time.Duration {
	switch {
	case o.Duration != 0:
		return o.Duration
	case o.Mode == Live:
		return DefaultLiveDuration
	default:
		return DefaultBackfillDuration
	}
}

// or returns v, or def when v is the zero value.
func or[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// newClient returns a client that keeps conns connections to one host open.
func newClient(conns int) *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = conns
	t.MaxIdleConnsPerHost = conns
	t.DisableCompression = true
	return &http.Client{Transport: t}
}

// sleepCtx waits d, or until ctx is done.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
