package ingest

// Compare runs with benchstat:
//
//	go test ./ingest -run '^$' -bench TextRequest -benchtime 1s -count 6 > new.txt
//	benchstat old.txt new.txt

import (
	"bytes"
	"strconv"
	"testing"

	"github.com/prometheus/prometheus/prompb"
)

// BenchmarkTextRequest pushes text requests of 1000 known series through a
// Handler (no network) into a tsdb.DB that fsyncs its WAL every second:
// "scrape" has one line per series, as a pushed scrape does; "10-lines" ten
// lines per series, each series' lines together. Timestamps increase from
// request to request; rendering each body is not timed, and allocs/sample
// counts everything, rendering included (it reuses its buffer).
func BenchmarkTextRequest(b *testing.B) {
	const series = 1000
	for _, perSeries := range []int{1, 10} {
		name := map[int]string{1: "scrape", 10: "10-lines"}[perSeries]
		b.Run(name, func(b *testing.B) {
			benchRequests(b, ImportPath, newTextEncoder(testSeries(series, perSeries, 0)).next, series*perSeries)
		})
	}
}

// textEncoder renders series in the text format again and again, each
// series' lines together, moving the timestamps forward each time, into a
// reused buffer.
type textEncoder struct {
	series   []prompb.TimeSeries
	prefix   [][]byte // each series' text and a blank
	body     []byte
	step, gi int64
}

func newTextEncoder(series []prompb.TimeSeries) *textEncoder {
	e := &textEncoder{series: series, step: 10_000}
	for _, s := range series {
		line := textBody([]prompb.TimeSeries{{Labels: s.Labels, Samples: s.Samples[:1]}}, true)
		e.prefix = append(e.prefix, line[:bytes.LastIndexByte(line[:bytes.LastIndexByte(line, ' ')], ' ')+1])
	}
	return e
}

// next returns the next body; it is valid until the next call.
func (e *textEncoder) next() []byte {
	e.body = e.body[:0]
	for i, s := range e.series {
		for j, smp := range s.Samples {
			e.body = append(e.body, e.prefix[i]...)
			e.body = strconv.AppendFloat(e.body, smp.Value, 'g', -1, 64)
			e.body = append(e.body, ' ')
			e.body = strconv.AppendInt(e.body, (e.gi*int64(len(s.Samples))+int64(j))*e.step, 10)
			e.body = append(e.body, '\n')
		}
	}
	e.gi++
	return e.body
}
