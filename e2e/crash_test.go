package e2e

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/prometheus/prompb"
)

// The crash test: pushers send batches of unique samples to a server with
// wal_sync: always while it is killed with SIGKILL at a random moment; after
// each restart every sample of every request that got 204 must be there,
// with its exact value. Samples of requests in flight at the kill may or may
// not be there, but nothing else may appear. After each restart the head is
// flushed into a block, so the data read back is spread over blocks (one
// per round, or fewer once compacted) and the head.
const (
	crashPushers      = 4 // half remote write, half text
	crashSeries       = 3 // series per pusher
	crashBatch        = 5 // samples per series per request
	crashRounds       = 5
	crashRoundsLong   = 40
	crashMaxKillDelay = 500 * time.Millisecond
	crashMetric       = "crash_samples"
)

// crashPusher owns crashSeries series and remembers every request it sent
// and which of them were acknowledged. A request is identified by the first
// sequence number of its samples; sample seq has timestamp base+seq (ms) in
// every series of the pusher.
type crashPusher struct {
	id   int
	text bool
	next int64          // the first sequence number of the next request
	sent map[int64]bool // first sequence number → acknowledged (204)
}

func newCrashPushers() []*crashPusher {
	ps := make([]*crashPusher, crashPushers)
	for i := range ps {
		ps[i] = &crashPusher{id: i, text: i%2 == 1, sent: map[int64]bool{}}
	}
	return ps
}

// value is the one value sample seq of series s of pusher p may have.
// Quarter steps keep it exact in the text format.
func crashValue(p, s int, seq int64) float64 {
	return float64(seq)*3 + float64(s) + float64(p)*0.25
}

func (p *crashPusher) format() string {
	if p.text {
		return "text"
	}
	return "rw"
}

func (p *crashPusher) seriesKey(s int) string {
	return fmt.Sprintf(`{__name__="%s", format="%s", pusher="%d", series="%d"}`, crashMetric, p.format(), p.id, s)
}

// push sends the request starting at seq.
func (p *crashPusher) push(api *promAPI, base, seq int64) (pushResult, error) {
	if p.text {
		return api.pushText(p.textBody(base, seq))
	}
	return api.pushRemoteWrite(p.writeRequest(base, seq))
}

func (p *crashPusher) textBody(base, seq int64) string {
	var b strings.Builder
	for s := range crashSeries {
		for i := range int64(crashBatch) {
			fmt.Fprintf(&b, "%s{format=\"text\",pusher=\"%d\",series=\"%d\"} %s %d\n", crashMetric, p.id, s,
				strconv.FormatFloat(crashValue(p.id, s, seq+i), 'g', -1, 64), base+seq+i)
		}
	}
	return b.String()
}

func (p *crashPusher) writeRequest(base, seq int64) *prompb.WriteRequest {
	req := &prompb.WriteRequest{}
	for s := range crashSeries {
		ts := prompb.TimeSeries{Labels: sortedLabels(crashMetric, "format", "rw",
			"pusher", strconv.Itoa(p.id), "series", strconv.Itoa(s))}
		for i := range int64(crashBatch) {
			ts.Samples = append(ts.Samples, prompb.Sample{Timestamp: base + seq + i, Value: crashValue(p.id, s, seq+i)})
		}
		req.Timeseries = append(req.Timeseries, ts)
	}
	return req
}

// run pushes until a request fails. An error before killed is set, or any
// answer but 204, is a test failure reported on errs.
func (p *crashPusher) run(api *promAPI, base int64, killed *atomic.Bool, errs chan<- error) {
	for !killed.Load() {
		seq := p.next
		p.next += crashBatch
		p.sent[seq] = false
		r, err := p.push(api, base, seq)
		if err != nil {
			if !killed.Load() {
				errs <- fmt.Errorf("pusher %d before the kill: %w", p.id, err)
			}
			return
		}
		if r.Status != http.StatusNoContent {
			errs <- fmt.Errorf("pusher %d request %d: got %s, want 204", p.id, seq, r)
			return
		}
		p.sent[seq] = true
	}
}

