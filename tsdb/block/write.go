package block

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/storage"
	"github.com/prometheus/prometheus/tsdb/chunkenc"
)

// Defaults of WriteOptions.
const (
	DefaultMaxChunkSamples = 2048
	DefaultPageSize        = 256 << 10
)

// WriteOptions tunes Write and Compact. The zero value uses the defaults.
type WriteOptions struct {
	// MaxChunkSamples caps the samples of one chunk; a series with more is
	// split, so that long blocks stay readable a page at a time. Default
	// DefaultMaxChunkSamples.
	MaxChunkSamples int
	// PageSize is the uncompressed size at which a page of chunks is
	// compressed and written. Default DefaultPageSize.
	PageSize int

	// hooks are for tests only.
	hooks writeHooks
}

// writeHooks inject failures into Write.
type writeHooks struct {
	// step, if set, is called before each step of a write (see steps); an
	// error aborts the write there.
	step func(step string) error
	// keepTmp leaves the tmp directory of a failed write, as a crash would.
	keepTmp bool
}

// The steps of a write, in order, as passed to writeHooks.step.
var steps = []string{
	"create dir", "write chunks", "sync chunks", "write index", "sync index",
	"write meta", "sync meta", "sync dir", "rename", "sync parent",
}

func (o WriteOptions) withDefaults() WriteOptions {
	if o.MaxChunkSamples <= 0 {
		o.MaxChunkSamples = DefaultMaxChunkSamples
	}
	if o.PageSize <= 0 {
		o.PageSize = DefaultPageSize
	}
	return o
}

func (o WriteOptions) step(name string) error {
	if o.hooks.step == nil {
		return nil
	}
	if err := o.hooks.step(name); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

// Write writes the series of set as block id under parent and returns the
// block's meta. set must be sorted by labels, each series' samples strictly
// increasing in time and floats only; series without samples are skipped.
// The block is written into parent/id.tmp, every file and the directory are
// fsynced, the directory is renamed to parent/id and parent is fsynced: once
// Write returns nil the block is durable, and a crash at any point leaves
// either the whole block or none (plus a tmp directory RemoveTmp removes).
// If only the final fsync of parent fails, the error is returned but
// parent/id exists.
//
// Memory is bounded by the symbols and postings of the block plus one page:
// samples are streamed from set to the files.
func Write(parent, id string, set storage.SeriesSet, opts WriteOptions) (Meta, error) {
	return writeBlock(parent, id, set, opts, Meta{Level: 1, MinT: math.MaxInt64, MaxT: math.MinInt64})
}

// writeBlock writes a block whose meta starts as tmpl; its time range is
// widened to cover the samples.
func writeBlock(parent, id string, set storage.SeriesSet, opts WriteOptions, tmpl Meta) (meta Meta, err error) {
	opts = opts.withDefaults()
	tmp, final := filepath.Join(parent, id+".tmp"), filepath.Join(parent, id)
	if _, err := os.Stat(final); err == nil {
		return Meta{}, fmt.Errorf("write block %s: already exists", final)
	}
	if err := os.RemoveAll(tmp); err != nil {
		return Meta{}, fmt.Errorf("write block %s: remove leftover: %w", tmp, err)
	}
	defer func() {
		if err != nil && !opts.hooks.keepTmp {
			err = errors.Join(err, os.RemoveAll(tmp))
		}
	}()
	meta, err = writeFiles(tmp, id, set, opts, tmpl)
	if err != nil {
		return Meta{}, fmt.Errorf("write block %s: %w", final, err)
	}
	if err := commit(tmp, final, parent, opts); err != nil {
		return Meta{}, fmt.Errorf("write block %s: %w", final, err)
	}
	return meta, nil
}

// writeFiles writes and fsyncs the three files and the directory tmp.
func writeFiles(tmp, id string, set storage.SeriesSet, opts WriteOptions, tmpl Meta) (Meta, error) {
	if err := opts.step("create dir"); err != nil {
		return Meta{}, err
	}
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		return Meta{}, fmt.Errorf("create dir: %w", err)
	}
	meta, err := writeData(tmp, set, opts, tmpl)
	if err != nil {
		return Meta{}, err
	}
	meta.ID, meta.Version = id, FormatVersion
	if meta.MinT > meta.MaxT { // no samples and no range given: the empty range [0, -1]
		meta.MinT, meta.MaxT = 0, -1
	}
	if err := writeMeta(tmp, meta, opts); err != nil {
		return Meta{}, err
	}
	if err := opts.step("sync dir"); err != nil {
		return Meta{}, err
	}
	return meta, syncDir(tmp)
}

// writeMeta writes and fsyncs meta.json.
func writeMeta(dir string, meta Meta, opts WriteOptions) error {
	b, err := encodeMeta(meta)
	if err != nil {
		return err
	}
	if err := opts.step("write meta"); err != nil {
		return err
	}
	f, err := os.OpenFile(filepath.Join(dir, metaName), os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("create %s: %w", metaName, err)
	}
	if _, err := f.Write(b); err != nil {
		return errors.Join(fmt.Errorf("write %s: %w", metaName, err), f.Close())
	}
	return syncClose(f, metaName, opts, "sync meta")
}

// syncClose runs step, then fsyncs and closes f; f is closed either way.
func syncClose(f *os.File, name string, opts WriteOptions, step string) error {
	if err := opts.step(step); err != nil {
		return errors.Join(err, f.Close())
	}
	if err := f.Sync(); err != nil {
		return errors.Join(fmt.Errorf("sync %s: %w", name, err), f.Close())
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("close %s: %w", name, err)
	}
	return nil
}

