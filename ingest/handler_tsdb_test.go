package ingest

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"strings"
	"testing"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/tsdb/chunkenc"

	"github.com/vigilsre/vigil/tsdb"
)

// These tests push through a Handler into a real tsdb.DB.

func openDB(t *testing.T) *tsdb.DB {
	t.Helper()
	db, err := tsdb.Open(tsdb.Options{Dir: t.TempDir(), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("close store: %v", err)
		}
	})
	return db
}

// stored renders every sample of the store, one series per line.
func stored(t *testing.T, db *tsdb.DB) string {
	t.Helper()
	q, err := db.Querier(math.MinInt64, math.MaxInt64)
	if err != nil {
		t.Fatalf("querier: %v", err)
	}
	defer q.Close()
	set := q.Select(context.Background(), true, nil, labels.MustNewMatcher(labels.MatchRegexp, labels.MetricName, ".+"))
	var b strings.Builder
	for set.Next() {
		s := set.At()
		b.WriteString(s.Labels().String())
		for it := s.Iterator(nil); it.Next() == chunkenc.ValFloat; {
			ts, v := it.At()
			fmt.Fprintf(&b, " %d:%s", ts, valueString(v))
		}
		b.WriteByte('\n')
	}
	if err := set.Err(); err != nil {
		t.Fatalf("select: %v", err)
	}
	return b.String()
}

// push serves r and checks the answer.
func push(t *testing.T, h *Handler, r request, code int, msg string) {
	t.Helper()
	rec := r.serve(h)
	if body := strings.TrimSuffix(rec.Body.String(), "\n"); rec.Code != code || body != msg {
		t.Fatalf("answer %d %q\nwant   %d %q", rec.Code, body, code, msg)
	}
}

func TestHandlerIntoStore(t *testing.T) {
	db := openDB(t)
	h := newTestHandler(db, nil)
	push(t, h, rwRequest(t, ts([]string{"__name__", "up", "job", "a"}, 1000, 1, 2000, 0)), 204, "")
	// Prometheus sends one TimeSeries per sample: the same series recurs.
	push(t, h, rwRequest(t, ts([]string{"job", "a", "__name__", "up"}, 3000, 1), ts([]string{"__name__", "up", "job", "a"}, 4000, 1)), 204, "")
	push(t, h, textRequest("# TYPE temp gauge\ntemp{room=\"a\"} 21.5 1000\ntemp{room=\"a\"} NaN\n"), 204, "")
	want := "{__name__=\"temp\", room=\"a\"} 1000:21.5 1700000000000:NaN(0x7ff8000000000001)\n" +
		"{__name__=\"up\", job=\"a\"} 1000:1 2000:0 3000:1 4000:1\n"
	if got := stored(t, db); got != want {
		t.Errorf("stored:\n%s\nwant:\n%s", got, want)
	}
}

func TestHandlerBadRequestStoresNothing(t *testing.T) {
	db := openDB(t)
	h := newTestHandler(db, nil)
	push(t, h, rwRequest(t, ts([]string{"__name__", "good"}, 1, 1), ts([]string{"__name__", "bad", "0x", "1"}, 1, 1)),
		400, `invalid label name "0x" in series bad{"0x"="1"}`)
	push(t, h, textRequest("good 1 1\ngood{a=\"1\" b=\"2\"} 1 1\n"),
		400, `line 2: expected "," or "}" after a label value, got 'b' in "good{a=\"1\" b=\"2\"} 1 1"`)
	if got := stored(t, db); got != "" || db.NumSeries() != 0 {
		t.Errorf("stored %d series:\n%s\nwant none", db.NumSeries(), got)
	}
}

func TestHandlerPartialRejectionIntoStore(t *testing.T) {
	db := openDB(t)
	h := newTestHandler(db, nil)
	push(t, h, textRequest("a 1 10\nb 1 10\n"), 204, "")
	rec := textRequest("a 2 5\nb 2 10\nb 1 10\na 3 20\n").serve(h) // out of order, conflict, duplicate, new
	want := `stored 1 samples; rejected 2: 1 out of order, 1 conflicting values; first: `
	if rec.Code != http.StatusBadRequest || !strings.HasPrefix(rec.Body.String(), want) {
		t.Fatalf("answer %d %q, want 400 %q…", rec.Code, rec.Body.String(), want)
	}
	if got := rec.Header().Get(SamplesWrittenHeader); got != "1" {
		t.Errorf("%s: %s, want 1", SamplesWrittenHeader, got)
	}
	if got, want := stored(t, db), "{__name__=\"a\"} 10:1 20:3\n{__name__=\"b\"} 10:1\n"; got != want {
		t.Errorf("stored:\n%s\nwant:\n%s", got, want)
	}
}

// TestHandlerResentSampleIsNotAnError: a client that resends its last push
// (after a timeout, say) gets 204, as the newest sample of a series is
// deduplicated.
func TestHandlerResentSampleIsNotAnError(t *testing.T) {
	db := openDB(t)
	h := newTestHandler(db, nil)
	r := rwRequest(t, ts([]string{"__name__", "a"}, 1, 1), ts([]string{"__name__", "b"}, 2, 2))
	push(t, h, r, 204, "")
	push(t, h, r, 204, "")
	if got, want := stored(t, db), "{__name__=\"a\"} 1:1\n{__name__=\"b\"} 2:2\n"; got != want {
		t.Errorf("stored:\n%s\nwant:\n%s", got, want)
	}
}
