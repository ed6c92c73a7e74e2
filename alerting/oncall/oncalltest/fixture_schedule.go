package oncalltest

import (
	"slices"
	"time"
)

const day = 24 * time.Hour

// fixtureSchedules are the fixture's schedules; d is 00:00 UTC of the
// fixture's date. Entries run from d-7d 09:00 to d+22d 09:00.
func fixtureSchedules(d time.Time) []Schedule {
	from, until := d.Add(-7*day+9*time.Hour), d.Add(22*day+9*time.Hour)
	data := rotation(from, until, day, omarHaddad, leaNovak)
	data = cut(data, d.Add(2*day+8*time.Hour), d.Add(2*day+20*time.Hour))
	tools := rotation(from, until, 7*day, raviPatel, omarHaddad)
	tools = override(tools, d.Add(3*day+12*time.Hour), d.Add(3*day+18*time.Hour), mayaChen)
	return []Schedule{
		{ID: "PSCDATA", Name: "Data primary", Entries: data},
		{ID: "PSCPAYM", Name: "Payments primary", Entries: rotation(from, until, 12*time.Hour, leaNovak, raviPatel)},
		{ID: "PSCSTOR", Name: "Storage primary", Entries: rotation(from, until, day, mayaChen, leaNovak)},
		{ID: "PSCTOOL", Name: "Tools rotation", Entries: tools},
		{ID: "PSCWEB1", Name: "Web primary", Entries: rotation(from, until, 7*day, sofiaRossi, raviPatel)},
	}
}

// rotation hands the schedule over every turn from one user to the next,
// from `from` to `until`.
func rotation(from, until time.Time, turn time.Duration, users ...string) []Entry {
	var entries []Entry
	for i, t := 0, from; t.Before(until); i, t = i+1, t.Add(turn) {
		entries = append(entries, Entry{Start: t, End: minTime(t.Add(turn), until), UserID: users[i%len(users)]})
	}
	return entries
}

// cut removes [from, to) from the entries: nobody is on call then.
func cut(entries []Entry, from, to time.Time) []Entry {
	var out []Entry
	for _, e := range entries {
		if e.Start.Before(from) {
			out = append(out, Entry{Start: e.Start, End: minTime(e.End, from), UserID: e.UserID})
		}
		if e.End.After(to) {
			out = append(out, Entry{Start: maxTime(e.Start, to), End: e.End, UserID: e.UserID})
		}
	}
	return out
}

// override puts user on call in [from, to) instead of whoever was.
func override(entries []Entry, from, to time.Time, user string) []Entry {
	out := append(cut(entries, from, to), Entry{Start: from, End: to, UserID: user})
	slices.SortFunc(out, func(a, b Entry) int { return a.Start.Compare(b.Start) })
	return out
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
