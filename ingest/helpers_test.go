package ingest

import (
	"fmt"
	"math"
	"strings"
	"sync"
	"testing"

	"github.com/klauspost/compress/snappy"
	"github.com/prometheus/prometheus/prompb"

	"github.com/vigilsre/vigil/tsdb"
)

// fakeAppender records the batches it is given and answers with res and err.
type fakeAppender struct {
	res tsdb.AppendResult
	err error

	mu      sync.Mutex
	batches []string // batchString of every batch received
}

func (f *fakeAppender) AppendBatch(b *tsdb.Batch) (tsdb.AppendResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.batches = append(f.batches, batchString(b))
	res := f.res
	if res.Appended == 0 && res.Rejected() == 0 && f.err == nil {
		res.Appended = b.Samples()
	}
	return res, f.err
}

func (f *fakeAppender) calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.batches...)
}

// batchString renders a batch exactly, one series per line:
// {labels} t:v t:v, with values printed by their bits when NaN.
func batchString(b *tsdb.Batch) string {
	var sb strings.Builder
	for _, s := range b.Series {
		sb.WriteString(s.Labels.String())
		for _, smp := range s.Samples {
			fmt.Fprintf(&sb, " %d:%s", smp.T, valueString(smp.V))
		}
		sb.WriteByte('\n')
	}
	return sb.String()
}

func valueString(v float64) string {
	if math.IsNaN(v) {
		return fmt.Sprintf("NaN(%#x)", math.Float64bits(v))
	}
	return fmt.Sprint(v)
}

// remoteWriteBody encodes req as a remote-write body.
func remoteWriteBody(t testing.TB, req *prompb.WriteRequest) []byte {
	t.Helper()
	p, err := req.Marshal()
	if err != nil {
		t.Fatalf("marshal WriteRequest: %v", err)
	}
	return snappy.Encode(nil, p)
}

// ts builds a prompb.TimeSeries from name/value pairs and samples t, v, t, v...
func ts(lbls []string, tv ...float64) prompb.TimeSeries {
	var s prompb.TimeSeries
	for i := 0; i < len(lbls); i += 2 {
		s.Labels = append(s.Labels, prompb.Label{Name: lbls[i], Value: lbls[i+1]})
	}
	for i := 0; i < len(tv); i += 2 {
		s.Samples = append(s.Samples, prompb.Sample{Timestamp: int64(tv[i]), Value: tv[i+1]})
	}
	return s
}
