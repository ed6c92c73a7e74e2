package sevbridge

// Want maps: step second → rendered Changes (see renderChanges). Generated
// from the engine's output once and checked by hand against the policy in
// testdata/policy/good.yml.
var (
	wantLifecycle = map[int][]string{
		30: {
			"SEV-1 new availability L2 open routes=[/login] roles=ben/dan/cat title=\"Availability of /login at 95.0% (below 97% for 30s)\"",
			"  @0s impact_started vigil: Availability of /login at 95.0% (below 97% for 30s)",
			"  @30s detected vigil: Availability of /login at 95.0% (below 97% for 30s)",
			"  @30s filed vigil: availability level 2: Availability of /login at 95.0% (below 97% for 30s)",
			"  @30s paged vigil: imoc ben SEV-1-imoc error",
			"  @30s paged vigil: tloc dan SEV-1-tloc error",
			"  @30s paged vigil: bmoc cat SEV-1-bmoc error",
			"  ! trigger imoc SEV-1-imoc KEY-IMOC error SEV-1 (availability, level 2): Availability of /login at 95.0% (below 97% for 30s)",
			"  ! trigger tloc SEV-1-tloc KEY-LOGIN error SEV-1 (availability, level 2): Availability of /login at 95.0% (below 97% for 30s)",
			"  ! trigger bmoc SEV-1-bmoc KEY-BMOC error SEV-1 (availability, level 2): Availability of /login at 95.0% (below 97% for 30s)",
			"  ! post     Filed SEV-1 (availability, level 2): Availability of /login at 95.0% (below 97% for 30s)",
			"  ! postmortem",
		},
		70: {
			"SEV-1 availability L1 open routes=[/login] roles=ben/dan/cat title=\"Availability of /login at 85.0% (below 90% for 30s)\"",
			"  @1m10s level_changed vigil: level 2 → 1",
			"  @1m10s paged vigil: imoc ben SEV-1-imoc critical",
			"  @1m10s paged vigil: tloc dan SEV-1-tloc critical",
			"  @1m10s paged vigil: bmoc cat SEV-1-bmoc critical",
			"  ! trigger imoc SEV-1-imoc KEY-IMOC critical SEV-1 (availability, level 1): Availability of /login at 85.0% (below 90% for 30s)",
			"  ! trigger tloc SEV-1-tloc KEY-LOGIN critical SEV-1 (availability, level 1): Availability of /login at 85.0% (below 90% for 30s)",
			"  ! trigger bmoc SEV-1-bmoc KEY-BMOC critical SEV-1 (availability, level 1): Availability of /login at 85.0% (below 90% for 30s)",
		},
		110: {
			"SEV-1 availability L1 open routes=[/login /upload] roles=ben/dan/cat title=\"Availability of /login at 85.0% (below 90% for 30s)\"",
			"  @1m50s route_joined vigil: Availability of /upload at 85.0% (below 90% for 30s)",
		},
		240: {
			"SEV-1 availability L1 mitigated routes=[/login /upload] roles=ben/dan/cat title=\"Availability of /login at 85.0% (below 90% for 30s)\"",
			"  @4m0s mitigated vigil: SLIs above every threshold since 2026-11-26T10:02:00Z",
		},
		540: {
			"SEV-1 availability L1 resolved routes=[/login /upload] roles=ben/dan/cat title=\"Availability of /login at 85.0% (below 90% for 30s)\"",
			"  @9m0s resolved vigil: mitigated for 5m0s",
			"  ! resolve imoc SEV-1-imoc KEY-IMOC",
			"  ! resolve tloc SEV-1-tloc KEY-LOGIN",
			"  ! resolve bmoc SEV-1-bmoc KEY-BMOC",
			"  ! post     Resolved SEV-1 (availability, level 1): Availability of /login at 85.0% (below 90% for 30s)",
			"  ! postmortem",
		},
	}
	wantGlobal = map[int][]string{
		30: {
			"SEV-1 new availability L1 open routes=[] roles=ben/eve/cat title=\"Global availability at 85.0% (below 90% for 30s)\"",
			"  @0s impact_started vigil: Global availability at 85.0% (below 90% for 30s)",
			"  @30s detected vigil: Global availability at 85.0% (below 90% for 30s)",
			"  @30s filed vigil: availability level 1: Global availability at 85.0% (below 90% for 30s)",
			"  @30s paged vigil: imoc ben SEV-1-imoc critical",
			"  @30s paged vigil: tloc eve SEV-1-tloc critical",
			"  @30s paged vigil: bmoc cat SEV-1-bmoc critical",
			"  ! trigger imoc SEV-1-imoc KEY-IMOC critical SEV-1 (availability, level 1): Global availability at 85.0% (below 90% for 30s)",
			"  ! trigger tloc SEV-1-tloc KEY-TLOC critical SEV-1 (availability, level 1): Global availability at 85.0% (below 90% for 30s)",
			"  ! trigger bmoc SEV-1-bmoc KEY-BMOC critical SEV-1 (availability, level 1): Global availability at 85.0% (below 90% for 30s)",
			"  ! post     Filed SEV-1 (availability, level 1): Global availability at 85.0% (below 90% for 30s)",
			"  ! postmortem",
		},
		190: {
			"SEV-1 availability L1 mitigated routes=[] roles=ben/eve/cat title=\"Global availability at 85.0% (below 90% for 30s)\"",
			"  @3m10s mitigated vigil: SLIs above every threshold since 2026-11-26T10:01:10Z",
		},
		490: {
			"SEV-1 availability L1 resolved routes=[] roles=ben/eve/cat title=\"Global availability at 85.0% (below 90% for 30s)\"",
			"  @8m10s resolved vigil: mitigated for 5m0s",
			"  ! resolve imoc SEV-1-imoc KEY-IMOC",
			"  ! resolve tloc SEV-1-tloc KEY-TLOC",
			"  ! resolve bmoc SEV-1-bmoc KEY-BMOC",
			"  ! post     Resolved SEV-1 (availability, level 1): Global availability at 85.0% (below 90% for 30s)",
			"  ! postmortem",
		},
	}
	wantTogether = map[int][]string{
		30: {
			"SEV-1 new availability L1 open routes=[/login] roles=ben/dan/cat title=\"Availability of /login at 85.0% (below 90% for 30s)\"",
			"  @0s impact_started vigil: Availability of /login at 85.0% (below 90% for 30s)",
			"  @30s detected vigil: Availability of /login at 85.0% (below 90% for 30s)",
			"  @30s filed vigil: availability level 1: Availability of /login at 85.0% (below 90% for 30s)",
			"  @30s paged vigil: imoc ben SEV-1-imoc critical",
			"  @30s paged vigil: tloc dan SEV-1-tloc critical",
			"  @30s paged vigil: bmoc cat SEV-1-bmoc critical",
			"  @30s note vigil: joined: Global availability at 85.0% (below 90% for 30s)",
			"  ! trigger imoc SEV-1-imoc KEY-IMOC critical SEV-1 (availability, level 1): Availability of /login at 85.0% (below 90% for 30s)",
			"  ! trigger tloc SEV-1-tloc KEY-LOGIN critical SEV-1 (availability, level 1): Availability of /login at 85.0% (below 90% for 30s)",
			"  ! trigger bmoc SEV-1-bmoc KEY-BMOC critical SEV-1 (availability, level 1): Availability of /login at 85.0% (below 90% for 30s)",
			"  ! post     Filed SEV-1 (availability, level 1): Availability of /login at 85.0% (below 90% for 30s)",
			"  ! postmortem",
		},
		190: {
			"SEV-1 availability L1 mitigated routes=[/login] roles=ben/dan/cat title=\"Availability of /login at 85.0% (below 90% for 30s)\"",
			"  @3m10s mitigated vigil: SLIs above every threshold since 2026-11-26T10:01:10Z",
		},
		490: {
			"SEV-1 availability L1 resolved routes=[/login] roles=ben/dan/cat title=\"Availability of /login at 85.0% (below 90% for 30s)\"",
			"  @8m10s resolved vigil: mitigated for 5m0s",
			"  ! resolve imoc SEV-1-imoc KEY-IMOC",
			"  ! resolve tloc SEV-1-tloc KEY-LOGIN",
			"  ! resolve bmoc SEV-1-bmoc KEY-BMOC",
			"  ! post     Resolved SEV-1 (availability, level 1): Availability of /login at 85.0% (below 90% for 30s)",
			"  ! postmortem",
		},
	}
	wantUnlisted = map[int][]string{}
	wantFlapping = map[int][]string{}
	wantGap      = map[int][]string{
		30: {
			"SEV-1 new availability L1 open routes=[/login] roles=ben/dan/cat title=\"Availability of /login at 85.0% (below 90% for 30s)\"",
			"  @0s impact_started vigil: Availability of /login at 85.0% (below 90% for 30s)",
			"  @30s detected vigil: Availability of /login at 85.0% (below 90% for 30s)",
			"  @30s filed vigil: availability level 1: Availability of /login at 85.0% (below 90% for 30s)",
			"  @30s paged vigil: imoc ben SEV-1-imoc critical",
			"  @30s paged vigil: tloc dan SEV-1-tloc critical",
			"  @30s paged vigil: bmoc cat SEV-1-bmoc critical",
			"  ! trigger imoc SEV-1-imoc KEY-IMOC critical SEV-1 (availability, level 1): Availability of /login at 85.0% (below 90% for 30s)",
			"  ! trigger tloc SEV-1-tloc KEY-LOGIN critical SEV-1 (availability, level 1): Availability of /login at 85.0% (below 90% for 30s)",
			"  ! trigger bmoc SEV-1-bmoc KEY-BMOC critical SEV-1 (availability, level 1): Availability of /login at 85.0% (below 90% for 30s)",
			"  ! post     Filed SEV-1 (availability, level 1): Availability of /login at 85.0% (below 90% for 30s)",
			"  ! postmortem",
		},
		40: {
			"SEV-1 availability L1 open routes=[/login] roles=ben/dan/cat title=\"Availability of /login at 85.0% (below 90% for 30s)\"",
			"  @40s data_missing vigil: no data for global SLI, /login",
		},
		410: {
			"SEV-1 availability L1 open routes=[/login] roles=ben/dan/cat title=\"Availability of /login at 85.0% (below 90% for 30s)\"",
			"  @6m50s data_back vigil: data is back",
		},
		530: {
			"SEV-1 availability L1 mitigated routes=[/login] roles=ben/dan/cat title=\"Availability of /login at 85.0% (below 90% for 30s)\"",
			"  @8m50s mitigated vigil: SLIs above every threshold since 2026-11-26T10:06:50Z",
		},
		830: {
			"SEV-1 availability L1 resolved routes=[/login] roles=ben/dan/cat title=\"Availability of /login at 85.0% (below 90% for 30s)\"",
			"  @13m50s resolved vigil: mitigated for 5m0s",
			"  ! resolve imoc SEV-1-imoc KEY-IMOC",
			"  ! resolve tloc SEV-1-tloc KEY-LOGIN",
			"  ! resolve bmoc SEV-1-bmoc KEY-BMOC",
			"  ! post     Resolved SEV-1 (availability, level 1): Availability of /login at 85.0% (below 90% for 30s)",
			"  ! postmortem",
		},
	}
	wantSoften = map[int][]string{
		30: {
			"SEV-1 new availability L1 open routes=[/login] roles=ben/dan/cat title=\"Availability of /login at 85.0% (below 90% for 30s)\"",
			"  @0s impact_started vigil: Availability of /login at 85.0% (below 90% for 30s)",
			"  @30s detected vigil: Availability of /login at 85.0% (below 90% for 30s)",
			"  @30s filed vigil: availability level 1: Availability of /login at 85.0% (below 90% for 30s)",
			"  @30s paged vigil: imoc ben SEV-1-imoc critical",
			"  @30s paged vigil: tloc dan SEV-1-tloc critical",
			"  @30s paged vigil: bmoc cat SEV-1-bmoc critical",
			"  ! trigger imoc SEV-1-imoc KEY-IMOC critical SEV-1 (availability, level 1): Availability of /login at 85.0% (below 90% for 30s)",
			"  ! trigger tloc SEV-1-tloc KEY-LOGIN critical SEV-1 (availability, level 1): Availability of /login at 85.0% (below 90% for 30s)",
			"  ! trigger bmoc SEV-1-bmoc KEY-BMOC critical SEV-1 (availability, level 1): Availability of /login at 85.0% (below 90% for 30s)",
			"  ! post     Filed SEV-1 (availability, level 1): Availability of /login at 85.0% (below 90% for 30s)",
			"  ! postmortem",
		},
		200: {
			"SEV-1 availability L1 mitigated routes=[/login] roles=ben/dan/cat title=\"Availability of /login at 85.0% (below 90% for 30s)\"",
			"  @3m20s mitigated vigil: SLIs above every threshold since 2026-11-26T10:01:20Z",
		},
		250: {
			"SEV-1 availability L1 open routes=[/login] roles=ben/dan/cat title=\"Availability of /login at 85.0% (below 90% for 30s)\"",
			"  @4m10s note vigil: impact returned: reopened",
		},
		380: {
			"SEV-1 availability L1 mitigated routes=[/login] roles=ben/dan/cat title=\"Availability of /login at 85.0% (below 90% for 30s)\"",
			"  @6m20s mitigated vigil: SLIs above every threshold since 2026-11-26T10:04:20Z",
		},
		680: {
			"SEV-1 availability L1 resolved routes=[/login] roles=ben/dan/cat title=\"Availability of /login at 85.0% (below 90% for 30s)\"",
			"  @11m20s resolved vigil: mitigated for 5m0s",
			"  ! resolve imoc SEV-1-imoc KEY-IMOC",
			"  ! resolve tloc SEV-1-tloc KEY-LOGIN",
			"  ! resolve bmoc SEV-1-bmoc KEY-BMOC",
			"  ! post     Resolved SEV-1 (availability, level 1): Availability of /login at 85.0% (below 90% for 30s)",
			"  ! postmortem",
		},
		1530: {
			"SEV-2 new availability L1 open routes=[/login] roles=ben/dan/cat title=\"Availability of /login at 85.0% (below 90% for 30s)\"",
			"  @25m0s impact_started vigil: Availability of /login at 85.0% (below 90% for 30s)",
			"  @25m30s detected vigil: Availability of /login at 85.0% (below 90% for 30s)",
			"  @25m30s filed vigil: availability level 1: Availability of /login at 85.0% (below 90% for 30s)",
			"  @25m30s paged vigil: imoc ben SEV-2-imoc critical",
			"  @25m30s paged vigil: tloc dan SEV-2-tloc critical",
			"  @25m30s paged vigil: bmoc cat SEV-2-bmoc critical",
			"  ! trigger imoc SEV-2-imoc KEY-IMOC critical SEV-2 (availability, level 1): Availability of /login at 85.0% (below 90% for 30s)",
			"  ! trigger tloc SEV-2-tloc KEY-LOGIN critical SEV-2 (availability, level 1): Availability of /login at 85.0% (below 90% for 30s)",
			"  ! trigger bmoc SEV-2-bmoc KEY-BMOC critical SEV-2 (availability, level 1): Availability of /login at 85.0% (below 90% for 30s)",
			"  ! post     Filed SEV-2 (availability, level 1): Availability of /login at 85.0% (below 90% for 30s)",
			"  ! postmortem",
		},
	}
)
