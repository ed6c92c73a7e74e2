package ingest

import (
	"bytes"
	"errors"
	"fmt"
	"hash/maphash"
	"strconv"

	"github.com/vigilsre/vigil/tsdb"
)

// ParseText parses a body in the Prometheus text exposition format (version
// 0.0.4) and appends its samples to dst. A sample without a timestamp gets
// now, in milliseconds since the epoch.
//
// Lines of the same series append to one BatchSeries, whether they are next
// to each other or not. The package documentation lists the syntax accepted.
//
// On error the request must not be stored: dst may hold part of it. The
// error is an *InvalidError whose first problem is a *LineError naming the
// line. ParseText goes on after a bad line, to count them all. dst keeps no
// reference to body.
func ParseText(dst *tsdb.Batch, body []byte, now int64) error {
	d := getDecoder()
	defer putDecoder(d)
	return d.parseText(dst, body, now)
}

// textState is what the text parser keeps from line to line. It finds the
// series of a line without building its label set when the same series text
// came before: on the previous line, or anywhere (by a hash of the text).
//
// Within a request every series is one BatchSeries, whatever texts name it
// (labels in another order, other blanks, empty labels): tsdb appends the
// series of a batch one after the other, so two for one series could put a
// later line before an earlier one and reject it as out of order. Texts new
// to the request are indexed in byLabels by a canonical hash of their labels
// (sorted, without empty values; no label set is built), probing the next
// hash when another series holds one, so that a text known to the series
// cache (appended by reference, without labels) and one that is not meet in
// one series.
type textState struct {
	seriesParser                     // the series text of the current line
	other        seriesParser        // an earlier text, parsed again to compare
	byText       map[uint64]textSeen // xxhash of a series text → where it went
	byLabels     map[uint64]textSeen // canonical label hash → first text of the series
	canon        []byte              // the labels just parsed, canonical, to hash
	seed         maphash.Seed        // of the canonical hashes; set once per decoder
	prevRaw      []byte              // series text of the previous sample line
	prevIdx      int                 // index in dst of that series; -1 when none
}

// textSeen is a series text already seen, a view into the body, and the
// index of its series in dst.
type textSeen struct {
	raw []byte
	idx int
}

func (t *textState) reset() {
	if t.byText == nil || len(t.byText) > maxPooledSeries || len(t.byLabels) > maxPooledSeries { // maps do not shrink
		t.byText, t.byLabels = make(map[uint64]textSeen), make(map[uint64]textSeen)
	}
	clear(t.byText)
	clear(t.byLabels)
	clear(t.labels[:cap(t.labels)])
	clear(t.other.labels[:cap(t.other.labels)])
	if cap(t.other.scratch) > maxPooledBytes || cap(t.canon) > maxPooledBytes {
		t.other.scratch, t.canon = nil, nil
	}
	if t.seed == (maphash.Seed{}) {
		t.seed = maphash.MakeSeed()
	}
	t.labels, t.scratch, t.prevRaw, t.prevIdx = t.labels[:0], t.scratch[:0], nil, -1
}

