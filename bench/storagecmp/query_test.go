package storagecmp

import (
	"context"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/prometheus/prometheus/promql"
	"github.com/prometheus/prometheus/storage"
	promtsdb "github.com/prometheus/prometheus/tsdb"

	"github.com/vigilsre/vigil/tsdb"
)

// queryExpr is the query of comparison (d).
const queryExpr = `sum by (region) (rate(http_requests_total[5m]))`

// queryStep is the resolution of the range query.
const queryStep = time.Minute

// queryResult is comparison (d): the time one range query takes on each
// store, the data in blocks.
type queryResult struct {
	Series, Samples int
	Vigil, Prom     time.Duration // the fastest of the runs
}

// queryStores holds both stores filled with the same data, in blocks.
type queryStores struct {
	d      *dataset
	vigil  *tsdb.DB
	prom   *promtsdb.DB
	engine *promql.Engine
}

// openQueryStores fills both stores with the dataset and persists it.
func openQueryStores(ctx context.Context, dir string, d *dataset) (*queryStores, error) {
	s := &queryStores{d: d, engine: newEngine()}
	var err error
	if s.vigil, err = openVigil(filepath.Join(dir, "vigil")); err != nil {
		return nil, err
	}
	if s.prom, err = openProm(filepath.Join(dir, "prom")); err != nil {
		return nil, fmt.Errorf("%w (close: %v)", err, s.vigil.Close())
	}
	if err := s.fill(ctx); err != nil {
		return nil, fmt.Errorf("%w (close: %v)", err, s.Close())
	}
	return s, nil
}

func (s *queryStores) fill(ctx context.Context) error {
	if err := appendVigil(s.vigil, s.d, false); err != nil {
		return err
	}
	if err := persistVigil(ctx, s.vigil); err != nil {
		return err
	}
	if err := appendProm(s.prom, s.d, false); err != nil {
		return err
	}
	return persistProm(ctx, s.prom)
}

// Close closes both stores.
func (s *queryStores) Close() error {
	return errors.Join(s.vigil.Close(), s.prom.Close())
}

func newEngine() *promql.Engine {
	return promql.NewEngine(promql.EngineOpts{MaxSamples: math.MaxInt32, Timeout: time.Hour, LookbackDelta: 5 * time.Minute})
}

// run evaluates the query over the whole dataset on q and returns a copy
// of the result (Close recycles the query's own) and the time it took.
func (s *queryStores) run(ctx context.Context, q storage.Queryable) (promql.Matrix, time.Duration, error) {
	start, end := time.UnixMilli(s.d.start()), time.UnixMilli(s.d.end())
	t0 := time.Now()
	qry, err := s.engine.NewRangeQuery(ctx, q, nil, queryExpr, start, end, queryStep)
	if err != nil {
		return nil, 0, fmt.Errorf("new range query: %w", err)
	}
	defer qry.Close()
	res := qry.Exec(ctx)
	took := time.Since(t0)
	if res.Err != nil {
		return nil, 0, fmt.Errorf("run %s: %w", queryExpr, res.Err)
	}
	m, err := res.Matrix()
	if err != nil {
		return nil, 0, fmt.Errorf("result of %s: %w", queryExpr, err)
	}
	return cloneMatrix(m), took, nil
}

func cloneMatrix(m promql.Matrix) promql.Matrix {
	out := make(promql.Matrix, len(m))
	for i, s := range m {
		out[i] = promql.Series{Metric: s.Metric.Copy(), Floats: slices.Clone(s.Floats)}
	}
	return out
}

// compare runs the query on both stores and checks that they agree.
func (s *queryStores) compare(ctx context.Context) (vigil, prom time.Duration, err error) {
	vm, vigil, err := s.run(ctx, s.vigil)
	if err != nil {
		return 0, 0, fmt.Errorf("vigil: %w", err)
	}
	pm, prom, err := s.run(ctx, s.prom)
	if err != nil {
		return 0, 0, fmt.Errorf("prometheus: %w", err)
	}
	return vigil, prom, sameMatrix(vm, pm)
}

// sameMatrix reports the first difference between two results; floats
// agree within 1e-9 relative.
func sameMatrix(a, b promql.Matrix) error {
	if len(a) != len(b) {
		return fmt.Errorf("vigil returns %d series, prometheus %d", len(a), len(b))
	}
	for i := range a {
		if a[i].Metric.String() != b[i].Metric.String() || len(a[i].Floats) != len(b[i].Floats) {
			return fmt.Errorf("series %d: vigil %s with %d points, prometheus %s with %d", i, a[i].Metric, len(a[i].Floats), b[i].Metric, len(b[i].Floats))
		}
		for j, p := range a[i].Floats {
			q := b[i].Floats[j]
			if p.T != q.T || !closeEnough(p.F, q.F) {
				return fmt.Errorf("%s: vigil %v@%d, prometheus %v@%d", a[i].Metric, p.F, p.T, q.F, q.T)
			}
		}
	}
	return nil
}

func closeEnough(a, b float64) bool {
	if a == b || (math.IsNaN(a) && math.IsNaN(b)) {
		return true
	}
	return math.Abs(a-b) <= 1e-9*math.Max(math.Abs(a), math.Abs(b))
}

// measureQuery fills both stores and runs the query runs times on each,
// checking every time that they agree; it keeps the fastest times.
func measureQuery(ctx context.Context, dir string, d *dataset, runs int) (queryResult, error) {
	r := queryResult{Series: len(d.idx), Samples: d.samples(), Vigil: math.MaxInt64, Prom: math.MaxInt64}
	s, err := openQueryStores(ctx, dir, d)
	if err != nil {
		return r, err
	}
	defer s.Close()
	for range runs {
		v, p, err := s.compare(ctx)
		if err != nil {
			return r, err
		}
		r.Vigil, r.Prom = min(r.Vigil, v), min(r.Prom, p)
	}
	return r, nil
}

// BenchmarkQuery is comparison (d): every iteration runs the query on both
// stores and checks that their results agree.
func BenchmarkQuery(b *testing.B) {
	s := currentSizes()
	d, err := metricData("http_requests_total", s.QuerySeries, s.QuerySpan)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	st, err := openQueryStores(ctx, b.TempDir(), d)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	var vigil, prom time.Duration
	for b.Loop() {
		v, p, err := st.compare(ctx)
		if err != nil {
			b.Fatal(err)
		}
		vigil, prom = vigil+v, prom+p
	}
	b.ReportMetric(float64(vigil.Nanoseconds())/float64(b.N), "vigil_ns/query")
	b.ReportMetric(float64(prom.Nanoseconds())/float64(b.N), "prom_ns/query")
	b.ReportMetric(float64(vigil)/float64(prom), "ratio")
}
