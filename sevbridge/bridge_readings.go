package sevbridge

import (
	"context"
	"math"
	"sort"
	"time"

	"github.com/prometheus/prometheus/promql"
)

// readings runs p's SLI queries at now: one global reading, and one per
// route the query returned (by its "route" label) plus a Missing reading
// for each bucketed route it did not return. A failed query or an empty
// answer gives Missing readings.
func (b *Bridge) readings(ctx context.Context, p *Policy, now time.Time) []Reading {
	var out []Reading
	if p.Global != nil {
		r := Reading{Scope: ScopeGlobal, Missing: true}
		if v := b.instant(ctx, p.Global.SLI, now); len(v) > 0 {
			r = Reading{Scope: ScopeGlobal, Value: v[0].F, Missing: math.IsNaN(v[0].F)}
		}
		out = append(out, r)
	}
	if p.Routes != nil {
		out = append(out, routeReadings(p.Routes, b.instant(ctx, p.Routes.SLI, now))...)
	}
	return out
}

func routeReadings(rp *RoutesPolicy, v promql.Vector) []Reading {
	seen := map[string]bool{}
	var out []Reading
	for _, s := range v {
		route := s.Metric.Get("route")
		if route == "" || seen[route] {
			continue
		}
		seen[route] = true
		out = append(out, Reading{Scope: ScopeRoute, Route: route, Value: s.F, Missing: math.IsNaN(s.F)})
	}
	for _, route := range bucketedRoutes(rp) {
		if !seen[route] {
			out = append(out, Reading{Scope: ScopeRoute, Route: route, Missing: true})
		}
	}
	return out
}

func bucketedRoutes(rp *RoutesPolicy) []string {
	var routes []string
	for _, bk := range rp.Buckets {
		routes = append(routes, bk.Routes...)
	}
	sort.Strings(routes)
	return routes
}

// instant runs expr at ts and returns its vector (a scalar as one sample);
// nil on error (logged) or for other value types.
func (b *Bridge) instant(ctx context.Context, expr string, ts time.Time) promql.Vector {
	res, err := b.query.Instant(ctx, expr, ts)
	if err != nil {
		b.logger.Warn("sli query", "expr", expr, "err", err)
		return nil
	}
	defer res.Close()
	switch v := res.Value.(type) {
	case promql.Vector:
		return append(promql.Vector(nil), v...)
	case promql.Scalar:
		return promql.Vector{{T: v.T, F: v.V}}
	}
	return nil
}
