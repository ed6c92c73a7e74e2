package tsdb

import (
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/storage"

	"github.com/vigilsre/vigil/tsdb/checkpoint"
	"github.com/vigilsre/vigil/tsdb/gorilla"
	"github.com/vigilsre/vigil/tsdb/wal"
)

// writeCheckpoint writes the head's state to walDir as the checkpoint that
// precedes a new WAL segment N, then removes the segments and checkpoints
// before N.
//
// It rolls the WAL first, then captures the head one shard at a time under
// the shard's appendMu (and read lock), so appends go on in the other shards
// meanwhile, and only one shard's capture is in memory at a time. Segment N
// may therefore hold records that a shard captured later already includes.
// Replay makes them harmless: a sample already stored is a duplicate (see
// replayer), and a series record for a known series keeps it. Chunks older
// than the head's read start are left out: they are in blocks.
func (h *head) writeCheckpoint(walDir string, w *wal.Log) error {
	n, err := w.Roll()
	if err != nil {
		return err
	}
	// Read after Roll: a series with a higher id is created after it, so its
	// series record is in segment N or later, and replay meets it.
	h.index.mu.RLock()
	meta := checkpoint.Meta{Segment: n, NextID: h.nextID + 1, MinValidTime: h.minValidT.Load()}
	h.index.mu.RUnlock()
	path := filepath.Join(walDir, checkpoint.Name(n))
	if err := checkpoint.Write(path, meta, h.captureAll); err != nil {
		return err
	}
	if err := w.RemoveBefore(n); err != nil {
		return fmt.Errorf("remove wal segments before checkpoint %d: %w", n, err)
	}
	return removeCheckpointsBefore(walDir, n)
}

// captureAll passes every series of the head to yield, shard by shard.
func (h *head) captureAll(yield func(*checkpoint.Series) error) error {
	var buf []checkpoint.Series
	for i := range h.shards {
		buf = h.captureShard(&h.shards[i], buf[:0])
		for j := range buf {
			if err := yield(&buf[j]); err != nil {
				return err
			}
		}
		clear(buf) // drop the chunk references
	}
	return nil
}

// captureShard appends the state of every series of sh to dst, holding the
// shard's appendMu, so that no batch is between validation and apply, and
// its read lock.
func (h *head) captureShard(sh *headShard, dst []checkpoint.Series) []checkpoint.Series {
	readMinT := h.readMinT.Load()
	sh.appendMu.Lock()
	defer sh.appendMu.Unlock()
	sh.mu.RLock()
	defer sh.mu.RUnlock()
	for _, s := range sh.byRef {
		dst = append(dst, captureSeries(s, h.labelsOf(s), readMinT))
	}
	return dst
}

// captureSeries returns the state of s, whose labels are lset, without the
// samples older than readMinT: closed chunks shared, the open chunk and the
// out-of-order samples copied. The caller holds the shard's appendMu.
func captureSeries(s *memSeries, lset labels.Labels, readMinT int64) checkpoint.Series {
	cs := checkpoint.Series{Ref: uint64(s.ref), Labels: lset, LastT: s.lastT, LastV: s.lastV, HasLast: s.hasLast}
	for _, c := range s.appendChunks(nil, readMinT, math.MaxInt64, false) {
		cs.Chunks = append(cs.Chunks, checkpoint.Chunk{MinT: c.minT, MaxT: c.maxT, Data: c.data})
	}
	for _, smp := range s.appendOOO(nil, readMinT, math.MaxInt64) {
		cs.OutOfOrder = append(cs.OutOfOrder, checkpoint.Sample{T: smp.T, V: smp.V})
	}
	return cs
}

// removeCheckpointsBefore removes the checkpoints of walDir older than
// segment n.
func removeCheckpointsBefore(walDir string, n int) error {
	entries, err := os.ReadDir(walDir)
	if err != nil {
		return fmt.Errorf("list checkpoints in %s: %w", walDir, err)
	}
	var errs []error
	for _, e := range entries {
		k, ok := checkpointSegment(e.Name())
		if !ok || k >= n {
			continue
		}
		if err := os.Remove(filepath.Join(walDir, e.Name())); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, fmt.Errorf("remove old checkpoint: %w", err))
		}
	}
	return errors.Join(errs...)
}

