package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/prometheus/prompb"
)

// The data of the storage tests, on a 10 s grid from t0 (i = 0..120, the
// first phase i ≤ 60 is flushed into a block, the second stays in the head):
//
//	e2e_store_total{job="a"}  10*i        (its value is its offset in seconds)
//	e2e_store_gauge{job="a"}  0.25*i - 3
//	e2e_store_edge{job="a"}   i           (first phase only)
//
// t0 starts a 2 h window (the default block_duration) at least an hour ago,
// so the first phase is cut into exactly one block.
const (
	storePhase1 = 60  // last i of the first phase
	storePhase2 = 120 // last i of the second phase
	blockRange  = 2 * time.Hour
)

const storageConfig = `
server:
  enable_admin_api: true
storage:
  wal_sync: always
  out_of_order_window: 1m
log:
  level: info
`

// storageStart returns t0: the start of the 2 h window an hour ago.
func storageStart() int64 {
	ms := time.Now().Add(-time.Hour).UnixMilli()
	return ms - ms%blockRange.Milliseconds()
}

func storeGauge(i int) float64 { return 0.25*float64(i) - 3 }

// storeSeries is one series of the grid with value f(i) for i in [from, to].
func storeSeries(t0 int64, name string, from, to int, f func(int) float64) prompb.TimeSeries {
	ts := prompb.TimeSeries{Labels: sortedLabels(name, "job", "a")}
	for i := from; i <= to; i++ {
		ts.Samples = append(ts.Samples, prompb.Sample{Timestamp: t0 + int64(i)*gridStep, Value: f(i)})
	}
	return ts
}

// pushPhase1 pushes the first phase with remote write: 3 series of 61 samples.
func pushPhase1(t *testing.T, api *promAPI, t0 int64) {
	t.Helper()
	r, err := api.pushRemoteWrite(&prompb.WriteRequest{Timeseries: []prompb.TimeSeries{
		storeSeries(t0, "e2e_store_total", 0, storePhase1, func(i int) float64 { return 10 * float64(i) }),
		storeSeries(t0, "e2e_store_gauge", 0, storePhase1, storeGauge),
		storeSeries(t0, "e2e_store_edge", 0, storePhase1, func(i int) float64 { return float64(i) }),
	}})
	checkWritten(t, "phase 1", mustPush(t, "phase 1", r, err, http.StatusNoContent), 3*(storePhase1+1))
}

// pushPhase2 pushes the second phase in the text format with timestamps.
func pushPhase2(t *testing.T, api *promAPI, t0 int64) {
	t.Helper()
	var b strings.Builder
	for i := storePhase1 + 1; i <= storePhase2; i++ {
		ts := t0 + int64(i)*gridStep
		fmt.Fprintf(&b, "e2e_store_total{job=\"a\"} %d %d\n", 10*i, ts)
		fmt.Fprintf(&b, "e2e_store_gauge{job=\"a\"} %s %d\n", strconv.FormatFloat(storeGauge(i), 'g', -1, 64), ts)
	}
	r, err := api.pushText(b.String())
	mustPush(t, "phase 2", r, err, http.StatusNoContent)
}

// flushHead calls POST /api/v1/admin/flush, requires 200 and "success", and
// returns the block it reports (nil for none) and the body.
func flushHead(t *testing.T, api *promAPI) (b *flushedBlock, body string) {
	t.Helper()
	r, err := api.post("/api/v1/admin/flush", http.Header{}, nil)
	if err != nil || r.Status != http.StatusOK {
		t.Fatalf("POST /api/v1/admin/flush: %v %v", r, err)
	}
	var resp struct {
		Status string `json:"status"`
		Data   struct {
			Block *flushedBlock `json:"block"`
		} `json:"data"`
	}
	if err := json.Unmarshal([]byte(r.Body), &resp); err != nil || resp.Status != "success" {
		t.Fatalf("flush answer %q: %v", r.Body, err)
	}
	return resp.Data.Block, r.Body
}

