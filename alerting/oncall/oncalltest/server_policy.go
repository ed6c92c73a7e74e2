package oncalltest

import "net/http"

// policyJSON is an escalation policy as GET /escalation_policies lists it.
type policyJSON struct {
	object
	Name                       string     `json:"name"`
	EscalationRules            []ruleJSON `json:"escalation_rules"`
	Services                   []object   `json:"services"`
	NumLoops                   int        `json:"num_loops"`
	Teams                      []object   `json:"teams"`
	Description                string     `json:"description"`
	OnCallHandoffNotifications string     `json:"on_call_handoff_notifications"`
	Privilege                  *string    `json:"privilege"`
}

// ruleJSON is an escalation rule.
type ruleJSON struct {
	ID      string   `json:"id"`
	Delay   int      `json:"escalation_delay_in_minutes"`
	Targets []object `json:"targets"`
}

// listPolicies serves GET /escalation_policies.
func (s *Server) listPolicies(w http.ResponseWriter, r *http.Request) {
	p, ok := s.parsePage(w, r)
	if !ok {
		return
	}
	lo, hi, _ := p.bounds(len(s.acct.Policies))
	policies := []policyJSON{}
	for _, pol := range s.acct.Policies[lo:hi] {
		policies = append(policies, s.policyJSON(pol))
	}
	writeJSON(w, http.StatusOK, struct {
		EscalationPolicies []policyJSON `json:"escalation_policies"`
		listBody
	}{policies, p.body(len(s.acct.Policies))})
}

func (s *Server) policyJSON(p Policy) policyJSON {
	out := policyJSON{
		object:                     s.object("escalation_policies", "escalation_policy", p.ID, p.Name, true),
		Name:                       p.Name,
		EscalationRules:            []ruleJSON{},
		Services:                   []object{},
		NumLoops:                   p.NumLoops,
		Teams:                      s.teamRefs(p.TeamIDs),
		OnCallHandoffNotifications: "if_has_services",
	}
	for _, rule := range p.Rules {
		out.EscalationRules = append(out.EscalationRules, s.ruleJSON(rule))
	}
	return out
}

func (s *Server) ruleJSON(rule Rule) ruleJSON {
	out := ruleJSON{ID: rule.ID, Delay: rule.DelayMinutes, Targets: []object{}}
	for _, t := range rule.Targets {
		switch t.Type {
		case ScheduleReference:
			out.Targets = append(out.Targets, s.object("schedules", t.Type, t.ID, s.acct.scheduleName(t.ID), true))
		default:
			out.Targets = append(out.Targets, s.object("users", t.Type, t.ID, s.acct.userName(t.ID), true))
		}
	}
	return out
}
