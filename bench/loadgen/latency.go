package loadgen

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/klauspost/compress/snappy"
	"github.com/prometheus/prometheus/model/labels"
)

// Defaults of LatencyOptions' zero fields.
const (
	DefaultMarkerName    = "vigil_bench_marker"
	DefaultPollInterval  = time.Millisecond
	DefaultMarkerGap     = 10 * time.Millisecond
	DefaultMarkerTimeout = 30 * time.Second
)

// LatencyOptions configure MeasureLatency. Only URL is required.
type LatencyOptions struct {
	// URL is the server's base URL, such as "http://localhost:9096".
	URL string
	// WritePath is the remote-write path under URL. Default: DefaultWritePath.
	WritePath string
	// QueryURL is the base URL of the Prometheus query API. Default: URL.
	QueryURL string
	// Samples is the number of markers. Default: DefaultLatencySamples.
	Samples int
	// Name is the markers' metric name. Default: DefaultMarkerName.
	Name string
	// Phase is the value of the markers' "phase" label, such as "idle".
	// Default: "latency".
	Phase string
	// PollInterval is the wait between two queries for one marker.
	// Default: DefaultPollInterval.
	PollInterval time.Duration
	// Gap is the wait between a marker becoming visible and the next push.
	// Default: DefaultMarkerGap.
	Gap time.Duration
	// Timeout is how long a marker may stay invisible before it counts as
	// a timeout. Default: DefaultMarkerTimeout.
	Timeout time.Duration
	// Client sends the requests. Default: a new client.
	Client *http.Client
	// OnMarker, when set, is called after each marker with its index and,
	// when it became visible, its latency (else 0).
	OnMarker func(i int, latency time.Duration)
}

// withDefaults fills the zero fields with their defaults.
func (o LatencyOptions) withDefaults() LatencyOptions {
	o.WritePath = or(o.WritePath, DefaultWritePath)
	o.QueryURL = or(o.QueryURL, o.URL)
	o.Samples = or(o.Samples, DefaultLatencySamples)
	o.Name = or(o.Name, DefaultMarkerName)
	o.Phase = or(o.Phase, "latency")
	o.PollInterval = or(o.PollInterval, DefaultPollInterval)
	o.Gap = or(o.Gap, DefaultMarkerGap)
	o.Timeout = or(o.Timeout, DefaultMarkerTimeout)
	if o.Client == nil {
		o.Client = newClient(2)
	}
	return o
}

// Latency is the push → queryable latency of a set of markers: from just
// before the push to the answer of the first query that showed the marker.
type Latency struct {
	// Markers is the number of markers measured, visible or not.
	Markers int
	// Timeouts is the number of markers that did not become visible within
	// the timeout.
	Timeouts int
	// P50, P90, P99 and Max are over every marker (nearest rank), a
	// timeout counting as the timeout: timeouts raise them, never hide.
	P50, P90, P99, Max time.Duration
}

// MarshalJSON writes the latencies in milliseconds: {"markers", "timeouts",
// "p50_ms", "p90_ms", "p99_ms", "max_ms"}.
func (l Latency) MarshalJSON() ([]byte, error) {
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	return json.Marshal(struct {
		Markers  int     `json:"markers"`
		Timeouts int     `json:"timeouts"`
		P50      float64 `json:"p50_ms"`
		P90      float64 `json:"p90_ms"`
		P99      float64 `json:"p99_ms"`
		Max      float64 `json:"max_ms"`
	}{l.Markers, l.Timeouts, ms(l.P50), ms(l.P90), ms(l.P99), ms(l.Max)})
}

// summarize returns the latency of the markers in ds (timeouts included,
// at the timeout).
func summarize(ds []time.Duration, timeouts int) Latency {
	l := Latency{Markers: len(ds), Timeouts: timeouts}
	if len(ds) == 0 {
		return l
	}
	slices.Sort(ds)
	rank := func(p int) time.Duration { return ds[max(0, (p*len(ds)+99)/100-1)] }
	l.P50, l.P90, l.P99, l.Max = rank(50), rank(90), rank(99), ds[len(ds)-1]
	return l
}

