package main

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestSEVPolicyEscalationPolicy: the policy file named by sev.policy_file
// takes an optional escalation_policy per rotation (the PagerDuty policy
// whose on-call standard the SEV timeline warns about), strictly.
func TestSEVPolicyEscalationPolicy(t *testing.T) {
	file := filepath.Join(t.TempDir(), "policy.yml")
	writeFile(t, file, `roles:
  imoc: {rotation: [ana], routing_key: imoc-key, escalation_policy: SEV IMOC}
  tloc: {rotation: [eve], routing_key: tloc-key, escalation_policy: PTLOC01}
  bmoc: {rotation: [cat], routing_key: bmoc-key}
  teams:
    - {match: {route: /login}, rotation: [dan], routing_key: login-key, escalation_policy: Identity}
`)
	p, err := loadPolicy(file, time.Minute)
	require.NoError(t, err)
	require.Equal(t, []string{"SEV IMOC", "PTLOC01", "", "Identity"}, []string{p.Roles.IMOC.EscalationPolicy,
		p.Roles.TLOC.EscalationPolicy, p.Roles.BMOC.EscalationPolicy, p.Roles.Teams[0].EscalationPolicy})

	writeFile(t, file, `roles:
  imoc: {rotation: [ana], routing_key: imoc-key, escalation_policy: [SEV IMOC]}
  tloc: {rotation: [eve], routing_key: tloc-key, escalation_policy: ""}
  bmoc: {rotation: [cat], routing_key: bmoc-key}
  teams:
    - {match: {route: /login}, rotation: [dan], routing_key: login-key, escalation_policy: {id: PIDENT1}}
`)
	_, err = loadPolicy(file, time.Minute)
	require.EqualError(t, err, file+":2: roles.imoc.escalation_policy: want a value, got a list\n"+
		file+":3: roles.tloc.escalation_policy: want a PagerDuty escalation policy name or ID, got nothing\n"+
		file+":6: roles.teams[0].escalation_policy: want a value, got a mapping")
}