// removeCheckpointTmp removes the checkpoint.*.tmp files a crash while
// writing a checkpoint leaves (each is about as large as the head).
func removeCheckpointTmp(walDir string) error {
	tmps, err := filepath.Glob(filepath.Join(walDir, "checkpoint.*.tmp"))
	if err != nil {
		return fmt.Errorf("list unfinished checkpoints: %w", err)
	}
	for _, tmp := range tmps {
		if err := os.Remove(tmp); err != nil {
			return fmt.Errorf("remove unfinished checkpoint: %w", err)
		}
	}
	return nil
}

// checkpointSegment parses a checkpoint file name (not a .tmp one).
func checkpointSegment(name string) (int, bool) {
	digits, ok := strings.CutPrefix(name, "checkpoint.")
	if !ok {
		return 0, false
	}
	k, err := strconv.Atoi(digits)
	return k, err == nil && k >= 0 && checkpoint.Name(k) == name
}

// loadCheckpoint restores the newest checkpoint of walDir into an empty
// head: series under their refs with their chunks, newest samples and
// out-of-order samples, the next series id, and minValidTime (raised, never
// lowered). It returns the WAL segment to replay from, and ok false when
// there is no checkpoint. It first removes the checkpoint.*.tmp files a
// crash while writing one leaves. On an error the head is partly loaded and
// must be discarded.
func (h *head) loadCheckpoint(walDir string) (segment int, ok bool, err error) {
	if err := removeCheckpointTmp(walDir); err != nil {
		return 0, false, err
	}
	path, segment, ok, err := checkpoint.Newest(walDir)
	if err != nil || !ok {
		return 0, false, err
	}
	l := checkpointLoader{h: h, open: startReopener()}
	// The checkpoint holds the series shard by shard, not in ref order:
	// indexed in order, each would be inserted into the middle of lists
	// that hold most series.
	h.index.beginUnsorted()
	meta, err := checkpoint.Read(path, l.series)
	h.index.sortLists()
	if openErr := l.open.wait(); err == nil {
		err = openErr
	}
	if err != nil {
		return 0, false, err
	}
	if meta.NextID > 0 {
		l.maxID = max(l.maxID, meta.NextID-1)
	}
	h.nextID = max(h.nextID, l.maxID)
	atomicMax(&h.minValidT, meta.MinValidTime)
	return segment, true, nil
}

// checkpointLoader restores the series of a checkpoint, on one goroutine
// before the head is used, so it takes no locks; only the open chunks are
// restored on another (see reopener).
type checkpointLoader struct {
	h       *head
	hashBuf []byte
	open    *reopener
	maxID   uint64
}

// series restores one series; cs is only valid during the call.
func (l *checkpointLoader) series(cs *checkpoint.Series) error {
	ref := storage.SeriesRef(cs.Ref)
	var hash uint64
	hash, l.hashBuf = hashLabels(l.hashBuf, cs.Labels)
	if cs.Ref&refShardMask != hash&refShardMask {
		return fmt.Errorf("series %s: ref %d does not carry its label hash %#x", cs.Labels, cs.Ref, hash)
	}
	sh := &l.h.shards[l.h.shardOf(hash)]
	if sh.byRef[ref] != nil || sh.get(&l.h.symbols, hash, cs.Labels) != nil {
		return fmt.Errorf("series %s (ref %d) is in the checkpoint twice", cs.Labels, cs.Ref)
	}
	s := l.h.createSeries(ref, cs.Labels, hash)
	s.lastT, s.lastV, s.hasLast = cs.LastT, cs.LastV, cs.HasLast
	l.maxID = max(l.maxID, cs.Ref>>refShardBits)
	if err := l.restoreChunks(s, cs.Chunks); err != nil {
		return fmt.Errorf("series %s: %w", cs.Labels, err)
	}
	for _, smp := range cs.OutOfOrder {
		s.insertOOO(Sample{T: smp.T, V: smp.V})
		l.h.observeRange(smp.T, smp.T)
	}
	return nil
}

