// Package tsdb is Vigil's time-series store: immutable compressed blocks on
// disk and a sharded in-memory head of Gorilla-compressed chunks behind a
// write-ahead log, queried through Prometheus' storage.Queryable.
//
// # Using it
//
//	db, err := tsdb.Open(tsdb.Options{Dir: "data", Retention: 15 * 24 * time.Hour})
//	...
//	res, err := db.AppendBatch(batch) // err: storage failure; res counts rejections
//	q, err := db.Querier(mint, maxt)  // *DB is a storage.Queryable for promql.Engine
//	meta, err := db.Flush(ctx)        // cut the head into blocks now
//	...
//	err = db.Close()                  // checkpoints the head, syncs the WAL
//
// # The data directory
//
//	LOCK                      held by the open DB (flock)
//	wal/00000012 …            WAL segments (package wal)
//	wal/checkpoint.00000012   the head as of the start of segment 12 (package checkpoint)
//	blocks/<id>/              immutable blocks: meta.json, index, chunks (package block)
//	quarantine/<id>/          blocks that failed to open, moved aside
//
// # The lock
//
// Open takes an exclusive flock(2) on Dir/LOCK before it reads the WAL and
// holds it until Close, so two stores, in one process or two, never append
// to one WAL: the second Open fails at once with ErrLocked. The kernel drops
// the lock when the process dies, so a crash leaves nothing to clean up.
// (On platforms without flock the directory is not locked.)
//
// # Series
//
// A series is identified by its labels, sorted by name. hashLabels (xxhash64
// of name 0xff value 0xff …, stable across runs and builds) picks its shard
// (hash & (shards-1)) and its bucket in the shard's map; labels are compared
// on collision. Each series gets a ref, id<<16 | hash&0xffff: ids only grow,
// so refs sort in creation order and postings lists stay sorted by appending
// (a checkpoint load appends out of order and sorts once at the end);
// the low bits give the shard for any shard count up to 65536, so sample
// records replay without hashing and refs survive a change of shard count.
//
// A series (memSeries) keeps its labels as a string of symbol ids into the
// head's symbol table (symbols.go: every distinct label string once,
// reference-counted), its closed chunks (immutable, right-sized byte slices
// with their time range), its open gorilla.Chunk inline (closed after 120
// samples), its newest accepted sample, and a pointer to its out-of-order
// samples, nil for an in-order series. Series are allocated from slabs
// (seriesAlloc); the slot of a removed series is reused only after the next
// truncation, the symbol table's grace period too, because a cut's block
// source may still be reading it. The postings index keys its maps with the
// interned strings, never a caller's. At 1M series this is about 400 bytes
// per series (bench/storagecmp; Prometheus' head: about 850).
//
// # Appending
//
// AppendBatch, for one batch:
//
//  1. hashes every series and groups the series by shard;
//  2. takes appendMu of every shard it touches, in shard order;
//  3. finds each series (one read lock per shard) and creates the missing
//     ones (index lock, then one write lock per shard; ids are assigned and
//     postings added under the index lock);
//  4. validates every sample, in batch order, against its series' newest
//     accepted sample: older is out of order, the same timestamp with other
//     value bits is a conflict, with the same bits a duplicate (ignored);
//     stale markers are ordinary bit patterns. A sample older than the
//     head's minimum valid time (the end of the newest block) is out of
//     bounds, whatever the window; one older than its series' newest but
//     within Options.OutOfOrderWindow is accepted when no sample with its
//     timestamp is stored (with one, it is a duplicate or a conflict);
//  5. writes one WAL Write call (one write(2)) holding the series records
//     (the new series) and then the samples records (the accepted samples),
//     each record cut at about 1 MiB so no push, however large, meets the
//     WAL's record limit (docs/records.md); the write returns its position
//     in the WAL;
//  6. appends the accepted samples to the chunks, one write lock per shard,
//     and only now do they become visible to queries;
//  7. releases appendMu;
//  8. when the sync interval is 0, waits until its position is fsynced
//     (wal.Log.WaitDurable) and only then returns.
//
// Step 8 is group commit: the batches waiting share fsyncs. While one fsync
// runs, the batches that touch the same shards go through steps 2 to 7 and
// queue; when it ends, the first of them fsyncs once for all. Ordering stays
// under appendMu and durability comes after it, so a shard is never locked
// through an fsync, and an fsync costs a batch a share of a disk flush, not
// a place in a queue of them. A batch validated against samples of one not
// yet durable (a duplicate, or the next sample of a series) is written
// after it, and an fsync of a position covers every write before it (a
// rolled segment was fsynced when it was closed), so no batch is
// acknowledged before those it depends on. A batch with nothing to log,
// all duplicates say, waits for the last write before it for the same
// reason. Until its fsync, a batch's samples can be queried though the push
// is not acknowledged yet; a machine crash then may lose them, as it may
// lose any push not acknowledged.
//
// If the WAL write fails, the validation state of the batch's series is
// restored and the series it created are removed: nothing of the batch is
// stored, and AppendBatch returns the error. If the write succeeded but the
// fsync failed, the batch stays in the head, visible to queries until a
// restart, though AppendBatch fails; the WAL takes no more writes (it cannot
// know what reached the disk), and a replay may bring the batch back or not.
// A client that retries sends duplicates, which are ignored. Known series
// append without allocating: the scratch state is pooled, and waiting for
// an fsync does not allocate either.
//
// # The race between appenders, and replay
//
// Two appenders can carry samples for the same series at once. If each
// validated, logged and applied on its own, their WAL records could land in
// one order and their samples in the chunks in the other: A validates t=10,
// B validates t=12, B's record is written first, A's samples are applied
// first. The head would hold 10 and 12, acknowledged, while a replay, which
// applies records in WAL order with the same validation, would see 12 and
// then reject 10 as out of order — an acknowledged sample lost in a restart.
//
// appendMu closes that window: a shard's appenders are serialized from
// validation through the WAL write to the apply, so for every series the
// order of validations, of WAL records and of applies is one and the same.
// Replay, applying the records in WAL order with the same rules, therefore
// accepts exactly the samples that were acknowledged, rejects none, and
// rebuilds the same series under the same refs. The price is that two
// batches touching the same shard do not overlap their WAL writes (their
// fsyncs they share, after appendMu: step 8); readers never take appendMu
// and are never held up by the WAL. Head truncation and checkpoints take appendMu
// too, so a series truncation finds empty cannot receive samples before it
// is removed, and a checkpoint captures each shard at one point of its WAL
// order.
//
// # Reading
//
// DB.Querier merges, with storage.ChainedSeriesMerge (which drops samples
// with equal timestamps, so overlapping blocks cost nothing in accuracy),
// the queriers of the blocks whose time range overlaps the query with the
// head's; with no block in range the head answers alone.
//
// The head's Select resolves matchers over the postings index with the
// semantics of Prometheus' tsdb.PostingsForMatchers (see
// postingsIndex.postingsForMatchers): equality is a map lookup, a regular
// expression is evaluated once per distinct value of its label, matchers that
// match the empty string also select series without the label, negative
// matchers subtract, and __name__ is a label like any other. It then reads
// the matching series shard by shard under the read lock, sharing the closed
// chunks and copying the open chunk's bytes, so a reader never sees a chunk
// half-written and later appends do not change what it reads. It never
// returns samples older than the head's read start (what is older is in
// blocks). A series' out-of-order samples are merged with its chunks. Series
// are returned sorted by labels, with samples trimmed to the range unless
// hints.DisableTrimming is set. LabelNames and LabelValues answer from the
// index, like Prometheus' head, whatever the time range. A block's querier
// works the same way over its persisted index, reading the chunk pages of
// matching series only when they are iterated (package block).
//
// # Blocks: cutting the head
//
// The maintenance goroutine (started by Open, stopped by Close) runs at once
// and then every minute. While the head spans more than 1.5 ×
// Options.BlockDuration it cuts the oldest whole BlockDuration window
// [w, cut) out of it, as Prometheus does, so the newest half range stays in
// the head and a sample that arrives a little late is never out of bounds.
// DB.Flush cuts everything now, one block per window. A cut:
//
//  1. raises the head's minimum valid time to cut, then waits for the
//     appenders in flight: from now on no sample below cut is accepted;
//  2. writes the head's samples in [w, cut) as a block (block.Write: a
//     temporary directory, every file fsynced, renamed into place);
//  3. opens the block and adds it to the set queries read;
//  4. truncates the head: its read start becomes cut, chunks that end
//     before cut and out-of-order samples below it are dropped, and series
//     left without samples are removed (a series that comes back gets a new
//     ref);
//  5. writes a head checkpoint (below) and removes the WAL it covers.
//
// Because step 1 precedes step 2, the block holds every sample the head
// drops in step 4. Blocks are immutable; each file carries a CRC32C that
// block.Open verifies. A block that fails to open is moved to quarantine/,
// logged and counted (vigil_tsdb_blocks_corrupt_total), and the store
// serves the rest.
//
// # Checkpoints and WAL truncation
//
// A checkpoint is the head's state (series, refs, chunks, newest samples,
// out-of-order samples, next id, minimum valid time) as of the start of a
// WAL segment N: the WAL is rolled to N, then each shard is captured under
// its appendMu, one at a time, so appends go on elsewhere. Once the
// checkpoint is durable the segments before N are removed. Segment N may
// hold records a later-captured shard already includes: replay counts them
// as duplicates, never twice. Maintenance writes one after each cut and
// whenever the WAL has grown 256 MiB since the last; Close writes one, so a
// clean restart loads the checkpoint and replays almost nothing.
//
// Open opens the blocks, sets the minimum valid time past the newest one,
// loads the newest checkpoint, replays the WAL segments from it (samples
// below the minimum valid time are in blocks and are skipped), and only
// then truncates the head at the newest block: a crash between a cut and
// its checkpoint leaves the block's samples in the checkpoint and the WAL,
// and they are dropped, not counted twice.
//
// Both are fast at a million series (bench/storagecmp: 3.9 s for 1M series
// and 100M samples after a clean stop, 13 s after a crash). Loading a
// checkpoint appends refs to the postings unsorted and sorts each list once;
// open chunks are restored from their bytes (gorilla.Chunk.Restore) on a
// second goroutine, not re-encoded. Replay queues samples, groups them by
// series and applies them on GOMAXPROCS workers, flushing the queue before
// any record that could change what a queued sample means (a series record
// whose ref it uses, a rekey); in WAL order every sample was a cache miss.
//
// # Compaction
//
// Maintenance (or DB.Compact) then merges blocks, one group at a time:
// first any blocks whose time ranges overlap, then the blocks inside each
// aligned window of 6 and then 24 block durations (12h and 2d by default)
// once the window is complete (it ends at or before the minimum valid
// time). block.Compact streams the sources' series in label order into one
// new block; the new block replaces its sources in the set in one step, and
// the sources are closed (after their queries) and deleted. Its meta names
// them as parents, so sources that a crash left behind are deleted at Open.
//
// # Retention
//
// After compaction, maintenance deletes whole blocks: those whose newest
// sample is older than Now()-Retention, then the oldest ones while the
// blocks and the WAL take more than RetentionSize bytes. The head is never
// dropped.
package tsdb
