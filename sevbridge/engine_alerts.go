package sevbridge

import (
	"strconv"

	"github.com/prometheus/prometheus/model/labels"
)

// stepAlerts files or joins SEVs for firing, unsuppressed alerts labelled
// sev_type and sev_level, and detaches alerts that resolved or became
// suppressed (their SEV is mitigated by recover once none fires).
func (e *Engine) stepAlerts(s *step, alerts []AlertEvent) {
	for _, a := range alerts {
		t := Type(a.Labels.Get("sev_type"))
		l, err := strconv.Atoi(a.Labels.Get("sev_level"))
		if !t.Valid() || err != nil || !Level(l).Valid() {
			continue
		}
		key := a.Labels.String()
		if !a.Firing || a.Suppressed {
			delete(e.alerts, key)
			continue
		}
		e.alertFiring(s, key, t, Level(l), a.Labels)
	}
}

func (e *Engine) alertFiring(s *step, key string, t Type, l Level, lbls labels.Labels) {
	if id, ok := e.alerts[key]; ok && e.find(id) != nil {
		return
	}
	name := lbls.Get("alertname")
	title := "Alert " + name + " firing"
	im := Impact{Scope: ScopeAlert, Route: lbls.Get("route"), Level: l, Alert: key}
	st := e.candidate(t, s.now)
	if st == nil {
		st = e.file(s, filing{typ: t, level: l, title: title, impactStart: s.now,
			impacts: []Impact{im}, labels: lbls.Map(), actor: Actor, auto: true})
	} else {
		e.reopen(s, st)
		st.sev.Impact = append(st.sev.Impact, im)
		s.entry(st, KindNote, Actor, "joined: "+title)
		if l < st.sev.Level {
			e.setLevel(s, st, l, Actor)
		}
	}
	e.alerts[key] = st.sev.ID
}

// firing counts the firing alerts attached to SEV id.
func (e *Engine) firing(id string) int {
	n := 0
	for _, v := range e.alerts {
		if v == id {
			n++
		}
	}
	return n
}
