package e2e

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// apiDeps is the data of /api/v1/deps.
type apiDeps struct {
	Nodes []apiDepNode `json:"nodes"`
	Edges []apiDepEdge `json:"edges"`
}

type apiDepNode struct {
	Name         string   `json:"name"`
	Kind         string   `json:"kind"`
	File         string   `json:"file"`
	Line         int      `json:"line"`
	Firing       int      `json:"firing"`
	Suppressed   int      `json:"suppressed"`
	Weight       *float64 `json:"weight"`
	CriticalPath *bool    `json:"criticalPath"`
}

type apiDepEdge struct {
	From  string   `json:"from"`
	To    string   `json:"to"`
	Kind  string   `json:"kind"`
	Match []string `json:"match"`
	AllOf []string `json:"allOf"`
}

func (e apiDepEdge) String() string {
	s := fmt.Sprintf("%s -%s-> %s match%v", e.From, e.Kind, e.To, e.Match)
	if len(e.AllOf) > 0 {
		s += fmt.Sprintf(" allOf%v", e.AllOf)
	}
	return s
}

// edgeStrings renders edges sorted.
func edgeStrings(edges []apiDepEdge) []string {
	out := make([]string, 0, len(edges))
	for _, e := range edges {
		out = append(out, e.String())
	}
	slices.Sort(out)
	return out
}

// lineOf is the 1-based line of text holding needle first; 0 if none.
func lineOf(text, needle string) int {
	for i, line := range strings.Split(text, "\n") {
		if strings.Contains(line, needle) {
			return i + 1
		}
	}
	return 0
}

// apiExplain is the data of /api/v1/deps/explain.
type apiExplain struct {
	Alert      string            `json:"alert"`
	Labels     map[string]string `json:"labels"`
	Suppressed bool              `json:"suppressed"`
	By         []apiExplanation  `json:"by"`
	Reason     string            `json:"reason"`
}

// explain asks /api/v1/deps/explain about in's alert.
func (s *depScenario) explain(in depInst) (apiExplain, error) {
	var e apiExplain
	ls := fmt.Sprintf(`{instance=%q,region=%q}`, in.instance, in.region)
	err := s.v.api.getData("/api/v1/deps/explain", url.Values{"alert": {in.alert}, "labels": {ls}}, &e)
	return e, err
}

// checkExplain requires the explanation of in: suppressed by the database
// by path, or not, with a reason that contains each of words.
func (s *depScenario) checkExplain(in depInst, suppressed bool, path []string, words ...string) {
	s.t.Helper()
	e, err := s.explain(in)
	if err != nil {
		s.t.Errorf("explain %s: %v", in, err)
		return
	}
	s.t.Logf("explain %s: %+v", in, e)
	ok := e.Alert == in.alert && e.Suppressed == suppressed && e.Reason != ""
	if suppressed {
		ok = ok && len(e.By) == 1 && e.By[0].Alertname == dbAlert && slices.Equal(e.By[0].Path, path)
	} else {
		ok = ok && len(e.By) == 0
	}
	for _, w := range words {
		ok = ok && strings.Contains(e.Reason, w)
	}
	if !ok {
		s.t.Errorf("explain %s: %+v; want alert %s, suppressed %v, path %v, a reason containing %q", in, e, in.alert, suppressed, path, words)
	}
}

// checkExplainBadRequests requires /api/v1/deps/explain to answer 400
// bad_data to a label set that does not parse and to a missing alert.
func (s *depScenario) checkExplainBadRequests() {
	s.t.Helper()
	for _, params := range []url.Values{
		{"alert": {"WebErrors"}, "labels": {`{region="us-east"`}},
		{"labels": {`{region="us-east"}`}},
	} {
		r, err := s.v.api.get("/api/v1/deps/explain", params)
		if err != nil || r.HTTPStatus != http.StatusBadRequest || r.Status != "error" || r.ErrorType != "bad_data" || r.Error == "" {
			s.t.Errorf("explain %v: %+v, %v; want 400, error bad_data with a message", params, r, err)
		}
	}
}

// checkRuleAlertSuppressed requires the alert of in inside /api/v1/rules
// to be suppressed by cause, as in /api/v1/alerts.
func (s *depScenario) checkRuleAlertSuppressed(in, cause depInst, path []string) {
	s.t.Helper()
	r, err := s.v.api.rule(in.alert)
	if err != nil || len(r.Alerts) != 1 || !r.Alerts[0].Suppressed {
		s.t.Errorf("/api/v1/rules %s: alerts %v (%v); want one, suppressed", in.alert, r.Alerts, err)
		return
	}
	s.checkSuppressedBy(in, r.Alerts[0], cause, path)
}