// TestCrashKeepsAcknowledgedSamples is the crash-safety acceptance test.
func TestCrashKeepsAcknowledgedSamples(t *testing.T) {
	seed := *seedFlag
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	t.Logf("seed %d (replay with -seed=%d)", seed, seed)
	rng := rand.New(rand.NewPCG(seed, 0))
	rounds := crashRounds
	if *longFlag {
		rounds = crashRoundsLong
	}
	base := time.Now().Add(-time.Hour).Truncate(time.Second).UnixMilli()
	pushers := newCrashPushers()
	v := newVigil(t, vigilOptions{Config: "server:\n  enable_admin_api: true\n" + defaultVigilConfig})
	flushed := false // a flush has written a block
	for round := range rounds {
		v.start()
		blocks := checkCrashBlocks(t, v.dataDir, flushed)
		verifyCrash(t, v.api, base, pushers)
		block := flushCrash(t, v, base, pushers)
		flushed = flushed || block != "none"
		delay := time.Duration(rng.Int64N(int64(crashMaxKillDelay)))
		pushAndKill(t, v, base, pushers, delay)
		tear := tearWALTail(t, v.dataDir, rng)
		t.Logf("round %d: %d blocks at start, flushed block %s; SIGKILL after %v, WAL tail: %s; %s",
			round, blocks, block, delay, tear, crashStats(pushers))
	}
	v.start()
	t.Logf("final start: %d blocks", checkCrashBlocks(t, v.dataDir, flushed))
	verifyCrash(t, v.api, base, pushers)
	t.Logf("final flush: block %s", flushCrash(t, v, base, pushers))
	verifyCrash(t, v.api, base, pushers)
	v.stop()
	t.Logf("starts that logged a repaired WAL: %d of %d",
		strings.Count(v.logs.String(), "wal corruption repaired"), v.starts)
}

// flushCrash cuts v's head into a block (POST /api/v1/admin/flush) and
// describes the block, or returns "none" when the head was empty. A sample
// older than the newest flushed one is out of bounds from then on, so it
// moves every pusher's next sequence to the greatest of them: every sample
// sent so far, acknowledged or not, is older than that.
func flushCrash(t *testing.T, v *vigil, base int64, pushers []*crashPusher) string {
	t.Helper()
	b, _ := flushHead(t, v.api)
	next := advancePushers(pushers)
	if b == nil {
		return "none"
	}
	if b.MaxTime >= base+next {
		t.Fatalf("flushed block %s ends at seq %d; every sample sent is below seq %d", b.ID, b.MaxTime-base, next)
	}
	if fi, err := os.Stat(filepath.Join(v.dataDir, "blocks", b.ID)); err != nil || !fi.IsDir() {
		t.Fatalf("flushed block %s is not in the blocks directory: %v", b.ID, err)
	}
	return fmt.Sprintf("%s (seq %d..%d, %d samples)", b.ID, b.MinTime-base, b.MaxTime-base, b.NumSamples)
}

// advancePushers moves every pusher's next sequence to the greatest of
// them and returns it.
func advancePushers(pushers []*crashPusher) int64 {
	var next int64
	for _, p := range pushers {
		next = max(next, p.next)
	}
	for _, p := range pushers {
		p.next = next
	}
	return next
}

// checkCrashBlocks counts the blocks in the data directory and requires one
// at least once a flush has written one: compaction may merge them,
// retention must not drop them.
func checkCrashBlocks(t *testing.T, dataDir string, flushed bool) int {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(dataDir, "blocks"))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("read blocks directory: %v", err)
	}
	n := 0
	for _, e := range entries {
		if e.IsDir() && !strings.HasSuffix(e.Name(), ".tmp") {
			n++
		}
	}
	if flushed && n == 0 {
		t.Fatalf("no block in %s after a flush wrote one", filepath.Join(dataDir, "blocks"))
	}
	return n
}

// tearWALTail simulates a torn write at the end of the newest WAL segment,
// as a power loss during the last, unacknowledged write leaves it: nothing,
// zeros, or the start of a record cut short. (A SIGKILL alone cannot tear a
// write(2) to a file.) The next start must repair it, and records written
// after the repair must survive the start after that.
func tearWALTail(t *testing.T, dataDir string, rng *rand.Rand) string {
	t.Helper()
	seg := newestSegment(t, filepath.Join(dataDir, "wal"))
	if seg == "" {
		return "no segment"
	}
	var tail []byte
	kind := rng.IntN(4)
	switch kind {
	case 0:
		return "intact"
	case 1:
		tail = make([]byte, 1+rng.IntN(64))
	case 2: // a record header cut short
		tail = []byte{0x01, byte(rng.IntN(256)), byte(rng.IntN(256))}[:1+rng.IntN(3)]
	case 3: // a whole header announcing more payload than follows
		tail = []byte{0x01, 0x00, 0x10, 0x00, 0x00, 0xde, 0xad, 0xbe, 0xef}
		for range 1 + rng.IntN(100) {
			tail = append(tail, byte(rng.IntN(256)))
		}
	}
	f, err := os.OpenFile(seg, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write(tail); err != nil {
		t.Fatal(errors.Join(err, f.Close()))
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%d bytes of %s appended to %s", len(tail), []string{"", "zeros", "cut header", "cut record"}[kind], filepath.Base(seg))
}

// newestSegment returns the WAL segment with the greatest name, or "".
func newestSegment(t *testing.T, dir string) string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatalf("read WAL directory: %v", err)
	}
	newest := ""
	for _, e := range entries {
		if e.Type().IsRegular() && e.Name() > newest && !strings.Contains(e.Name(), ".") {
			newest = e.Name()
		}
	}
	if newest == "" {
		return ""
	}
	return filepath.Join(dir, newest)
}