// commit renames tmp to final and fsyncs parent.
func commit(tmp, final, parent string, opts WriteOptions) error {
	if err := opts.step("rename"); err != nil {
		return err
	}
	if err := os.Rename(tmp, final); err != nil {
		return fmt.Errorf("rename: %w", err)
	}
	if err := opts.step("sync parent"); err != nil {
		return err
	}
	return syncDir(parent)
}

// syncDir fsyncs a directory, making the creation and renaming of its
// entries durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync dir %s: %w", dir, err)
	}
	if err := d.Sync(); err != nil {
		return errors.Join(fmt.Errorf("sync dir %s: %w", dir, err), d.Close())
	}
	return d.Close()
}

// writeData writes the chunks and index files of set into dir.
func writeData(dir string, set storage.SeriesSet, opts WriteOptions, tmpl Meta) (Meta, error) {
	if err := opts.step("write chunks"); err != nil {
		return Meta{}, err
	}
	cf, err := os.OpenFile(filepath.Join(dir, chunksName), os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return Meta{}, fmt.Errorf("create %s: %w", chunksName, err)
	}
	xf, err := os.OpenFile(filepath.Join(dir, indexName), os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return Meta{}, errors.Join(fmt.Errorf("create %s: %w", indexName, err), cf.Close())
	}
	sw, err := streamSeries(cf, xf, set, opts, tmpl)
	if err != nil {
		return Meta{}, errors.Join(err, cf.Close(), xf.Close())
	}
	if err := syncClose(cf, chunksName, opts, "sync chunks"); err != nil {
		return Meta{}, errors.Join(err, xf.Close())
	}
	if err := opts.step("write index"); err != nil {
		return Meta{}, errors.Join(err, xf.Close())
	}
	if sw.meta.Index, err = sw.index.finish(); err != nil {
		return Meta{}, errors.Join(err, xf.Close())
	}
	return sw.meta, syncClose(xf, indexName, opts, "sync index")
}

// seriesWriter streams series into the chunks and index files.
type seriesWriter struct {
	opts   WriteOptions
	chunks *chunkWriter
	index  *indexWriter
	meta   Meta

	prev labels.Labels
	it   chunkenc.Iterator
	ts   []int64
	vs   []float64
	refs []chunkRef
}

// streamSeries writes every series of set: the chunks file is complete and
// flushed on return, the index file has its series section.
func streamSeries(cf, xf *os.File, set storage.SeriesSet, opts WriteOptions, tmpl Meta) (*seriesWriter, error) {
	chunks, err := newChunkWriter(cf, opts.PageSize)
	if err != nil {
		return nil, err
	}
	index, err := newIndexWriter(xf)
	if err != nil {
		return nil, err
	}
	sw := &seriesWriter{opts: opts, chunks: chunks, index: index, meta: tmpl}
	for set.Next() {
		if err := sw.add(set.At()); err != nil {
			return nil, err
		}
	}
	if err := set.Err(); err != nil {
		return nil, fmt.Errorf("read series: %w", err)
	}
	sw.meta.Chunks, err = chunks.finish()
	return sw, err
}

// add writes one series: its chunks, then its index entry.
func (sw *seriesWriter) add(s storage.Series) error {
	lset := s.Labels()
	if sw.meta.NumSeries > 0 || sw.prev.Len() > 0 {
		if labels.Compare(sw.prev, lset) >= 0 {
			return fmt.Errorf("series %s after %s: not sorted by labels", lset, sw.prev)
		}
	}
	sw.prev = lset
	if err := sw.addSamples(lset, s); err != nil {
		return err
	}
	if len(sw.refs) == 0 {
		return nil
	}
	sw.meta.NumSeries++
	sw.meta.NumChunks += uint64(len(sw.refs))
	sw.meta.MinT = min(sw.meta.MinT, sw.refs[0].minT)
	sw.meta.MaxT = max(sw.meta.MaxT, sw.refs[len(sw.refs)-1].maxT)
	return sw.index.addSeries(lset, sw.refs)
}

// addSamples reads the samples of s into chunks of at most MaxChunkSamples,
// collecting their refs in sw.refs.
func (sw *seriesWriter) addSamples(lset labels.Labels, s storage.Series) error {
	sw.refs, sw.ts, sw.vs = sw.refs[:0], sw.ts[:0], sw.vs[:0]
	sw.it = s.Iterator(sw.it)
	lastT := int64(math.MinInt64)
	for vt := sw.it.Next(); vt != chunkenc.ValNone; vt = sw.it.Next() {
		if vt != chunkenc.ValFloat {
			return fmt.Errorf("series %s: %s sample at %d: blocks hold float samples only", lset, vt, sw.it.AtT())
		}
		t, v := sw.it.At()
		if t <= lastT && (len(sw.refs) > 0 || len(sw.ts) > 0) {
			return fmt.Errorf("series %s: sample at %d after %d: not increasing", lset, t, lastT)
		}
		lastT = t
		sw.ts, sw.vs = append(sw.ts, t), append(sw.vs, v)
		if len(sw.ts) == sw.opts.MaxChunkSamples {
			if err := sw.flushChunk(); err != nil {
				return err
			}
		}
	}
	if err := sw.it.Err(); err != nil {
		return fmt.Errorf("series %s: read samples: %w", lset, err)
	}
	return sw.flushChunk()
}

// flushChunk encodes the pending samples as one chunk.
func (sw *seriesWriter) flushChunk() error {
	if len(sw.ts) == 0 {
		return nil
	}
	ref, err := sw.chunks.add(sw.ts, sw.vs)
	if err != nil {
		return err
	}
	sw.meta.NumSamples += uint64(len(sw.ts))
	sw.refs = append(sw.refs, ref)
	sw.ts, sw.vs = sw.ts[:0], sw.vs[:0]
	return nil
}