// flushedBlock is the block a flush reports.
type flushedBlock struct {
	ID         string `json:"id"`
	MinTime    int64  `json:"minTime"`
	MaxTime    int64  `json:"maxTime"`
	NumSamples uint64 `json:"numSamples"`
}

// flushPhase1 flushes the head holding the first phase and checks the
// answer and the block directory; it returns the block's id.
func flushPhase1(t *testing.T, v *vigil, t0 int64) string {
	t.Helper()
	b, body := flushHead(t, v.api)
	if b == nil {
		t.Fatalf("flush wrote no block: %s", body)
	}
	id := b.ID
	want := fmt.Sprintf(`{"status":"success","data":{"block":{"id":%q,"minTime":%d,"maxTime":%d,"numSeries":3,"numSamples":%d,"level":1}}}`,
		id, t0, t0+storePhase1*gridStep, 3*(storePhase1+1))
	if id == "" || body != want {
		t.Fatalf("flush:\n got %s\nwant %s", body, want)
	}
	for _, f := range []string{"meta.json", "index", "chunks"} {
		if fi, err := os.Stat(filepath.Join(v.dataDir, "blocks", id, f)); err != nil || !fi.Mode().IsRegular() || fi.Size() == 0 {
			t.Errorf("block file %s/%s: %v (stat error %v)", id, f, fi, err)
		}
	}
	if _, body := flushHead(t, v.api); body != `{"status":"success","data":{"block":null}}` {
		t.Errorf("flush of an empty head: got %s", body)
	}
	return id
}

// storageChecks are the exact answers over the block (i ≤ 60) and the head
// (i > 60), with the out-of-order sample 1195.5 at 1195 s.
var storageChecks = []queryCheck{
	{expr: `e2e_store_total`, at: 300, want: "vector\n" + `{__name__="e2e_store_total", job="a"} 300@300`},
	{expr: `e2e_store_total`, at: 900, want: "vector\n" + `{__name__="e2e_store_total", job="a"} 900@900`},
	{expr: `e2e_store_total`, at: 1197, want: "vector\n" + `{__name__="e2e_store_total", job="a"} 1195.5@1197`},
	{expr: `e2e_store_total`, start: 580, end: 640, step: 20 * time.Second, want: "matrix\n" +
		`{__name__="e2e_store_total", job="a"} 580@580 600@600 620@620 640@640`},
	{expr: `rate(e2e_store_total[1m])`, at: 630, want: "vector\n" + `{job="a"} 1@630`},
	{expr: `count_over_time(e2e_store_total[30m])`, at: 1200, want: "vector\n" + `{job="a"} 122@1200`},
	{expr: `sum_over_time(e2e_store_gauge[30m])`, at: 1200, want: "vector\n" + `{job="a"} 1452@1200`},
	{expr: `e2e_store_gauge`, start: 0, end: 1200, step: 5 * time.Minute, want: "matrix\n" +
		`{__name__="e2e_store_gauge", job="a"} -3@0 4.5@300 12@600 19.5@900 27@1200`},
	{expr: `e2e_store_edge`, start: 590, end: 620, step: 10 * time.Second, want: "matrix\n" +
		`{__name__="e2e_store_edge", job="a"} 59@590 60@600 60@610 60@620`},
}

