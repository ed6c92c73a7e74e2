package ingest

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"

	"github.com/cespare/xxhash/v2"
	"github.com/prometheus/prometheus/model/labels"

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
type textState struct {
	labels   []wireLabel         // labels of the current line, views into it or scratch
	scratch  []byte              // unescaped label values of the current line
	byText   map[uint64]textSeen // xxhash of a series text → where it went
	byLabels map[uint64]int      // label-set hash → index in dst of its series
	prevRaw  []byte              // series text of the previous sample line
	prevIdx  int                 // index in dst of that series; -1 when none
}

// textSeen is a series text already seen, a view into the body, and the
// index of its series in dst.
type textSeen struct {
	raw []byte
	idx int
}

func (t *textState) reset() {
	if len(t.byText) > maxPooledSeries || t.byText == nil { // maps do not shrink
		t.byText, t.byLabels = make(map[uint64]textSeen), make(map[uint64]int)
	}
	clear(t.byText)
	clear(t.byLabels)
	clear(t.labels[:cap(t.labels)])
	t.labels, t.scratch, t.prevRaw, t.prevIdx = t.labels[:0], t.scratch[:0], nil, -1
}

func (d *decoder) parseText(dst *tsdb.Batch, body []byte, now int64) error {
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
		if raw, rest, err = d.parseSeries(line); err != nil {
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
	h := xxhash.Sum64(raw)
	seen, ok := t.byText[h]
	if !ok || !bytes.Equal(seen.raw, raw) {
		ls, err := d.sb.build(t.labels)
		if err != nil {
			return seriesError(err, printable(string(raw)))
		}
		seen = textSeen{raw: raw, idx: t.index(dst, ls)}
		if !ok {
			t.byText[h] = seen
		}
	}
	t.prevRaw, t.prevIdx = raw, seen.idx
	return nil
}

// index returns the index in dst of the series with labels ls, appending it
// when it is new. On a hash collision the new series gets its own entry;
// the store merges them.
func (t *textState) index(dst *tsdb.Batch, ls labels.Labels) int {
	h := ls.Hash()
	i, ok := t.byLabels[h]
	if ok && labels.Equal(dst.Series[i].Labels, ls) {
		return i
	}
	dst.Next().Labels = ls
	i = len(dst.Series) - 1
	if !ok {
		t.byLabels[h] = i
	}
	return i
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
