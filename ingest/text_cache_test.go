package ingest

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vigilsre/vigil/tsdb"
)

// TestTextCacheIntoStore pushes the same series as text again: the second
// time they go in by reference, and the store holds exactly what was sent.
func TestTextCacheIntoStore(t *testing.T) {
	app := &refCounter{DB: openDB(t)}
	h := newTestHandler(app, nil)
	push(t, h, textRequest("up{job=\"a\"} 1 1000\ntemp{room=\"b\"} 20 1000\nup{job=\"a\"} 0 2000\n"), 204, "")
	require.Equal(t, 2, h.series.len())
	require.Equal(t, [2]int{0, 2}, pair(app.take()))

	push(t, h, textRequest("# TYPE temp gauge\ntemp{room=\"b\"} 21 2000\nup{job=\"a\"} 1 3000\nup{job=\"a\"} 1 4000\n"), 204, "")
	require.Equal(t, [2]int{2, 0}, pair(app.take()))
	require.Equal(t, 2, h.series.len())

	want := "{__name__=\"temp\", room=\"b\"} 1000:20 2000:21\n" +
		"{__name__=\"up\", job=\"a\"} 1000:1 2000:0 3000:1 4000:1\n"
	require.Equal(t, want, stored(t, app.DB))
}

func pair(a, b int) [2]int { return [2]int{a, b} }

// TestTextCacheSpellings sends one series under two texts in one request,
// their lines interleaved, after the cache learnt one of them (or both,
// under two references): the request holds the series once, so every line
// is stored in line order and none is rejected as out of order. The text
// the cache did not know is cached afterwards.
func TestTextCacheSpellings(t *testing.T) {
	const (
		ab      = `m{a="1",b="2"}`
		ba      = `m{b="2",a="1"}`
		spaced  = `m { a = "1" , b="2", }`
		withNil = `m{c="",b="2",a="1"}`
		samples = `{__name__="m", a="1", b="2"} 1000:0 2000:1 3000:2 4000:3 5000:4` + "\n"
	)
	for _, tc := range []struct {
		name, known, other string
		unknownFirst       bool // the text the cache does not know comes first
	}{
		{"known text first", ab, ba, false},
		{"unknown text first", ab, ba, true},
		{"blanks", ab, spaced, false},
		{"blanks first", ab, spaced, true},
		{"empty label", ab, withNil, false},
		{"empty label first", ab, withNil, true},
		{"known text with blanks", spaced, ab, false},
		{"known text with an empty label", withNil, ba, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			app := &refCounter{DB: openDB(t)}
			h := newTestHandler(app, nil)
			push(t, h, textRequest(tc.known+" 0 1000\n"), 204, "")
			app.take()
			first, second, want := tc.known, tc.other, [2]int{1, 0} // one series, by ref
			if tc.unknownFirst {
				first, second, want = tc.other, tc.known, [2]int{0, 1} // one series, with labels
			}
			body := first + " 1 2000\n" + second + " 2 3000\n" + first + " 3 4000\n" + second + " 4 5000\n"
			push(t, h, textRequest(body), 204, "")
			require.Equal(t, want, pair(app.take()))
			require.Equal(t, samples, stored(t, app.DB))
			require.Equal(t, 2, h.series.len()) // both texts known now

			push(t, h, textRequest(tc.other+" 5 6000\n"+tc.known+" 6 7000\n"), 204, "")
			require.Equal(t, [2]int{1, 0}, pair(app.take()))
		})
	}
}