// TestStorageFlushAndRestart flushes the head into a block, keeps pushing
// into the head, and checks exact answers across both, the bounds the
// block sets on late samples, the out-of-order window, and a restart.
func TestStorageFlushAndRestart(t *testing.T) {
	t0 := storageStart()
	v := startVigil(t, vigilOptions{Config: storageConfig})
	pushPhase1(t, v.api, t0)
	flushPhase1(t, v, t0)
	pushPhase2(t, v.api, t0)

	// Older than the block: refused, even within the window of the series'
	// newest sample (600 s), since a block is immutable.
	r, err := v.api.pushRemoteWrite(&prompb.WriteRequest{Timeseries: []prompb.TimeSeries{
		storeSeries(t0, "e2e_store_edge", 57, 57, func(int) float64 { return -1 })}})
	r = mustPush(t, "older than the block", r, err, http.StatusBadRequest)
	checkWritten(t, "older than the block", r, 0)
	checkMessage(t, "older than the block", r.Body, "out of bounds", `e2e_store_edge", job="a"`)

	// Within the 1m window of the newest sample (1200 s): stored.
	r, err = v.api.pushText(fmt.Sprintf("e2e_store_total{job=\"a\"} 1195.5 %d\n", t0+1_195_000))
	mustPush(t, "within the window", r, err, http.StatusNoContent)
	// Beyond it: refused.
	r, err = v.api.pushText(fmt.Sprintf("e2e_store_total{job=\"a\"} 1130.5 %d\n", t0+1_130_000))
	r = mustPush(t, "beyond the window", r, err, http.StatusBadRequest)
	checkMessage(t, "beyond the window", r.Body, "1 out of order", `e2e_store_total", job="a"`)

	runChecks(t, v.api, t0, storageChecks)
	v.stop()
	v.start()
	runChecks(t, v.api, t0, storageChecks)
}

// TestStorageCorruptBlock damages a block while the server is stopped: the
// server still starts, logs the block, counts it, moves it to quarantine/
// and serves the head.
func TestStorageCorruptBlock(t *testing.T) {
	t0 := storageStart()
	v := startVigil(t, vigilOptions{Config: storageConfig})
	pushPhase1(t, v.api, t0)
	id := flushPhase1(t, v, t0)
	pushPhase2(t, v.api, t0)
	v.stop()

	flipByte(t, filepath.Join(v.dataDir, "blocks", id, "chunks"))
	v.start()
	checkErrorLogged(t, v.logs.String(), id)
	if got, ok, err := v.api.metricValue("vigil_tsdb_blocks_corrupt_total"); err != nil || !ok || got != 1 {
		t.Errorf("vigil_tsdb_blocks_corrupt_total = %v (found %v, err %v), want 1", got, ok, err)
	}
	if fi, err := os.Stat(filepath.Join(v.dataDir, "quarantine", id)); err != nil || !fi.IsDir() {
		t.Errorf("quarantine/%s: %v", id, err)
	}
	if _, err := os.Stat(filepath.Join(v.dataDir, "blocks", id)); !os.IsNotExist(err) {
		t.Errorf("blocks/%s still there: %v", id, err)
	}
	runChecks(t, v.api, t0, []queryCheck{
		{expr: `e2e_store_total`, at: 900, want: "vector\n" + `{__name__="e2e_store_total", job="a"} 900@900`},
		{expr: `e2e_store_total`, start: 580, end: 640, step: 20 * time.Second, want: "matrix\n" +
			`{__name__="e2e_store_total", job="a"} 620@620 640@640`},
		{expr: `count_over_time(e2e_store_total[30m])`, at: 1200, want: "vector\n" + `{job="a"} 60@1200`},
		{expr: `e2e_store_edge`, at: 600, want: "vector\n"},
	})
}

// flipByte inverts the byte in the middle of the file at path.
func flipByte(t *testing.T, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil || len(b) == 0 {
		t.Fatalf("read %s: %d bytes, %v", path, len(b), err)
	}
	b[len(b)/2] ^= 0xff
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// checkErrorLogged requires an error-level line of logs naming the block.
func checkErrorLogged(t *testing.T, logs, id string) {
	t.Helper()
	for line := range strings.Lines(logs) {
		if strings.Contains(line, "level=ERROR") && strings.Contains(line, id) {
			t.Logf("logged: %s", strings.TrimSpace(line))
			return
		}
	}
	t.Errorf("no error logged naming block %s", id)
}
