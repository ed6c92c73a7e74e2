package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/klauspost/compress/snappy"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/prompb"
)

// promAPI is a client of the Prometheus HTTP API, spoken by Vigil and by
// Prometheus alike. Safe for concurrent use.
type promAPI struct {
	base   string
	client *http.Client
}

func newPromAPI(base string) *promAPI {
	return &promAPI{base: base, client: &http.Client{Timeout: 30 * time.Second}}
}

// pushResult is the answer to a push.
type pushResult struct {
	Status int
	Body   string
	Header http.Header
}

func (r pushResult) String() string {
	return fmt.Sprintf("%d %q", r.Status, r.Body)
}

// pushRemoteWrite sends req as Prometheus remote write 1.0.
func (a *promAPI) pushRemoteWrite(req *prompb.WriteRequest) (pushResult, error) {
	raw, err := req.Marshal()
	if err != nil {
		return pushResult{}, fmt.Errorf("marshal write request: %w", err)
	}
	return a.pushRemoteWriteBody(snappy.Encode(nil, raw))
}

// pushRemoteWriteBody posts an already encoded (or deliberately broken)
// remote-write body.
func (a *promAPI) pushRemoteWriteBody(body []byte) (pushResult, error) {
	h := http.Header{}
	h.Set("Content-Encoding", "snappy")
	h.Set("Content-Type", "application/x-protobuf")
	h.Set("X-Prometheus-Remote-Write-Version", "0.1.0")
	return a.post("/api/v1/write", h, body)
}

// pushText sends body in the text exposition format.
func (a *promAPI) pushText(body string) (pushResult, error) {
	h := http.Header{}
	h.Set("Content-Type", "text/plain; version=0.0.4")
	return a.post("/api/v1/import/prometheus", h, []byte(body))
}

