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
	"github.com/prometheus/prometheus/promql/promqltest"
	"github.com/prometheus/prometheus/storage"
	"github.com/stretchr/testify/require"

	"github.com/vigilsre/vigil/tsdb"
)

// The PromQL acceptance suite: Prometheus' own test scripts
// (promql/promqltest/testdata) run against a tsdb.DB, with the engine and
// parser features Prometheus' TestEvaluations enables.
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

func TestPromQLSuite(t *testing.T) {
	dir := promqlTestdataDir(t)
	files, err := filepath.Glob(filepath.Join(dir, "*.test"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	engine := promqltest.NewTestEngine(t, false, 0, promqltest.DefaultMaxSamplesPerQuery)
	seen := map[string]bool{}
	for _, file := range files {
		name := filepath.Base(file)
		seen[name] = true
		t.Run(name, func(t *testing.T) {
			script, evals, dropped := floatOnlyScript(readScript(t, file))
			if reason, ok := skippedFiles[name]; ok {
				require.Equal(t, evals, dropped, "%s keeps evals; list it in partialFiles", name)
				t.Skip(reason)
			}
			if reason, ok := partialFiles[name]; ok {
				require.NotZero(t, dropped, "%s loses no eval; run it whole", name)
				require.Less(t, dropped, evals, "%s keeps no eval; list it in skippedFiles", name)
				t.Logf("runs %d of %d evals; the others need what is not stored: %s", evals-dropped, evals, reason)
			} else {
				require.Zero(t, dropped, "%s needs what is not stored; list it in partialFiles", name)
			}
			promqltest.RunTestWithStorage(t, script, engine, newSuiteStorage)
		})
	}
	for _, listed := range []map[string]string{skippedFiles, partialFiles} {
		for name := range listed {
			require.True(t, seen[name], "%s is listed but not in %s", name, dir)
		}
	}
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
// tsdb.DB, and each load command's samples go in as one Batch.
type suiteStorage struct {
	*tsdb.DB
}

func newSuiteStorage(t testing.TB) storage.Storage {
	db, err := tsdb.Open(tsdb.Options{Dir: t.TempDir(), Logger: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	return suiteStorage{DB: db}
}

func (s suiteStorage) AppenderV2(context.Context) storage.AppenderV2 {
	return &batchAppender{db: s.DB, index: map[string]int{}}
}

func (suiteStorage) Appender(context.Context) storage.Appender { return v1Appender{} }

func (suiteStorage) ChunkQuerier(int64, int64) (storage.ChunkQuerier, error) {
	return nil, errors.New("chunk queries are not supported")
}

func (suiteStorage) StartTime() (int64, error) { return math.MinInt64, nil }

// batchAppender collects a transaction into a Batch; Commit appends it.
type batchAppender struct {
	db    *tsdb.DB
	batch tsdb.Batch
	index map[string]int // series labels → position in batch
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
