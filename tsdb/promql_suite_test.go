package tsdb_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/prometheus/prometheus/model/exemplar"
	"github.com/prometheus/prometheus/model/histogram"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/model/metadata"
	"github.com/prometheus/prometheus/promql"
	"github.com/prometheus/prometheus/promql/promqltest"
	"github.com/prometheus/prometheus/storage"
	"github.com/stretchr/testify/require"

	"github.com/vigilsre/vigil/tsdb"
)

// The PromQL acceptance suite: Prometheus' own test scripts
// (promql/promqltest/testdata) run against a tsdb.DB, with the engine and
// parser features Prometheus' TestEvaluations enables. Every script runs
// twice: with every sample in the head, and with the older half of each
// load command in a block on disk (promql_blocks_test.go), so that queries
// merge blocks, overlapping ones included, with the head.
//
// Native histograms and start timestamps are not stored yet. scriptFilter
// (promql_filter_test.go) removes from each script the series that need them
// and the evals that could read those series; every other eval must pass.

// skippedFiles are the scripts that keep no eval after the filter, and why.
var skippedFiles = map[string]string{
	"start_timestamps.test": "start timestamps (@st) and native histograms are not stored yet",
}

// partialFiles are the scripts that lose some evals to the filter, and why.
// Every other script runs whole.
var partialFiles = map[string]string{
	"aggregators.test":       "native histograms are not stored yet",
	"extended_vectors.test":  "native histograms are not stored yet",
	"functions.test":         "native histograms are not stored yet",
	"histograms.test":        "native histograms (load_with_nhcb) are not stored yet",
	"info.test":              "native histograms are not stored yet",
	"limit.test":             "native histograms are not stored yet",
	"native_histograms.test": "native histograms are not stored yet",
	"operators.test":         "native histograms are not stored yet",
	"range_queries.test":     "native histograms are not stored yet",
	"subquery.test":          "native histograms are not stored yet",
}

// suiteMode is a way of storing each load command's samples.
type suiteMode struct {
	name string
	// blocks: the older half of each load goes into a block on disk, the
	// newer half into the head. Otherwise all of it goes into the head.
	blocks bool
}

var suiteModes = []suiteMode{{name: "head"}, {name: "blocks", blocks: true}}

// suiteScript is a script filtered for the store, with its eval counts.
type suiteScript struct {
	name           string
	text           string
	evals, dropped int
}

// suiteStats counts what a mode ran and stored.
type suiteStats struct {
	scripts, evals int
	blocks         int // blocks written
	blockSamples   int // samples stored in blocks
	staleInBlocks  int // of them, stale markers
	headSamples    int // samples appended to the head
}

func TestPromQLSuite(t *testing.T) {
	scripts := suiteScripts(t)
	engine := promqltest.NewTestEngine(t, false, 0, promqltest.DefaultMaxSamplesPerQuery)
	for _, mode := range suiteModes {
		t.Run(mode.name, func(t *testing.T) {
			stats := &suiteStats{}
			for _, s := range scripts {
				t.Run(s.name, func(t *testing.T) { runSuiteScript(t, s, engine, mode, stats) })
			}
			t.Logf("%d evals in %d scripts passed; %d samples (%d stale markers) in %d blocks, %d in the head",
				stats.evals, stats.scripts, stats.blockSamples, stats.staleInBlocks, stats.blocks, stats.headSamples)
			if mode.blocks && !t.Failed() {
				require.NotZero(t, stats.blocks, "blocks mode wrote no block")
				require.NotZero(t, stats.staleInBlocks, "blocks mode stored no stale marker in a block")
			}
		})
	}
}