// parseText is ParseText through d.cache, when set: series texts it holds
// go in by reference (see textSeries).
func (d *decoder) parseText(dst *tsdb.Batch, body []byte, now int64) error {
	d.hits, d.fills = d.hits[:0], d.fills[:0]
	d.problems.reset()
	d.text.reset()
	defer d.text.reset() // drop the views into body
	for n, rest := 1, body; len(rest) > 0; n++ {
		var line []byte
		line, rest, _ = bytes.Cut(rest, []byte{'\n'})
		if isSample, err := d.parseLine(dst, line, now); err != nil {
			d.problems.add(&LineError{Line: n, Err: err}, b2i(isSample))
		}
	}
	return d.problems.err(dst.Samples())
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// parseLine parses one line and appends its sample, if it has one, to dst.
// isSample says whether the line is meant as a sample line.
func (d *decoder) parseLine(dst *tsdb.Batch, line []byte, now int64) (isSample bool, err error) {
	line = trimBlank(line)
	switch {
	case len(line) == 0:
		return false, nil
	case line[0] == '#':
		return false, parseComment(line[1:])
	}
	raw, rest, same := d.text.continues(line)
	if !same {
		if raw, rest, err = d.text.parse(line); err != nil {
			return true, fmt.Errorf("%w in %q", err, truncate(line))
		}
	}
	v, t, err := parseValueAndTimestamp(rest, now)
	if err != nil {
		return true, fmt.Errorf("%w for series %s", err, printable(string(raw)))
	}
	if !same {
		if err := d.textSeries(dst, raw); err != nil {
			return true, err
		}
	}
	s := &dst.Series[d.text.prevIdx]
	s.Samples = append(s.Samples, tsdb.Sample{T: t, V: v})
	return true, nil
}

// continues reports whether line starts with the series of the previous
// sample line, and splits it there. The series text is self-delimiting when
// it ends with "}"; a bare name must be followed by blanks and no "{".
func (t *textState) continues(line []byte) (raw, rest []byte, ok bool) {
	if t.prevIdx < 0 || !bytes.HasPrefix(line, t.prevRaw) {
		return nil, nil, false
	}
	raw, rest = line[:len(t.prevRaw)], line[len(t.prevRaw):]
	if raw[len(raw)-1] == '}' {
		return raw, rest, true
	}
	after := trimBlankLeft(rest)
	if len(after) == len(rest) || (len(after) > 0 && after[0] == '{') {
		return nil, nil, false
	}
	return raw, rest, true
}

// textSeries finds the series of dst that the series text raw names,
// appending it when it is new, and makes it the previous series. Its labels
// are in d.text.labels.
func (d *decoder) textSeries(dst *tsdb.Batch, raw []byte) error {
	t := &d.text
	key := d.textKey(raw)
	seen, ok := t.byText[key[0]]
	if !ok || !bytes.Equal(seen.raw, raw) {
		idx, err := d.newText(dst, raw, key)
		if err != nil {
			return err
		}
		seen = textSeen{raw: raw, idx: idx}
		if !ok {
			t.byText[key[0]] = seen
		}
	}
	t.prevRaw, t.prevIdx = raw, seen.idx
	return nil
}

// newText returns the index in dst of the series of raw, a series text new
// to the request: by its reference when the series cache knows raw, else
// with its labels built and validated. A series that came under another
// text before keeps its index.
func (d *decoder) newText(dst *tsdb.Batch, raw []byte, key seriesKey) (int, error) {
	if d.cache != nil {
		if ref, fresh, ok := d.cache.get(key); ok {
			return d.addCachedText(dst, raw, key, ref, fresh), nil
		}
	}
	ls, err := d.sb.build(d.text.labels)
	if err != nil {
		return 0, seriesError(err, printable(string(raw)))
	}
	idx, slot, found := d.text.find()
	if !found {
		dst.Next().Labels = ls
		idx = len(dst.Series) - 1
		d.text.byLabels[slot] = textSeen{raw: raw, idx: idx}
	}
	if d.cache != nil {
		d.fills = append(d.fills, cacheFill{series: idx, key: key})
	}
	return idx, nil
}

// parseValueAndTimestamp parses "value [timestamp]" after a series.
func parseValueAndTimestamp(rest []byte, now int64) (float64, int64, error) {
	tok, rest := cutToken(trimBlankLeft(rest))
	if len(tok) == 0 {
		return 0, 0, errors.New("missing value")
	}
	v, err := parseValue(tok)
	if err != nil {
		return 0, 0, err
	}
	tok, rest = cutToken(trimBlankLeft(rest))
	if len(tok) == 0 {
		return v, now, nil
	}
	t, err := strconv.ParseInt(bytesView(tok), 10, 64)
	if err != nil {
		return 0, 0, fmt.Errorf("invalid timestamp %q (want integer milliseconds)", tok)
	}
	if rest = trimBlankLeft(rest); len(rest) > 0 {
		return 0, 0, fmt.Errorf("unexpected %q after the timestamp", truncate(rest))
	}
	return v, t, nil
}

// parseValue parses a sample value as Prometheus does: Go float syntax
// including NaN and ±Inf in any case, but no hexadecimal floats and no
// underscores.
func parseValue(tok []byte) (float64, error) {
	if bytes.ContainsAny(tok, "pP_") {
		return 0, fmt.Errorf("invalid value %q", tok)
	}
	v, err := strconv.ParseFloat(bytesView(tok), 64)
	if err != nil {
		return 0, fmt.Errorf("invalid value %q", tok)
	}
	return v, nil
}
