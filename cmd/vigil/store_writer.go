package main

import (
	"fmt"
	"sync"

	"github.com/prometheus/prometheus/model/labels"

	"github.com/vigilsre/vigil/alerting"
	"github.com/vigilsre/vigil/ingest"
	"github.com/vigilsre/vigil/tsdb"
)

// storeWriter writes rule evaluation results (ALERTS, ALERTS_FOR_STATE and
// recording rules) into the store: it implements alerting.Writer over the
// store's AppendBatch, one batch per call. It is safe for concurrent use,
// as alerting requires (every group writes from its own goroutine): each
// call takes its own batch from a pool.
type storeWriter struct {
	app     ingest.Appender
	batches sync.Pool // of *tsdb.Batch
}

// newStoreWriter returns a writer into app.
func newStoreWriter(app ingest.Appender) *storeWriter {
	return &storeWriter{app: app, batches: sync.Pool{New: func() any { return new(tsdb.Batch) }}}
}

// WriteSamples appends samples, one series each. A rejected sample (out of
// order or conflicting) is an error naming the first one; the others are
// stored. samples is not kept.
func (w *storeWriter) WriteSamples(samples []alerting.Sample) error {
	b := w.batches.Get().(*tsdb.Batch)
	defer w.batches.Put(b)
	b.Reset()
	for _, s := range samples {
		bs := b.Next()
		bs.Labels = withoutEmpty(s.Labels)
		bs.Samples = append(bs.Samples, tsdb.Sample{T: s.T, V: s.V})
	}
	res, err := w.app.AppendBatch(b)
	if err != nil {
		return fmt.Errorf("append %d rule samples: %w", len(samples), err)
	}
	if res.Rejected() > 0 {
		return fmt.Errorf("%d of %d rule samples rejected: %w", res.Rejected(), len(samples), res.FirstError)
	}
	return nil
}

// withoutEmpty drops labels with an empty value, which the store refuses:
// in Prometheus an empty label is no label. ls itself is returned when it
// has none, which is the usual case.
func withoutEmpty(ls labels.Labels) labels.Labels {
	empty := false
	ls.Range(func(l labels.Label) { empty = empty || l.Value == "" })
	if !empty {
		return ls
	}
	b := labels.NewBuilder(ls)
	ls.Range(func(l labels.Label) {
		if l.Value == "" {
			b.Del(l.Name)
		}
	})
	return b.Labels()
}