// suiteScripts reads and filters every script of promqltest's testdata,
// and checks that the lists of skipped and partial scripts name scripts
// that exist.
func suiteScripts(t *testing.T) []suiteScript {
	dir := promqlTestdataDir(t)
	files, err := filepath.Glob(filepath.Join(dir, "*.test"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	seen := map[string]bool{}
	scripts := make([]suiteScript, 0, len(files))
	for _, file := range files {
		s := suiteScript{name: filepath.Base(file)}
		s.text, s.evals, s.dropped = floatOnlyScript(readScript(t, file))
		seen[s.name] = true
		scripts = append(scripts, s)
	}
	for _, listed := range []map[string]string{skippedFiles, partialFiles} {
		for name := range listed {
			require.True(t, seen[name], "%s is listed but not in %s", name, dir)
		}
	}
	return scripts
}

// runSuiteScript runs one script on storage of the given mode.
func runSuiteScript(t *testing.T, s suiteScript, engine promql.QueryEngine, mode suiteMode, stats *suiteStats) {
	if reason, ok := skippedFiles[s.name]; ok {
		require.Equal(t, s.evals, s.dropped, "%s keeps evals; list it in partialFiles", s.name)
		t.Skip(reason)
	}
	if reason, ok := partialFiles[s.name]; ok {
		require.NotZero(t, s.dropped, "%s loses no eval; run it whole", s.name)
		require.Less(t, s.dropped, s.evals, "%s keeps no eval; list it in skippedFiles", s.name)
		t.Logf("runs %d of %d evals; the others need what is not stored: %s", s.evals-s.dropped, s.evals, reason)
	} else {
		require.Zero(t, s.dropped, "%s needs what is not stored; list it in partialFiles", s.name)
	}
	promqltest.RunTestWithStorage(t, s.text, engine, func(t testing.TB) storage.Storage {
		return newSuiteStorage(t, mode, stats)
	})
	stats.scripts++
	stats.evals += s.evals - s.dropped
}

// promqlTestdataDir is promqltest's testdata in the module cache.
func promqlTestdataDir(t *testing.T) string {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/prometheus/prometheus").Output()
	require.NoError(t, err, "locate the prometheus module")
	return filepath.Join(strings.TrimSpace(string(out)), "promql", "promqltest", "testdata")
}

func readScript(t *testing.T, file string) string {
	b, err := os.ReadFile(file)
	require.NoError(t, err)
	return string(b)
}

// suiteStorage is the storage.Storage the scripts run on: queries go to a
// tsdb.DB, and each load command's samples go in as one Batch; in blocks
// mode, its older half goes into a block first.
type suiteStorage struct {
	*tsdb.DB
	blocks *blockLoader // nil: every sample goes to the head
	stats  *suiteStats
}

func newSuiteStorage(t testing.TB, mode suiteMode, stats *suiteStats) storage.Storage {
	db, err := tsdb.Open(tsdb.Options{Dir: t.TempDir(), Logger: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	s := suiteStorage{DB: db, stats: stats}
	if mode.blocks {
		s.blocks = &blockLoader{db: db, stats: stats}
	}
	return s
}

func (s suiteStorage) AppenderV2(context.Context) storage.AppenderV2 {
	return &batchAppender{db: s.DB, blocks: s.blocks, stats: s.stats, index: map[string]int{}}
}

func (suiteStorage) Appender(context.Context) storage.Appender { return v1Appender{} }

func (suiteStorage) ChunkQuerier(int64, int64) (storage.ChunkQuerier, error) {
	return nil, errors.New("chunk queries are not supported")
}

func (suiteStorage) StartTime() (int64, error) { return math.MinInt64, nil }

// batchAppender collects a transaction into a Batch; Commit appends it.
type batchAppender struct {
	db     *tsdb.DB
	blocks *blockLoader // nil: the whole batch goes to the head
	stats  *suiteStats
	batch  tsdb.Batch
	index  map[string]int // series labels → position in batch
}

func (a *batchAppender) Append(_ storage.SeriesRef, ls labels.Labels, _, t int64, v float64, h *histogram.Histogram, fh *histogram.FloatHistogram, _ storage.AppendV2Options) (storage.SeriesRef, error) {
	if h != nil || fh != nil {
		return 0, fmt.Errorf("series %s: native histograms are not stored", ls)
	}
	key := ls.String()
	i, ok := a.index[key]
	if !ok {
		i = len(a.batch.Series)
		a.index[key] = i
		a.batch.Next().Labels = ls
	}
	a.batch.Series[i].Samples = append(a.batch.Series[i].Samples, tsdb.Sample{T: t, V: v})
	return 0, nil
}

func (a *batchAppender) Commit() error {
	if a.blocks != nil {
		if err := a.blocks.loadOlder(&a.batch); err != nil {
			return err
		}
	}
	a.stats.headSamples += a.batch.Samples()
	res, err := a.db.AppendBatch(&a.batch)
	if err != nil {
		return err
	}
	return res.FirstError
}

func (a *batchAppender) Rollback() error {
	a.batch.Reset()
	return nil
}

// v1Appender is the deprecated appender interface, which the scripts do not
// use.
type v1Appender struct{}

var errV1 = errors.New("use AppenderV2")

func (v1Appender) Append(storage.SeriesRef, labels.Labels, int64, float64) (storage.SeriesRef, error) {
	return 0, errV1
}
func (v1Appender) SetOptions(*storage.AppendOptions) {}
func (v1Appender) AppendExemplar(storage.SeriesRef, labels.Labels, exemplar.Exemplar) (storage.SeriesRef, error) {
	return 0, errV1
}
func (v1Appender) AppendHistogram(storage.SeriesRef, labels.Labels, int64, *histogram.Histogram, *histogram.FloatHistogram) (storage.SeriesRef, error) {
	return 0, errV1
}
func (v1Appender) AppendHistogramSTZeroSample(storage.SeriesRef, labels.Labels, int64, int64, *histogram.Histogram, *histogram.FloatHistogram) (storage.SeriesRef, error) {
	return 0, errV1
}
func (v1Appender) UpdateMetadata(storage.SeriesRef, labels.Labels, metadata.Metadata) (storage.SeriesRef, error) {
	return 0, errV1
}
func (v1Appender) AppendSTZeroSample(storage.SeriesRef, labels.Labels, int64, int64) (storage.SeriesRef, error) {
	return 0, errV1
}
func (v1Appender) Commit() error   { return errV1 }
func (v1Appender) Rollback() error { return nil }
