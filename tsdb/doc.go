// Package tsdb is Vigil's time-series store: a sharded in-memory head of
// Gorilla-compressed chunks behind a write-ahead log, queried through
// Prometheus' storage.Queryable.
//
// # Using it
//
//	db, err := tsdb.Open(tsdb.Options{Dir: "data", Retention: 15 * 24 * time.Hour})
//	...
//	res, err := db.AppendBatch(batch) // err: storage failure; res counts rejections
//	q, err := db.Querier(mint, maxt)  // *DB is a storage.Queryable for promql.Engine
//	...
//	err = db.Close()                  // syncs the WAL
//
// # The data directory
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
// so refs sort in creation order and postings lists stay sorted by appending;
// the low bits give the shard for any shard count up to 65536, so sample
// records replay without hashing and refs survive a change of shard count.
//
// A series (memSeries) keeps its own copy of its labels, its closed chunks
// (immutable, right-sized byte slices with their time range), the open
// gorilla.Chunk, which is closed after 120 samples, and its newest accepted
// sample.
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
//     stale markers are ordinary bit patterns;
//  5. writes one WAL Log call holding the series records (the new series)
//     and then the samples records (the accepted samples), each record cut
//     at about 1 MiB so no push, however large, meets the WAL's record
//     limit (docs/records.md) — fsynced before it returns when the sync
//     interval is 0;
//  6. appends the accepted samples to the chunks, one write lock per shard,
//     and only now do they become visible to queries;
//  7. releases appendMu.
//
// If the WAL write fails, the validation state of the batch's series is
// restored and the series it created are removed: nothing of the batch is
// stored, and AppendBatch returns the error. (If the write reached the file
// but its fsync failed, a replay may still bring the batch back: a client
// that retries then sends duplicates, which are ignored.) Known series
// append without allocating: the scratch state is pooled.
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
// batches touching the same shard do not overlap their WAL writes (and
// fsyncs, in sync-every-batch mode); readers never take appendMu and are
// never held up by the WAL. Retention takes appendMu too, so a series it
// finds empty cannot receive samples before it is removed.
//
// # Reading
//
// A Querier's Select resolves matchers over the postings index with the
// semantics of Prometheus' tsdb.PostingsForMatchers (see
// postingsIndex.postingsForMatchers): equality is a map lookup, a regular
// expression is evaluated once per distinct value of its label, matchers that
// match the empty string also select series without the label, negative
// matchers subtract, and __name__ is a label like any other. It then reads
// the matching series shard by shard under the read lock, sharing the closed
// chunks and copying the open chunk's bytes, so a reader never sees a chunk
// half-written and later appends do not change what it reads. Series are
// returned sorted by labels, with samples trimmed to the range unless
// hints.DisableTrimming is set. LabelNames and LabelValues answer from the
// index, like Prometheus' head, whatever the time range.
//
// # Retention
//
// With Options.Retention > 0, a goroutine started by Open (stopped by Close)
// runs at once and then every minute: it drops the chunks whose newest sample
// is older than Now()-Retention and removes the series left without samples
// from the shard maps and the postings. A removed series that receives
// samples again is created anew under a new ref.
//
// The WAL is not truncated yet, and there are no blocks yet: both come with
// the block layer. Until then the WAL grows without bound, and a restart
// replays data that retention had dropped until the retention loop, which
// runs as Open returns, drops it again. docs/records.md describes the WAL
// records.
package tsdb
