package sevbridge

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/vigilsre/vigil/alerting/notify"
)

// SlackMessage is the body posted to Policy.Webhooks: a Slack-compatible
// incoming-webhook message.
type SlackMessage struct {
	Text string `json:"text"`
}

// execute writes j's draft, then runs its effects in order; b.effMu is
// held, b.mu is not. When ctx is done before an effect, it stops and
// returns the rest of j (the effects not run, no draft) and true.
func (b *Bridge) execute(ctx context.Context, j job) (rest job, stopped bool) {
	b.writeDraft(j)
	j.draft = nil
	for i, e := range j.change.Effects {
		if ctx.Err() != nil {
			j.change.Effects = j.change.Effects[i:]
			return j, true
		}
		b.effect(ctx, j, e)
	}
	return job{}, false
}

func (b *Bridge) effect(ctx context.Context, j job, e Effect) {
	sev := j.change.SEV
	switch e.Kind {
	case EffectTrigger:
		b.page(e, "trigger", func() error {
			return b.pager.Trigger(ctx, e.RoutingKey, e.DedupKey, e.Severity, e.Summary, "vigil", details(sev), b.links(sev))
		})
	case EffectResolve:
		b.page(e, "resolve", func() error { return b.pager.Resolve(ctx, e.RoutingKey, e.DedupKey) })
	case EffectPost:
		b.post(ctx, sev, e, j.hooks)
	}
}

// page sends one PagerDuty event with send, counting it.
func (b *Bridge) page(e Effect, action string, send func() error) {
	if b.pager == nil {
		b.logger.Info("sev page (no pager configured)", "action", action, "dedup_key", e.DedupKey, "summary", e.Summary)
		return
	}
	b.metrics.pages.WithLabelValues(e.Role, action).Inc()
	if err := send(); err != nil {
		b.metrics.pageFailures.Inc()
		b.logger.Error("sev page", "action", action, "dedup_key", e.DedupKey, "err", err)
	}
}

// post sends the SEV to every webhook in hooks.
func (b *Bridge) post(ctx context.Context, sev *SEV, e Effect, hooks []string) {
	if b.poster == nil {
		return
	}
	msg := SlackMessage{Text: slackText(sev, e.Summary, b.sevURL(sev.ID))}
	for _, url := range hooks {
		if err := b.poster.Post(ctx, url, msg); err != nil {
			b.logger.Error("sev webhook post", "sev", sev.ID, "url", url, "err", err)
		}
	}
}

// slackText is the message: type, level, state, roles, impact and links.
func slackText(sev *SEV, summary, url string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "*%s* %s level %d (%s): %s\n", sev.ID, sev.Type, sev.Level, sev.State, cmpOrStr(summary, sev.Title))
	fmt.Fprintf(&b, "Roles: IMOC %s, TLOC %s, BMOC %s\n", dash(sev.Roles.IMOC), dash(sev.Roles.TLOC), dash(sev.Roles.BMOC))
	for _, im := range sev.Impact {
		fmt.Fprintf(&b, "Impact: %s\n", impactText(im))
	}
	fmt.Fprintf(&b, "Links: <%s|%s>", url, sev.ID)
	if sev.Links.Channel != "" {
		fmt.Fprintf(&b, " · channel %s", sev.Links.Channel)
	}
	if sev.Links.Postmortem != "" {
		fmt.Fprintf(&b, " · postmortem %s", sev.Links.Postmortem)
	}
	return b.String()
}

func impactText(im Impact) string {
	where := im.Scope
	if im.Route != "" {
		where += " " + im.Route
	}
	if !measured(im) {
		return fmt.Sprintf("%s (level %d)", where, im.Level)
	}
	return fmt.Sprintf("%s at %s (below %s for %s, level %d)", where, percent(im.Value), percent(im.Threshold), im.For, im.Level)
}

func cmpOrStr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func dash(s string) string { return cmpOrStr(s, "—") }

// details are the custom details of a trigger.
func details(sev *SEV) map[string]any {
	return map[string]any{"sev": sev.ID, "type": string(sev.Type), "level": int(sev.Level),
		"state": string(sev.State), "routes": sev.Routes, "title": sev.Title}
}

func (b *Bridge) links(sev *SEV) []notify.Link {
	return []notify.Link{{Href: b.sevURL(sev.ID), Text: sev.ID}}
}

func (b *Bridge) sevURL(id string) string {
	return strings.TrimSuffix(b.extURL, "/") + "/api/v1/sevs/" + id
}

// writeDraft writes j's postmortem draft, if any.
func (b *Bridge) writeDraft(j job) {
	if j.draft == nil {
		return
	}
	if _, err := WritePostmortem(b.pmDir, j.change.SEV.ID, j.draft); err != nil {
		b.logger.Error("write postmortem draft", "sev", j.change.SEV.ID, "err", err)
	}
}

// hasDraft reports whether the SEV's draft exists in PostmortemDir.
func (b *Bridge) hasDraft(id string) bool {
	_, err := os.Stat(filepath.Join(b.pmDir, id+".md"))
	return err == nil
}
