// Package sevbridge files, escalates and resolves SEVs (incidents) from
// availability SLIs and SEV-labelled alerts, assigns and pages the incident
// roles, and keeps the SEV store and the SLA ledger.
//
// # Policy
//
// ParsePolicy reads the policy file (YAML, strict: unknown keys, bad
// durations, bad PromQL, levels outside 0–3, thresholds outside (0, 1], a
// route in two buckets and rotations without people or routing key are all
// reported together, one "FILE:LINE: KEY: problem" per line):
//
//	interval: 10s            # default: the caller's sampling interval
//	correlation_window: 15m  # impact within this of an active SEV joins it
//	recovery_for: 2m         # SLIs healthy this long -> mitigated
//	resolve_after: 10m       # mitigated this long -> resolved (extension)
//	sla: {target: 0.999, internal_target: 0.9995, down_below: 0.99}
//	availability:
//	  global:
//	    sli: 'sum(rate(http_requests_total{code!~"5.."}[1m])) / sum(rate(http_requests_total[1m]))'
//	    levels: [{level: 0, below: 0.50, for: 0s}, {level: 1, below: 0.90, for: 30s}]
//	  routes:
//	    sli: 'sum by (route) (...) / sum by (route) (...)'
//	    buckets:
//	      critical: {routes: [/login], levels: [{level: 1, below: 0.90, for: 30s}]}
//	roles:
//	  imoc: {rotation: [ana, ben], shift: 168h, routing_key: KEY, escalation_policy: SEV IMOC}
//	  tloc: {rotation: [eve], routing_key_env: TLOC_KEY}
//	  bmoc: {rotation: [cat], routing_key: KEY}
//	  teams: [{match: {route: /login}, rotation: [dan], routing_key: KEY, escalation_policy: PIDENT1}]
//	webhooks: [https://hooks.example/sev]   # extension
//	channel: "#sev-{{.Number}}"             # extension
//
// Rotations hand over every shift counted from the Unix epoch (see
// Rotation.OnCall). A rotation's optional escalation_policy names (or gives
// the ID of) the PagerDuty escalation policy its routing key's service
// pages, for the on-call warnings below.
//
// # Engine
//
// Engine is a synchronous state machine in the style of raft's RawNode:
// the runner (Bridge) owns it and feeds it the time, the SLI readings of
// each interval and the alert events; it returns Changes (the SEV after
// the change, the new timeline entries, and the effects: PagerDuty
// triggers and resolves with dedup key "<SEV-id>-<role>", webhook posts,
// postmortem drafts). The runner persists each Change, then queues its
// effects; one worker owned by Run executes them in order, so a human's
// declare or action returns once the SEV is stored, not once PagerDuty
// answers. Semantics:
//
//   - A level row holds when its SLI has been below `below` at every
//     reading for at least `for`; the most severe holding row wins. Global
//     rows come from availability.global, route rows from the route's
//     bucket; a route in no bucket files nothing.
//   - A new crossing files an availability SEV, unless an active one had
//     activity within the correlation window: then a new route joins it
//     (route_joined), a more severe level raises it (level_changed and a
//     trigger update per paged role), never lowering it automatically.
//   - When every SLI the SEV depends on (the global SLI, its routes, any
//     SLI still below a row) has been above every threshold for
//     recovery_for, the SEV is mitigated; resolve_after later it is
//     resolved (resolve per paged role). A Missing reading is never a
//     recovery: it records data_missing once, data_back when data returns.
//   - A firing, unsuppressed alert labelled sev_type and sev_level files or
//     joins a SEV of that type and level; when none of its alerts fires any
//     more, the SEV is mitigated.
//   - Humans Declare SEVs of any type and Act on them (ack, diagnose,
//     mitigate, resolve, set-level); every action is a timeline entry.
//   - With Options.OnCall (the on-call checks of alerting/oncall), paging a
//     role whose escalation_policy misses its on-call standard adds an
//     oncall_warning entry after its paged entry: `IMOC is paged through
//     escalation policy "SEV IMOC", which misses its on-call standard
//     "critical": layers: ...; notification: ...`. The page goes out all
//     the same; a re-page repeats the warning only when it reads otherwise.
//
// Detection time is FiledAt − ImpactStartedAt (SEV.DetectionTime), where
// the impact starts at the first below-threshold reading of the row that
// filed the SEV.
package sevbridge