// MeasureLatency pushes o.Samples markers one after the other, each a new
// sample of the series NAME{phase="PHASE", run="ID"} (ID new for each call)
// with the value i+1, and polls GET /api/v1/query at the marker's time until
// the marker's value shows. A marker that does not show within o.Timeout
// counts as a timeout. It returns an error when a push fails or the query
// API refuses a query (4xx).
func MeasureLatency(ctx context.Context, o LatencyOptions) (Latency, error) {
	if err := checkURL("URL", o.URL, true); err != nil {
		return Latency{}, err
	}
	o = o.withDefaults()
	m := newMarker(&o)
	var ds []time.Duration
	timeouts := 0
	for i := range o.Samples {
		d, visible, err := m.measure(ctx, i)
		if err != nil {
			return summarize(ds, timeouts), fmt.Errorf("marker %d of %d: %w", i+1, o.Samples, err)
		}
		if !visible {
			// A marker never seen counts at the timeout, so timeouts raise
			// the percentiles instead of hiding from them.
			timeouts, d = timeouts+1, o.Timeout
		}
		ds = append(ds, d)
		if o.OnMarker != nil {
			o.OnMarker(i, d)
		}
		if err := sleepCtx(ctx, o.Gap); err != nil {
			return summarize(ds, timeouts), err
		}
	}
	return summarize(ds, timeouts), nil
}

// marker pushes and looks for the markers of one measurement.
type marker struct {
	o      *LatencyOptions
	set    *seriesSet
	send   *sender
	query  string // the query URL without the time
	w      *window
	pb     []byte
	comp   []byte
	lastTS int64
}

// newMarker returns the marker series of a new run.
func newMarker(o *LatencyOptions) *marker {
	run := strconv.FormatInt(time.Now().UnixNano(), 36)
	ls := labels.FromStrings(labels.MetricName, o.Name, "phase", o.Phase, "run", run)
	sel := fmt.Sprintf(`%s{phase=%q,run=%q}`, o.Name, o.Phase, run)
	opts := Options{URL: o.URL, WritePath: o.WritePath, Client: o.Client}.withDefaults()
	return &marker{o: o, set: newSeriesSet([]labels.Labels{ls}, "", ""), send: newSender(&opts, &stats{}),
		query: strings.TrimRight(o.QueryURL, "/") + DefaultQueryPath + "?query=" + url.QueryEscape(sel), w: newWindow(1, 1, nil)}
}

// measure pushes marker i and polls until it shows or times out.
func (m *marker) measure(ctx context.Context, i int) (time.Duration, bool, error) {
	ts := max(time.Now().UnixMilli(), m.lastTS+1)
	m.lastTS = ts
	value := float64(i + 1)
	m.w.ts, m.w.vals[0][0] = append(m.w.ts[:0], ts), value
	m.pb = appendRequest(m.pb[:0], m.set, 0, 1, m.w)
	m.comp = snappy.Encode(m.comp[:cap(m.comp)], m.pb)
	start := time.Now()
	if err := m.send.send(ctx, m.comp, 1); err != nil {
		return 0, false, fmt.Errorf("push: %w", err)
	}
	u := m.query + "&time=" + strconv.FormatFloat(float64(ts)/1000, 'f', 3, 64)
	for {
		ok, err := m.visible(ctx, u, value)
		if err != nil {
			return 0, false, err
		}
		if ok {
			return time.Since(start), true, nil
		}
		if time.Since(start) > m.o.Timeout {
			return 0, false, nil
		}
		if err := sleepCtx(ctx, m.o.PollInterval); err != nil {
			return 0, false, err
		}
	}
}

// queryAnswer is the part of an instant query's answer that MeasureLatency reads.
type queryAnswer struct {
	Status string `json:"status"`
	Data   struct {
		Result []struct {
			Value [2]any `json:"value"`
		} `json:"result"`
	} `json:"data"`
}

// visible asks the query API whether the marker's value shows. A 5xx or
// a connection error counts as not yet; a 4xx is an error.
func (m *marker) visible(ctx context.Context, u string, value float64) (bool, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return false, fmt.Errorf("query %s: %w", u, err)
	}
	resp, err := m.o.Client.Do(req)
	if err != nil {
		return false, ctx.Err() // nil unless ctx ended: try again
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 == 4 {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
		return false, fmt.Errorf("query %s: server answered %s: %s", u, resp.Status, strings.TrimSpace(string(msg)))
	}
	var a queryAnswer
	if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(&a) != nil {
		return false, nil
	}
	return a.shows(value), nil
}

// shows reports whether the answer's one series has the value.
func (a *queryAnswer) shows(value float64) bool {
	if a.Status != "success" || len(a.Data.Result) != 1 {
		return false
	}
	s, ok := a.Data.Result[0].Value[1].(string)
	if !ok {
		return false
	}
	v, err := strconv.ParseFloat(s, 64)
	return err == nil && v == value
}
