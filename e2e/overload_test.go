package e2e

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/klauspost/compress/snappy"
	"github.com/prometheus/prometheus/prompb"
)

// The flood: floodClients push floodRequests remote-write requests each,
// back to back, of floodSeries series with one sample, against a server
// that takes 8 requests and 256 KiB of bodies at once.
const (
	floodClients  = 32
	floodRequests = 100
	floodSeries   = 200
	floodStep     = 100 // ms between a client's requests' timestamps

	overloadConfig = `
storage:
  wal_sync: always
log:
  level: warn
ingest:
  max_inflight_requests: 8
  max_inflight_bytes: 256KiB
`
	// maxFloodRSS bounds the server's peak resident memory (VmHWM). On a
	// 2-core machine the peak was 29 MiB: the flood stores at most 6,400
	// series, and admission control keeps at most 8 requests (about 10 KiB
	// each, 256 KiB in all) in memory however many are sent.
	maxFloodRSS = 128 << 20
)

// TestOverload floods the server from many goroutines. Some pushes are
// refused with 429 and Retry-After; the server's peak RSS stays under
// maxFloodRSS; and exactly the samples of the pushes answered 204 are
// stored, none of the refused ones.
func TestOverload(t *testing.T) {
	v := startVigil(t, vigilOptions{Config: overloadConfig})
	base := time.Now().Add(-time.Minute).Truncate(time.Second).UnixMilli()
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: floodClients}}
	accepted := make([][]int, floodClients) // per client: the requests answered 204
	refused := make([]int, floodClients)
	errs := make([]error, floodClients)
	var wg sync.WaitGroup
	for c := range floodClients {
		wg.Go(func() { accepted[c], refused[c], errs[c] = flood(client, v.api.base, c, base) })
	}
	wg.Wait()
	total429, total204 := 0, 0
	for c := range floodClients {
		if errs[c] != nil {
			t.Fatalf("client %d: %v", c, errs[c])
		}
		total429 += refused[c]
		total204 += len(accepted[c])
	}
	t.Logf("%d pushes answered 204, %d answered 429", total204, total429)
	if total429 == 0 || total204 == 0 {
		t.Fatalf("%d pushes answered 204 and %d 429; want some of each", total204, total429)
	}
	checkRSS(t, v.proc.cmd.Process.Pid)
	for c := range floodClients {
		checkStored(t, v.api, c, base, accepted[c])
	}
}

// flood sends a client's requests in order, and returns the indexes of
// those answered 204 and the count of those answered 429 (with
// Retry-After: 1). Any other answer is an error.
func flood(client *http.Client, base string, c int, t0 int64) (accepted []int, refused int, err error) {
	for i := range floodRequests {
		code, retry, err := pushFlood(client, base, floodBody(c, i, t0))
		switch {
		case err != nil:
			return nil, 0, err
		case code == http.StatusNoContent:
			accepted = append(accepted, i)
		case code == http.StatusTooManyRequests && retry == "1":
			refused++
		default:
			return nil, 0, fmt.Errorf("request %d: %d (Retry-After %q)", i, code, retry)
		}
	}
	return accepted, refused, nil
}

// floodBody is request i of client c: series flood{c, s} = i at t0+i*floodStep.
func floodBody(c, i int, t0 int64) []byte {
	req := &prompb.WriteRequest{Timeseries: make([]prompb.TimeSeries, floodSeries)}
	for s := range floodSeries {
		req.Timeseries[s] = prompb.TimeSeries{
			Labels: []prompb.Label{{Name: "__name__", Value: "flood"}, {Name: "c", Value: strconv.Itoa(c)},
				{Name: "s", Value: strconv.Itoa(s)}},
			Samples: []prompb.Sample{{Timestamp: t0 + int64(i*floodStep), Value: float64(i)}},
		}
	}
	raw, _ := req.Marshal()
	return snappy.Encode(nil, raw)
}

func pushFlood(client *http.Client, base string, body []byte) (code int, retryAfter string, err error) {
	req, err := http.NewRequest(http.MethodPost, base+"/api/v1/write", bytes.NewReader(body))
	if err != nil {
		return 0, "", err
	}
	req.Header.Set("Content-Encoding", "snappy")
	req.Header.Set("Content-Type", "application/x-protobuf")
	resp, err := client.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	_, err = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, resp.Header.Get("Retry-After"), err
}

// checkRSS requires the process's peak resident set (VmHWM) under
// maxFloodRSS.
func checkRSS(t *testing.T, pid int) {
	t.Helper()
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Skipf("no /proc: %v", err)
	}
	for line := range strings.Lines(string(status)) {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				t.Fatalf("VmHWM %q: %v", rest, err)
			}
			t.Logf("server peak RSS %d MiB (bound %d MiB)", kb>>10, maxFloodRSS>>20)
			if kb<<10 > maxFloodRSS {
				t.Errorf("server peak RSS %d MiB, over the bound of %d MiB", kb>>10, maxFloodRSS>>20)
			}
			return
		}
	}
	t.Fatalf("no VmHWM in /proc/%d/status", pid)
}

// checkStored requires client c's series to hold exactly the samples of its
// accepted requests.
func checkStored(t *testing.T, api *promAPI, c int, t0 int64, accepted []int) {
	t.Helper()
	var want strings.Builder
	for _, i := range accepted {
		fmt.Fprintf(&want, " %d@%d", i, t0+int64(i*floodStep))
	}
	end := t0 + floodRequests*floodStep
	res, err := api.query(fmt.Sprintf(`flood{c="%d"}[%dms]`, c, end-t0+1), end)
	if err != nil {
		t.Fatalf("client %d: %v", c, err)
	}
	if len(accepted) > 0 && len(res.Series) != floodSeries {
		t.Fatalf("client %d: %d series stored, want %d", c, len(res.Series), floodSeries)
	}
	for _, s := range res.Series {
		var got strings.Builder
		for _, p := range s.Points {
			fmt.Fprintf(&got, " %s@%d", p.V, p.T)
		}
		if got.String() != want.String() {
			t.Fatalf("client %d, series %v:\n got%s\nwant%s", c, s.Metric, got.String(), want.String())
		}
	}
}
