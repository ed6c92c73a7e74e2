package notify

import (
	"fmt"
	"maps"
	"regexp"
	"slices"

	"github.com/prometheus/prometheus/model/labels"
)

// router picks the receiver of an alert: the first route whose matchers all
// match, else the fallback. It is immutable and safe for concurrent use.
type router struct {
	routes   []route
	fallback string // "" when alerts that match no route go nowhere
}

// route is a compiled Route.
type route struct {
	matchers []matcher
	receiver string
}

// matcher tests one label: for equality, or against an anchored regexp when
// re is set.
type matcher struct {
	name, value string
	re          *regexp.Regexp
}

// newRouter compiles the routes of c, which must be valid.
func newRouter(c Config) (*router, error) {
	r := &router{fallback: c.defaultReceiver(), routes: make([]route, 0, len(c.Routes))}
	for i, cr := range c.Routes {
		ms, err := compileMatchers(cr)
		if err != nil {
			return nil, fmt.Errorf("notify: routes[%d]: %w", i, err)
		}
		r.routes = append(r.routes, route{matchers: ms, receiver: cr.Receiver})
	}
	return r, nil
}

// compileMatchers returns the matchers of cr in label name order.
func compileMatchers(cr Route) ([]matcher, error) {
	ms := make([]matcher, 0, len(cr.Match)+len(cr.MatchRE))
	for _, name := range slices.Sorted(maps.Keys(cr.Match)) {
		ms = append(ms, matcher{name: name, value: cr.Match[name]})
	}
	for _, name := range slices.Sorted(maps.Keys(cr.MatchRE)) {
		re, err := compileAnchored(cr.MatchRE[name])
		if err != nil {
			return nil, fmt.Errorf("match_re %s: %w", name, err)
		}
		ms = append(ms, matcher{name: name, value: cr.MatchRE[name], re: re})
	}
	return ms, nil
}

// receiver returns the name of the receiver of an alert with labels ls, ""
// when there is none.
func (r *router) receiver(ls labels.Labels) string {
	for _, rt := range r.routes {
		if rt.matches(ls) {
			return rt.receiver
		}
	}
	return r.fallback
}

func (rt route) matches(ls labels.Labels) bool {
	for _, m := range rt.matchers {
		if !m.matches(ls.Get(m.name)) {
			return false
		}
	}
	return true
}

func (m matcher) matches(v string) bool {
	if m.re != nil {
		return m.re.MatchString(v)
	}
	return v == m.value
}