func (a *promAPI) post(path string, h http.Header, body []byte) (pushResult, error) {
	req, err := http.NewRequest(http.MethodPost, a.base+path, bytes.NewReader(body))
	if err != nil {
		return pushResult{}, err
	}
	req.Header = h
	resp, err := a.client.Do(req)
	if err != nil {
		return pushResult{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return pushResult{Status: resp.StatusCode, Body: strings.TrimSpace(string(b)), Header: resp.Header}, err
}

// apiResponse is the Prometheus API envelope.
type apiResponse struct {
	HTTPStatus int             `json:"-"`
	Status     string          `json:"status"`
	Data       json.RawMessage `json:"data"`
	ErrorType  string          `json:"errorType"`
	Error      string          `json:"error"`
	Warnings   []string        `json:"warnings"`
	Infos      []string        `json:"infos"`
}

// get calls GET path?params and decodes the envelope; a non-success answer
// is returned, not an error, so callers can compare errors too.
func (a *promAPI) get(path string, params url.Values) (*apiResponse, error) {
	resp, err := a.client.Get(a.base + path + "?" + params.Encode())
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	r := &apiResponse{HTTPStatus: resp.StatusCode}
	if err := json.Unmarshal(b, r); err != nil {
		return nil, fmt.Errorf("GET %s?%s: status %d, body %.300q: %w", path, params.Encode(), resp.StatusCode, b, err)
	}
	return r, nil
}

// getData calls get and requires a successful answer, decoding data into v.
func (a *promAPI) getData(path string, params url.Values, v any) error {
	r, err := a.get(path, params)
	if err != nil {
		return err
	}
	if r.Status != "success" || r.HTTPStatus != http.StatusOK {
		return fmt.Errorf("GET %s?%s: %d %s: %s", path, params.Encode(), r.HTTPStatus, r.ErrorType, r.Error)
	}
	return json.Unmarshal(r.Data, v)
}

// formatTime renders a millisecond timestamp as API seconds.
func formatTime(ms int64) string {
	return fmt.Sprintf("%d.%03d", ms/1000, ms%1000)
}

func (a *promAPI) instantParams(expr string, ts int64) url.Values {
	return url.Values{"query": {expr}, "time": {formatTime(ts)}}
}

func rangeParams(expr string, start, end int64, step time.Duration) url.Values {
	return url.Values{"query": {expr}, "start": {formatTime(start)}, "end": {formatTime(end)},
		"step": {strconv.FormatFloat(step.Seconds(), 'f', -1, 64)}}
}

// query runs an instant query at ts (ms) and requires success.
func (a *promAPI) query(expr string, ts int64) (*queryResult, error) {
	r, err := a.get("/api/v1/query", a.instantParams(expr, ts))
	return decodeSuccess(r, err)
}

// queryRange runs a range query and requires success.
func (a *promAPI) queryRange(expr string, start, end int64, step time.Duration) (*queryResult, error) {
	r, err := a.get("/api/v1/query_range", rangeParams(expr, start, end, step))
	return decodeSuccess(r, err)
}

func decodeSuccess(r *apiResponse, err error) (*queryResult, error) {
	if err != nil {
		return nil, err
	}
	if r.Status != "success" {
		return nil, fmt.Errorf("%d %s: %s", r.HTTPStatus, r.ErrorType, r.Error)
	}
	return decodeQueryData(r.Data)
}

// series calls /api/v1/series; start and end are omitted when zero.
func (a *promAPI) series(match []string, start, end int64) ([]map[string]string, error) {
	p := url.Values{"match[]": match}
	if start != 0 || end != 0 {
		p.Set("start", formatTime(start))
		p.Set("end", formatTime(end))
	}
	var out []map[string]string
	err := a.getData("/api/v1/series", p, &out)
	return out, err
}

// labelNames calls /api/v1/labels.
func (a *promAPI) labelNames() ([]string, error) {
	var out []string
	err := a.getData("/api/v1/labels", url.Values{}, &out)
	return out, err
}

// labelValues calls /api/v1/label/<name>/values.
func (a *promAPI) labelValues(name string) ([]string, error) {
	var out []string
	err := a.getData("/api/v1/label/"+url.PathEscape(name)+"/values", url.Values{}, &out)
	return out, err
}

// queryResult is a decoded query answer. A scalar or string is one series
// with no labels and one point; a vector has one point per series.
type queryResult struct {
	Type   string
	Series []resultSeries
}

type resultSeries struct {
	Metric map[string]string
	Points []resultPoint
}

type resultPoint struct {
	T int64  // milliseconds
	V string // the value exactly as the API wrote it
}

// rawPoint is the API's [seconds, "value"] pair: a JSON number and a string.
type rawPoint struct {
	T json.Number
	V string
}

func (p *rawPoint) UnmarshalJSON(b []byte) error {
	pair := []any{&p.T, &p.V}
	return json.Unmarshal(b, &pair)
}

func (p rawPoint) decode() (resultPoint, error) {
	t, err := parseAPITime(p.T.String())
	return resultPoint{T: t, V: p.V}, err
}

// parseAPITime turns "1700000000.123" into milliseconds exactly.
func parseAPITime(s string) (int64, error) {
	sec, frac, _ := strings.Cut(s, ".")
	if len(frac) > 3 {
		return 0, fmt.Errorf("timestamp %q has sub-millisecond digits", s)
	}
	n, err := strconv.ParseInt(sec+(frac + "000")[:3], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("timestamp %q: %w", s, err)
	}
	return n, nil
}

func decodeQueryData(data json.RawMessage) (*queryResult, error) {
	var d struct {
		ResultType string          `json:"resultType"`
		Result     json.RawMessage `json:"result"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&d); err != nil {
		return nil, fmt.Errorf("decode data: %w", err)
	}
	res := &queryResult{Type: d.ResultType}
	err := res.decodeResult(d.Result)
	return res, err
}

func (r *queryResult) decodeResult(raw json.RawMessage) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	switch r.Type {
	case "scalar", "string":
		var p rawPoint
		if err := dec.Decode(&p); err != nil {
			return fmt.Errorf("decode %s: %w", r.Type, err)
		}
		return r.add(nil, []rawPoint{p})
	case "vector":
		return r.decodeVector(dec)
	case "matrix":
		return r.decodeMatrix(dec)
	}
	return fmt.Errorf("unknown resultType %q", r.Type)
}

func (r *queryResult) decodeVector(dec *json.Decoder) error {
	var v []struct {
		Metric    map[string]string `json:"metric"`
		Value     *rawPoint         `json:"value"`
		Histogram json.RawMessage   `json:"histogram"`
	}
	if err := dec.Decode(&v); err != nil {
		return fmt.Errorf("decode vector: %w", err)
	}
	for _, s := range v {
		if s.Value == nil {
			return fmt.Errorf("vector element %v has no float value (histogram %s)", s.Metric, s.Histogram)
		}
		if err := r.add(s.Metric, []rawPoint{*s.Value}); err != nil {
			return err
		}
	}
	return nil
}

func (r *queryResult) decodeMatrix(dec *json.Decoder) error {
	var m []struct {
		Metric map[string]string `json:"metric"`
		Values []rawPoint        `json:"values"`
	}
	if err := dec.Decode(&m); err != nil {
		return fmt.Errorf("decode matrix: %w", err)
	}
	for _, s := range m {
		if err := r.add(s.Metric, s.Values); err != nil {
			return err
		}
	}
	return nil
}

func (r *queryResult) add(metric map[string]string, raw []rawPoint) error {
	s := resultSeries{Metric: metric, Points: make([]resultPoint, 0, len(raw))}
	for _, p := range raw {
		rp, err := p.decode()
		if err != nil {
			return err
		}
		s.Points = append(s.Points, rp)
	}
	r.Series = append(r.Series, s)
	return nil
}

// metricString renders labels as {a="b", c="d"}, sorted by name.
func metricString(m map[string]string) string {
	return labels.FromMap(m).String()
}

// format renders the result one series per line, as
// `{labels} value@offset value@offset`, offsets in seconds after base (ms).
// Lines are sorted by labels unless ordered is set.
func (r *queryResult) format(base int64, ordered bool) string {
	lines := make([]string, 0, len(r.Series))
	for _, s := range r.Series {
		var b strings.Builder
		b.WriteString(metricString(s.Metric))
		for _, p := range s.Points {
			fmt.Fprintf(&b, " %s@%s", p.V, formatOffset(p.T-base))
		}
		lines = append(lines, b.String())
	}
	if !ordered {
		slices.Sort(lines)
	}
	return r.Type + "\n" + strings.Join(lines, "\n")
}

func formatOffset(ms int64) string {
	if ms%1000 == 0 {
		return strconv.FormatInt(ms/1000, 10)
	}
	return strconv.FormatFloat(float64(ms)/1000, 'f', -1, 64)
}

// sameValue reports whether two API values agree: equal strings, both NaN,
// or within 1e-9 relative.
func sameValue(a, b string) bool {
	if a == b {
		return true
	}
	x, err1 := strconv.ParseFloat(a, 64)
	y, err2 := strconv.ParseFloat(b, 64)
	if err1 != nil || err2 != nil {
		return false
	}
	if math.IsNaN(x) || math.IsNaN(y) {
		return math.IsNaN(x) && math.IsNaN(y)
	}
	if math.IsInf(x, 0) || math.IsInf(y, 0) {
		return x == y
	}
	return math.Abs(x-y) <= 1e-9*math.Max(math.Abs(x), math.Abs(y))
}
