package sevbridge

import (
	"cmp"
	"slices"
	"time"
)

// job is a persisted Change with what executing it needs.
type job struct {
	change Change
	draft  []byte   // postmortem draft to write; nil: none
	hooks  []string // the policy's webhooks when the Change was made
}

// apply persists changes and updates the Bridge's state, then keeps the
// readings for the active SEVs and renders their drafts; b.mu is held.
// auto says the engine made the changes from readings or alerts (so a new
// SEV's detection time is observed). A Change that cannot be persisted is
// logged and its effects still run: a broken disk must not silence a SEV.
func (b *Bridge) apply(now time.Time, readings []Reading, changes []Change, auto bool) []job {
	for _, c := range changes {
		b.persist(c, auto)
	}
	b.keepPoints(now, readings)
	jobs := make([]job, 0, len(changes))
	for _, c := range changes {
		jobs = append(jobs, job{change: c, draft: b.draft(c), hooks: b.policy.Webhooks})
		if !c.SEV.Active() {
			delete(b.points, c.SEV.ID)
			delete(b.drafted, c.SEV.ID)
		}
	}
	b.metrics.setOpen(b.activeList())
	return jobs
}

func (b *Bridge) persist(c Change, auto bool) {
	if err := b.store.Put(c.SEV); err != nil {
		b.logger.Error("persist sev change", "sev", c.SEV.ID, "err", err)
	}
	if c.New {
		b.metrics.filed.WithLabelValues(string(c.SEV.Type)).Inc()
		if auto {
			b.metrics.detection.Observe(c.SEV.DetectionTime().Seconds())
		}
	}
	if c.SEV.Active() {
		b.active[c.SEV.ID] = c.SEV
	} else {
		delete(b.active, c.SEV.ID)
	}
}

// draft renders the postmortem of c when it asks for one, or when the SEV
// already has a draft that Vigil keeps up to date until the SEV resolves:
// one queued (drafted) or, after a restart, one on disk.
func (b *Bridge) draft(c Change) []byte {
	id := c.SEV.ID
	if b.pmDir == "" || !(hasEffect(c, EffectPostmortem) || b.drafted[id] || b.hasDraft(id)) {
		return nil
	}
	b.drafted[id] = true
	return Postmortem(c.SEV, b.points[id])
}

func hasEffect(c Change, kind string) bool {
	return slices.ContainsFunc(c.Effects, func(e Effect) bool { return e.Kind == kind })
}

// keepPoints appends each reading that concerns an active SEV (the global
// SLI, and its routes' SLIs) to the SEV's points.
func (b *Bridge) keepPoints(now time.Time, readings []Reading) {
	for id, s := range b.active {
		for _, r := range readings {
			if r.Scope == ScopeGlobal || slices.Contains(s.Routes, r.Route) {
				b.points[id] = append(b.points[id], SLIPoint{Time: now, Reading: r})
			}
		}
		if n := len(b.points[id]); n > maxPoints {
			b.points[id] = slices.Delete(b.points[id], 0, n-maxPoints)
		}
	}
}

// activeList returns the active SEVs by number.
func (b *Bridge) activeList() []*SEV {
	out := make([]*SEV, 0, len(b.active))
	for _, s := range b.active {
		out = append(out, s)
	}
	slices.SortFunc(out, func(x, y *SEV) int {
		nx, _ := parseSEVNumber(x.ID)
		ny, _ := parseSEVNumber(y.ID)
		return cmp.Compare(nx, ny)
	})
	return out
}

// observeMinute feeds the ledger: each minute is recorded once, from the
// last global reading in it, when the first reading of a later minute
// arrives (or when Run returns, see flushMinute). A minute with a missing
// reading is not down.
func (b *Bridge) observeMinute(now time.Time, sla SLAPolicy, readings []Reading) {
	m := now.Truncate(time.Minute)
	if m.After(b.minute) {
		b.recordMinute(sla)
	}
	for _, r := range readings {
		if r.Scope == ScopeGlobal {
			b.minute, b.lastSLI, b.lastIDs = m, &r, b.activeIDs()
		}
	}
}

func (b *Bridge) activeIDs() []string {
	var ids []string
	for _, s := range b.activeList() {
		ids = append(ids, s.ID)
	}
	return ids
}

// recordMinute records the minute being observed, if it has a reading;
// b.mu is held.
func (b *Bridge) recordMinute(sla SLAPolicy) {
	if b.lastSLI == nil {
		return
	}
	down := !b.lastSLI.Missing && b.lastSLI.Value < sla.DownBelow
	if err := b.store.RecordMinute(b.minute, down, b.lastIDs); err != nil {
		b.logger.Error("record sla minute", "minute", b.minute, "err", err)
	}
	b.lastSLI = nil
}

// flushMinute records the minute being observed from its readings so far,
// so a stop does not lose it. The store keeps a minute's first record, so
// the readings of that minute after a restart change nothing.
func (b *Bridge) flushMinute() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.recordMinute(b.policy.SLA)
}