// pushAndKill runs the pushers against v and kills v after delay.
func pushAndKill(t *testing.T, v *vigil, base int64, pushers []*crashPusher, delay time.Duration) {
	t.Helper()
	var killed atomic.Bool
	errs := make(chan error, len(pushers))
	api := newPromAPI(v.api.base) // fresh connections for this run
	var wg sync.WaitGroup
	for _, p := range pushers {
		wg.Go(func() { p.run(api, base, &killed, errs) })
	}
	time.Sleep(delay) // the random kill moment, not a wait for a condition
	killed.Store(true)
	v.kill()
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func crashStats(pushers []*crashPusher) string {
	var sent, acked int
	for _, p := range pushers {
		for _, ok := range p.sent {
			sent++
			if ok {
				acked++
			}
		}
	}
	return fmt.Sprintf("%d requests sent, %d acknowledged (all rounds)", sent, acked)
}

// ackedSamples is the number of acknowledged samples, over all series.
func ackedSamples(pushers []*crashPusher) int {
	n := 0
	for _, p := range pushers {
		for _, ok := range p.sent {
			if ok {
				n += crashSeries * crashBatch
			}
		}
	}
	return n
}

// verifyCrash reads every sample back and requires every acknowledged one,
// exactly, and nothing that was never sent.
func verifyCrash(t *testing.T, api *promAPI, base int64, pushers []*crashPusher) {
	t.Helper()
	var maxSeq int64
	for _, p := range pushers {
		maxSeq = max(maxSeq, p.next)
	}
	at := base + maxSeq + 1
	res, err := api.query(fmt.Sprintf("%s[%dms]", crashMetric, maxSeq+2), at)
	if err != nil {
		t.Fatalf("read back: %v", err)
	}
	got := map[string]map[int64]string{}
	for _, s := range res.Series {
		pts := map[int64]string{}
		for _, pt := range s.Points {
			pts[pt.T-base] = pt.V
		}
		got[metricString(s.Metric)] = pts
	}
	var errs []error
	extra := 0
	for _, p := range pushers {
		n, err := p.check(got)
		extra += n
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		t.Fatalf("after restart:\n%v", err)
	}
	t.Logf("verified: %s, %d acknowledged samples; %d series returned; %d unacknowledged requests' samples present",
		crashStats(pushers), ackedSamples(pushers), len(got), extra)
}

// check compares what was read back with what p sent. It returns how many
// unacknowledged sample batches were found (allowed) and an error listing
// up to ten problems.
func (p *crashPusher) check(got map[string]map[int64]string) (int, error) {
	var problems []string
	extra := 0
	for s := range crashSeries {
		pts := got[p.seriesKey(s)]
		for seq, acked := range p.sent {
			present := 0
			for i := range int64(crashBatch) {
				want := strconv.FormatFloat(crashValue(p.id, s, seq+i), 'f', -1, 64)
				v, ok := pts[seq+i]
				switch {
				case ok && v != want:
					problems = append(problems, fmt.Sprintf("%s seq %d: value %s, want %s", p.seriesKey(s), seq+i, v, want))
				case ok:
					present++
				case acked:
					problems = append(problems, fmt.Sprintf("%s seq %d: acknowledged sample missing", p.seriesKey(s), seq+i))
				}
			}
			if !acked && present > 0 {
				extra++
			}
		}
		for seq := range pts {
			if _, ok := p.sent[seq-(seq%crashBatch)]; !ok || seq < 0 {
				problems = append(problems, fmt.Sprintf("%s seq %d: sample never sent", p.seriesKey(s), seq))
			}
		}
	}
	if len(problems) > 10 {
		problems = append(problems[:10], fmt.Sprintf("... and %d more", len(problems)-10))
	}
	if len(problems) > 0 {
		return extra, errors.New(strings.Join(problems, "\n"))
	}
	return extra, nil
}
