package sevbridge

import "time"

// OnCall returns who is on shift at t: People[((t − epoch) / Shift) mod
// len(People)], where the epoch is the Unix epoch (1970-01-01T00:00:00Z)
// in UTC, so with the default 168h shift hand-overs fall on Thursdays at
// 00:00 UTC. It returns "" for an empty rotation.
func (r Rotation) OnCall(t time.Time) string {
	if len(r.People) == 0 {
		return ""
	}
	shift := r.Shift
	if shift <= 0 {
		shift = DefaultShift
	}
	n := t.UnixNano() / int64(shift)
	if t.UnixNano() < 0 && t.UnixNano()%int64(shift) != 0 {
		n-- // floor division before the epoch
	}
	i := n % int64(len(r.People))
	if i < 0 {
		i += int64(len(r.People))
	}
	return r.People[i]
}

// tlocRotation returns the TLOC rotation for a SEV with these labels: the
// first team whose every Match label equals the SEV's, else Roles.TLOC.
// Route SEVs pass {"route": route}; alert SEVs pass the alert's labels.
func (rp *RolesPolicy) tlocRotation(lbls map[string]string) Rotation {
	for _, team := range rp.Teams {
		if matches(team.Match, lbls) {
			return team.Rotation
		}
	}
	return rp.TLOC
}

func matches(match, lbls map[string]string) bool {
	for k, v := range match {
		if got, ok := lbls[k]; !ok || got != v {
			return false
		}
	}
	return len(match) > 0
}

// tlocRotationOf finds the rotation a TLOC person was taken from: the first
// team listing them, else Roles.TLOC. A restarted engine uses it to find
// the routing key of an existing SEV's TLOC.
func (rp *RolesPolicy) tlocRotationOf(person string) Rotation {
	for _, team := range rp.Teams {
		for _, p := range team.People {
			if p == person {
				return team.Rotation
			}
		}
	}
	return rp.TLOC
}

// rotationFor returns the rotation of role (RoleIMOC, RoleBMOC; RoleTLOC
// goes through tlocRotation).
func (rp *RolesPolicy) rotationFor(role string) Rotation {
	if role == RoleBMOC {
		return rp.BMOC
	}
	return rp.IMOC
}
