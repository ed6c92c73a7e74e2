package oncalltest

import (
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

var testNow = time.Date(2026, 11, 25, 10, 30, 15, 0, time.UTC)

// get sends an authenticated GET to the server and returns the status,
// the headers and the body.
func get(t *testing.T, s *Server, path, token string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, s.URL+path, nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Token token="+token)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer func() { require.NoError(t, resp.Body.Close()) }()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, resp.Header, string(body)
}

func TestStandInRejectsWrongToken(t *testing.T) {
	s := NewServer(Fixture(testNow))
	defer s.Close()
	status, h, body := get(t, s, "/escalation_policies", "wrong")
	require.Equal(t, http.StatusUnauthorized, status)
	require.Equal(t, "application/json; charset=utf-8", h.Get("Content-Type"))
	require.JSONEq(t, `{"error":{"message":"Unauthorized","code":2006}}`, body)
	require.Equal(t, []string{"GET /escalation_policies 401"}, s.RequestLog())
}

func TestStandInPagesTeams(t *testing.T) {
	s := NewServer(Fixture(testNow))
	defer s.Close()
	ref := func(id, name string) string {
		return `{"id":"` + id + `","type":"team","summary":"` + name + `","self":"` + s.URL + `/teams/` + id +
			`","html_url":"https://vigil-test.pagerduty.com/teams/` + id + `","name":"` + name + `","description":"","parent":null}`
	}
	_, _, body := get(t, s, "/teams?limit=100", DefaultToken)
	require.JSONEq(t, `{"teams":[`+ref("PTDATA1", "Data")+`,`+ref("PTMOBL1", "Mobile")+`],"limit":2,"offset":0,"more":true,"total":null}`, body)
	_, _, body = get(t, s, "/teams?limit=1&offset=6&total=true", DefaultToken)
	require.JSONEq(t, `{"teams":[`+ref("PTWEB01", "Web")+`],"limit":1,"offset":6,"more":false,"total":7}`, body)
	status, _, body := get(t, s, "/teams?offset=-1", DefaultToken)
	require.Equal(t, http.StatusBadRequest, status)
	require.JSONEq(t, `{"error":{"message":"Invalid Input Provided","code":2001,"errors":["Offset must be a non-negative integer."]}}`, body)
}

func TestStandInFailNext(t *testing.T) {
	s := NewServer(Fixture(testNow))
	defer s.Close()
	s.RetryAfter = 1500 * time.Millisecond
	s.FailNext(1, http.StatusTooManyRequests)
	status, h, body := get(t, s, "/teams", DefaultToken)
	require.Equal(t, http.StatusTooManyRequests, status)
	require.Equal(t, []string{"960", "0", "2"}, []string{h.Get("ratelimit-limit"), h.Get("ratelimit-remaining"), h.Get("ratelimit-reset")})
	require.JSONEq(t, `{"error":{"message":"Rate Limit Exceeded","code":2020}}`, body)
	s.FailNext(1, http.StatusServiceUnavailable)
	status, _, body = get(t, s, "/teams", "not even the token")
	require.Equal(t, http.StatusServiceUnavailable, status)
	require.JSONEq(t, `{"error":{"message":"Service Unavailable","code":2001}}`, body)
	status, _, _ = get(t, s, "/teams", DefaultToken)
	require.Equal(t, http.StatusOK, status)
	status, _, body = get(t, s, "/services", DefaultToken)
	require.Equal(t, http.StatusNotFound, status)
	require.JSONEq(t, `{"error":{"message":"Not Found","code":2100}}`, body)
	require.Equal(t, []string{"GET /teams 429", "GET /teams 503", "GET /teams 200", "GET /services 404"}, s.RequestLog())
}

func TestStandInRendersScheduleWithGap(t *testing.T) {
	s := NewServer(Fixture(testNow))
	defer s.Close()
	_, _, body := get(t, s, "/schedules/PSCDATA?since=2026-11-26T06:00:00Z&until=2026-11-28T06:00:00Z&time_zone=Europe/Berlin", DefaultToken)
	var got struct {
		Schedule struct {
			Name          string `json:"name"`
			TimeZone      string `json:"time_zone"`
			FinalSchedule struct {
				Entries []struct {
					Start, End string
					User       struct{ ID, Type, Summary string }
				} `json:"rendered_schedule_entries"`
				Coverage float64 `json:"rendered_coverage_percentage"`
			} `json:"final_schedule"`
		} `json:"schedule"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &got))
	require.Equal(t, "Data primary", got.Schedule.Name)
	require.Equal(t, "Europe/Berlin", got.Schedule.TimeZone)
	type entry = struct {
		Start, End string
		User       struct{ ID, Type, Summary string }
	}
	lea := struct{ ID, Type, Summary string }{"PULNOVA", "user_reference", "Lea Novak"}
	omar := struct{ ID, Type, Summary string }{"PUOHADD", "user_reference", "Omar Haddad"}
	require.Equal(t, []entry{
		{"2026-11-26T07:00:00+01:00", "2026-11-26T10:00:00+01:00", lea},
		{"2026-11-26T10:00:00+01:00", "2026-11-27T09:00:00+01:00", omar},
		{"2026-11-27T21:00:00+01:00", "2026-11-28T07:00:00+01:00", lea},
	}, got.Schedule.FinalSchedule.Entries)
	require.Equal(t, 75.0, got.Schedule.FinalSchedule.Coverage) // 36h of 48h
}

func TestStandInUsersIncludeNotificationRules(t *testing.T) {
	s := NewServer(Fixture(testNow))
	defer s.Close()
	type rule struct {
		Type    string `json:"type"`
		Delay   *int   `json:"start_delay_in_minutes"`
		Urgency string `json:"urgency"`
		Contact *struct {
			ID, Type, Address string
		} `json:"contact_method"`
	}
	type users struct {
		Users []struct {
			Name, Email string
			Rules       []rule `json:"notification_rules"`
		}
	}
	zero := 0
	for _, tc := range []struct {
		query string
		want  []rule
	}{
		{"", []rule{{Type: "assignment_notification_rule_reference"}, {Type: "assignment_notification_rule_reference"}}},
		{"&include[]=notification_rules", []rule{
			{"assignment_notification_rule", &zero, "high", &struct{ ID, Type, Address string }{"PCALIMA1", "email_contact_method_reference", ""}},
			{"assignment_notification_rule", &zero, "low", &struct{ ID, Type, Address string }{"PCALIMA1", "email_contact_method_reference", ""}},
		}},
		{"&include[]=notification_rules&include[]=contact_methods", []rule{
			{"assignment_notification_rule", &zero, "high", &struct{ ID, Type, Address string }{"PCALIMA1", "email_contact_method", "ana@example.com"}},
			{"assignment_notification_rule", &zero, "low", &struct{ ID, Type, Address string }{"PCALIMA1", "email_contact_method", "ana@example.com"}},
		}},
	} {
		_, _, body := get(t, s, "/users?limit=1"+tc.query, DefaultToken)
		var got users
		require.NoError(t, json.Unmarshal([]byte(body), &got), tc.query)
		require.Len(t, got.Users, 1, tc.query)
		require.Equal(t, "Ana Lima ana@example.com", got.Users[0].Name+" "+got.Users[0].Email, tc.query)
		require.Equal(t, tc.want, got.Users[0].Rules, tc.query)
	}
}

func TestFixtureShape(t *testing.T) {
	a := Fixture(testNow)
	require.Equal(t, []int{7, 7, 5, 8}, []int{len(a.Teams), len(a.Policies), len(a.Schedules), len(a.Users)})
	d := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	for _, sc := range a.Schedules {
		require.Equal(t, d.Add(-7*day+9*time.Hour), sc.Entries[0].Start, sc.Name)
		require.Equal(t, d.Add(22*day+9*time.Hour), sc.Entries[len(sc.Entries)-1].End, sc.Name)
		var gaps []string
		for i := 1; i < len(sc.Entries); i++ {
			if prev, e := sc.Entries[i-1], sc.Entries[i]; !prev.End.Equal(e.Start) {
				gaps = append(gaps, prev.End.Format(time.RFC3339)+" "+e.Start.Format(time.RFC3339))
			}
		}
		if sc.ID == "PSCDATA" {
			require.Equal(t, []string{"2026-11-27T08:00:00Z 2026-11-27T20:00:00Z"}, gaps)
		} else {
			require.Empty(t, gaps, sc.Name)
		}
	}
	// Every notification rule names a contact method of its user.
	for _, u := range a.Users {
		for _, nr := range u.Rules {
			require.Contains(t, contactIDs(u), nr.ContactID, u.Name)
		}
	}
}

func contactIDs(u User) []string {
	var ids []string
	for _, c := range u.Contacts {
		ids = append(ids, c.ID)
	}
	return ids
}