// TestTextCacheSpellingsStaleRef: two texts of a series cached under two
// references, the first one stale (its series was dropped by a flush and
// created again under the other text). In one request they still make one
// series: the stale reference is resolved to the live series, and lines
// keep their order.
func TestTextCacheSpellingsStaleRef(t *testing.T) {
	const ab, ba = `m{a="1",b="2"}`, `m{b="2",a="1"}`
	app := &refCounter{DB: openDB(t)}
	h := newTestHandler(app, nil)
	push(t, h, textRequest(ab+" 0 1000\n"), 204, "")
	_, err := app.Flush(context.Background())
	require.NoError(t, err)
	require.Equal(t, 0, app.NumSeries())
	push(t, h, textRequest(ba+" 1 2000\n"), 204, "") // a new series, a new ref
	require.Equal(t, 2, h.series.len())
	app.take()

	push(t, h, textRequest(ab+" 2 3000\n"+ba+" 3 4000\n"+ab+" 4 5000\n"+ba+" 5 6000\n"), 204, "")
	require.Equal(t, [2]int{1, 0}, pair(app.take()))
	require.Equal(t, `{__name__="m", a="1", b="2"} 1000:0 2000:1 3000:2 4000:3 5000:4 6000:5`+"\n", stored(t, app.DB))
	require.Equal(t, 1, app.NumSeries())
}

// TestTextCacheStaleRef flushes the head, which drops the series: the
// cached reference names no series any more, the labels are parsed again
// from the series text, the series is created again, and the cache learns
// its new reference.
func TestTextCacheStaleRef(t *testing.T) {
	app := &refCounter{DB: openDB(t)}
	h := newTestHandler(app, nil)
	const up = `up{job="a",instance="x:1"}`
	push(t, h, textRequest(up+" 1 1000\n"), 204, "")
	key, old := onlyEntry(t, h.series)
	_, err := app.Flush(context.Background())
	require.NoError(t, err)
	require.Equal(t, 0, app.NumSeries())

	push(t, h, textRequest(up+" 0 2000\n"+up+" 1 2500\n"), 204, "")
	require.Equal(t, [2]int{1, 1}, pair(app.take())) // the second request went in by ref
	require.Equal(t, 1, app.NumSeries())
	ref, fresh, ok := h.series.get(key)
	require.True(t, ok && fresh)
	require.NotEqual(t, old, ref)

	push(t, h, textRequest(up+" 1 3000\n"), 204, "")
	require.Equal(t, [2]int{1, 0}, pair(app.take()))
	require.Equal(t, `{__name__="up", instance="x:1", job="a"} 1000:1 2000:0 2500:1 3000:1`+"\n", stored(t, app.DB))
}

// TestTextCacheArrivalTime: a line without a timestamp gets the arrival
// time, whether its series text is known or not.
func TestTextCacheArrivalTime(t *testing.T) {
	app := &refCounter{DB: openDB(t)}
	now := testTime
	h := NewHandler(app, Options{Logger: slog.New(slog.DiscardHandler), Now: func() time.Time { return now }})
	push(t, h, textRequest("up 1\nup{} 2 1700000000500\n"), 204, "")
	require.Equal(t, [2]int{0, 1}, pair(app.take()))
	now = now.Add(time.Second)
	push(t, h, textRequest("up 3\nup{} 4 1700000001500\n"), 204, "")
	require.Equal(t, [2]int{1, 0}, pair(app.take()))
	require.Equal(t, `{__name__="up"} 1700000000000:1 1700000000500:2 1700000001000:3 1700000001500:4`+"\n", stored(t, app.DB))
}

// TestTextCacheValidation: the cache holds only texts of series that were
// valid and stored, and a request answers as without a cache, known texts
// or not: same status, same message, nothing stored from a bad request.
func TestTextCacheValidation(t *testing.T) {
	known := "ok{a=\"1\"} 1 1000\nm{a=\"\"} 1 1000\n"
	for _, body := range []string{
		"ok{a=\"1\"} 2 2000\ncpu{0x=\"1\"} 1\n",
		"cpu{0x=\"1\"} 1\nok{a=\"1\"} 2 2000\n",
		"ok{a=\"1\"} x 2000\n",
		"ok{a=\"1\",a=\"2\"} 2 2000\nok{a=\"1\"} 2 2000\n",
		"m{a=\"\"} 2 2000\nm{__name__=\"m\"} 2 2000\n",
		"ok{a=\"1\"} 2 2000\nm{a=\"\xff\"} 1\n",
		"ok{a=\"1\"} 2 2000\nok{ a=\"1\"} 3 3000\n1x 1\n",
	} {
		t.Run(body, func(t *testing.T) {
			cached := &refCounter{DB: openDB(t)}
			h := newTestHandler(cached, nil)
			push(t, h, textRequest(known), 204, "")
			require.Equal(t, 2, h.series.len())
			plain := openDB(t)
			want := textRequest(body).serve(NewHandler(plain, Options{SeriesCacheEntries: -1, Logger: slog.New(slog.DiscardHandler)}))
			require.Equal(t, 400, want.Code)
			push(t, h, textRequest(body), want.Code, want.Body.String()[:want.Body.Len()-1])
			require.Equal(t, 2, h.series.len())
			require.Equal(t, "{__name__=\"m\"} 1000:1\n{__name__=\"ok\", a=\"1\"} 1000:1\n", stored(t, cached.DB))
		})
	}
}