// restoreChunks gives s its chunks, copied to right-sized slices so the
// file's buffer can go. A last chunk with room left becomes the open chunk,
// so appends continue in it.
func (l *checkpointLoader) restoreChunks(s *memSeries, chunks []checkpoint.Chunk) error {
	if len(chunks) == 0 {
		return nil
	}
	l.h.numChunks.Add(int64(len(chunks)))
	l.h.observeRange(chunks[0].MinT, chunks[len(chunks)-1].MaxT)
	last := chunks[len(chunks)-1]
	open := len(last.Data) >= 2 && int(last.Data[0])<<8|int(last.Data[1]) < samplesPerChunk
	if open {
		chunks = chunks[:len(chunks)-1]
	}
	if len(chunks) > 0 {
		s.closed = make([]chunkMeta, 0, len(chunks))
	}
	for _, c := range chunks {
		s.closed = append(s.closed, chunkMeta{minT: c.MinT, maxT: c.MaxT, data: append([]byte(nil), c.Data...)})
	}
	if open {
		l.open.add(s, last)
	}
	return nil
}

// reopener restores open chunks on a goroutine of its own while the loader
// goes on with the next series: decoding each open chunk is about a third
// of a load. The loader hands it a series after its last write to the
// series' open chunk fields, and touches them no more; wait returns once
// every chunk handed over is restored.
type reopener struct {
	batch []reopenJob
	jobs  chan []reopenJob
	done  chan error // the first error, once jobs is closed and drained
}

// reopenJob is an open chunk to restore, c, and the series it belongs to.
type reopenJob struct {
	s *memSeries
	c checkpoint.Chunk
}

// reopenBatch is how many chunks the loader hands over at once.
const reopenBatch = 1024

func startReopener() *reopener {
	o := &reopener{jobs: make(chan []reopenJob, 4), done: make(chan error, 1)}
	go o.run()
	return o
}

// run restores the chunks handed over; after an error it only drains.
func (o *reopener) run() {
	var first error
	var dec gorilla.Iterator
	for batch := range o.jobs {
		for _, j := range batch {
			if first == nil {
				first = reopen(j.s, j.c, &dec)
			}
		}
	}
	o.done <- first
}

// add hands over the open chunk c of s. c.Data must stay unchanged.
func (o *reopener) add(s *memSeries, c checkpoint.Chunk) {
	o.batch = append(o.batch, reopenJob{s: s, c: c})
	if len(o.batch) == reopenBatch {
		o.jobs <- o.batch
		o.batch = make([]reopenJob, 0, reopenBatch)
	}
}

// wait hands over the last chunks, waits until all are restored and returns
// the first error. It must be called once, also when the load failed.
func (o *reopener) wait() error {
	if len(o.batch) > 0 {
		o.jobs <- o.batch
	}
	close(o.jobs)
	return <-o.done
}

// reopen makes c the open chunk of s: the chunk restores its encoder state
// from the bytes (one decode, no re-encode), so appends continue in it.
func reopen(s *memSeries, c checkpoint.Chunk, dec *gorilla.Iterator) error {
	if err := s.open.Restore(c.Data); err != nil {
		return fmt.Errorf("series %d: open chunk: %w", s.ref, err)
	}
	if s.openSamples() == 0 {
		return fmt.Errorf("series %d: open chunk is empty, not [%d, %d] as recorded", s.ref, c.MinT, c.MaxT)
	}
	dec.Reset(c.Data) // decodes fine: Restore did
	dec.Next()
	s.openMinT, _ = dec.At()
	if s.openMinT != c.MinT || s.openMaxT() != c.MaxT {
		return fmt.Errorf("series %d: open chunk holds [%d, %d], not [%d, %d] as recorded", s.ref, s.openMinT, s.openMaxT(), c.MinT, c.MaxT)
	}
	return nil
}
