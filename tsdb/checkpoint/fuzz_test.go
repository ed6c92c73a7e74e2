package checkpoint

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"
)

// FuzzRead decodes arbitrary bytes, as they are and with a valid trailer
// put behind them (so the series decoder is reached past the checksum): it
// must never panic, and what it accepts must write and read back the same.
func FuzzRead(f *testing.F) {
	var buf bytes.Buffer
	e := newEncoder(&buf, writeOptions{maxSymbols: 4})
	_ = e.header(Meta{Segment: 3, NextID: 10, MinValidTime: -1})
	for _, s := range genSeries(7, 5) {
		_ = e.series(&s)
	}
	_ = e.finish()
	f.Add(buf.Bytes(), false)
	f.Add(buf.Bytes()[:buf.Len()-trailerSize], true)
	f.Add([]byte{}, false)
	f.Add([]byte(magic+"\x01\x00\x00\x00"), true)
	f.Fuzz(func(t *testing.T, data []byte, fixTrailer bool) {
		if fixTrailer {
			data = withTrailer(data, 0)
			data = withTrailer(data[:len(data)-trailerSize], countSeries(data))
		}
		var got []canonical
		m, err := decode(data, func(s *Series) error {
			got = append(got, canon(s))
			return nil
		})
		if err != nil {
			require.Empty(t, got, "fn called before an error")
			return
		}
		var out bytes.Buffer
		e := newEncoder(&out, writeOptions{maxSymbols: defaultMaxSymbols})
		require.NoError(t, e.header(m))
		_, err = decode(data, func(s *Series) error { return e.series(s) })
		require.NoError(t, err)
		require.NoError(t, e.finish())
		var again []canonical
		m2, err := decode(out.Bytes(), func(s *Series) error {
			again = append(again, canon(s))
			return nil
		})
		require.NoError(t, err)
		require.Equal(t, m, m2)
		require.Equal(t, got, again)
	})
}

// countSeries returns how many series the body of data decodes to before
// its first error, so a fixed trailer can carry the right count.
func countSeries(data []byte) uint64 {
	body, _, err := verify(data)
	if err != nil {
		return 0
	}
	d := newDecoder(body)
	d.meta()
	var n uint64
	for d.err == nil && d.off < len(d.b) {
		if d.series(false); d.err == nil {
			n++
		}
	}
	return n
}