// TestTextCacheOnlyStored: a text whose series was not stored (its only
// sample out of bounds, so the store did not create it) is not cached.
func TestTextCacheOnlyStored(t *testing.T) {
	app := &refCounter{DB: openDB(t)}
	h := newTestHandler(app, nil)
	push(t, h, textRequest("new 1 1000\n"), 204, "")
	_, err := app.Flush(context.Background()) // samples before the flushed range are now out of bounds
	require.NoError(t, err)
	rec := textRequest("old 1 500\nnew 2 2000\n").serve(h)
	require.Equal(t, 400, rec.Code)
	require.Equal(t, 1, h.series.len())
}

// TestTextStateFind probes byLabels past a hash that another series holds,
// and finds the series under another text after it.
func TestTextStateFind(t *testing.T) {
	var d decoder
	d.text.reset()
	parse := func(text string) {
		t.Helper()
		if _, _, err := d.text.parse([]byte(text)); err != nil {
			t.Fatal(err)
		}
	}
	parse(`m{b="2",a="1"}`)
	_, h, found := d.text.find()
	require.False(t, found)
	d.text.byLabels[h] = textSeen{raw: []byte(`other{a="1"}`), idx: 7} // as if it hashed alike
	parse(`m{b="2",a="1"}`)
	idx, slot, found := d.text.find()
	require.Equal(t, []any{-1, h + 1, false}, []any{idx, slot, found})
	d.text.byLabels[h+1] = textSeen{raw: []byte(`m { a="1", b = "2", c="" }`), idx: 3}
	parse(`m{b="2",a="1"}`)
	idx, slot, found = d.text.find()
	require.Equal(t, []any{3, h + 1, true}, []any{idx, slot, found})
}

// TestParseTextThroughCache parses with a cache that knows some texts of a
// request: known texts come by reference, unknown ones with labels, one
// batch series per series, samples in line order.
func TestParseTextThroughCache(t *testing.T) {
	d := &decoder{cache: newSeriesCache(1 << 10)}
	var b tsdb.Batch
	require.NoError(t, d.parseText(&b, []byte("a{x=\"1\"} 1 1\nb 1 1\n"), testNow))
	b.Series[0].Ref, b.Series[1].Ref = 11, 12
	d.remember(&b)

	b.Reset()
	body := "b 2 2\nc 1 1\na{x=\"1\"} 2 2\nb{} 3 3\nc{z=\"\"} 2 2\na{ x=\"1\" } 3 3\nb 4\n"
	require.NoError(t, d.parseText(&b, []byte(body), testNow))
	require.Equal(t, "{} 2:2 3:3 1700000000000:4\n{__name__=\"c\"} 1:1 2:2\n{} 2:2 3:3\n", batchString(&b))
	require.Equal(t, []any{12, 0, 11}, []any{int(b.Series[0].Ref), int(b.Series[1].Ref), int(b.Series[2].Ref)})
	for i, want := range []string{`{__name__="b"}`, "", `{__name__="a", x="1"}`} {
		if want == "" {
			continue
		}
		ls, err := d.resolve(i)
		require.NoError(t, err)
		require.Equal(t, want, ls.String())
	}
	_, err := d.resolve(1)
	require.EqualError(t, err, "series 1 of the batch did not come from the series cache")
}
