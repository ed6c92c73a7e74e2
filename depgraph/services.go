package depgraph

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"

	"go.yaml.in/yaml/v3"
)

// ParseServices parses one services file. Every problem is reported, each
// as an *Error naming file and line, joined with errors.Join; unknown keys
// are errors. References to other services and to alerts are checked by
// Build, which sees every file. The format:
//
//	service_label: service        # optional; the default is "service"
//	services:
//	  - name: web
//	    depends_on: [metadata-db, {service: storage, match: [region]}]
//	    alerts: [WebHighErrorRate]  # rules that belong to web besides
//	                                # those whose instances carry service="web"
func ParseServices(file string, data []byte) (Services, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return Services{}, yamlError(file, err)
	}
	p := &svcParser{file: file}
	out := p.document(&doc)
	if len(p.errs) > 0 {
		return Services{}, errors.Join(p.errs...)
	}
	return out, nil
}

// yamlLine finds the line in the YAML library's messages.
var yamlLine = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)

// yamlError turns a YAML syntax error into *Errors with the line.
func yamlError(file string, err error) error {
	msgs := []string{err.Error()}
	if te, ok := err.(*yaml.TypeError); ok {
		msgs = te.Errors
	}
	var errs []error
	for _, m := range msgs {
		e := &Error{File: file, Msg: m}
		if sub := yamlLine.FindStringSubmatch(m); sub != nil {
			e.Line, _ = strconv.Atoi(sub[1])
			e.Msg = sub[2]
		}
		errs = append(errs, e)
	}
	return errors.Join(errs...)
}

// svcParser walks the YAML tree of one services file, collecting errors.
type svcParser struct {
	file string
	errs []error
}

func (p *svcParser) fail(n *yaml.Node, format string, args ...any) {
	p.errs = append(p.errs, &Error{File: p.file, Line: n.Line, Msg: fmt.Sprintf(format, args...)})
}

func (p *svcParser) document(doc *yaml.Node) Services {
	var out Services
	if len(doc.Content) == 0 {
		return out // an empty file declares nothing
	}
	p.fields(doc.Content[0], "the services file", map[string]func(*yaml.Node){
		"service_label": func(v *yaml.Node) { out.ServiceLabel = p.name(v, "service_label") },
		"services": func(v *yaml.Node) {
			p.each(v, "services", func(e *yaml.Node) { out.Services = append(out.Services, p.service(e)) })
		},
	})
	return out
}

func (p *svcParser) service(n *yaml.Node) Service {
	s := Service{File: p.file, Line: n.Line}
	p.fields(n, "a service", map[string]func(*yaml.Node){
		"name": func(v *yaml.Node) { s.Name = p.name(v, "name") },
		"depends_on": func(v *yaml.Node) {
			p.each(v, "depends_on", func(e *yaml.Node) { s.DependsOn = append(s.DependsOn, p.dependency(e)) })
		},
		"alerts": func(v *yaml.Node) {
			p.each(v, "alerts", func(e *yaml.Node) {
				s.Alerts = append(s.Alerts, p.name(e, "an alerts entry"))
				s.alertLines = append(s.alertLines, e.Line)
			})
		},
	})
	if s.Name == "" && n.Kind == yaml.MappingNode {
		p.fail(n, "service without a name")
	}
	return s
}

// dependency parses a depends_on entry: a service name, or a mapping with
// service and match.
func (p *svcParser) dependency(n *yaml.Node) ServiceDependency {
	d := ServiceDependency{File: p.file, Line: n.Line}
	if resolve(n).Kind == yaml.ScalarNode {
		d.Service = p.name(n, "a depends_on entry")
		return d
	}
	p.fields(n, "a depends_on entry", map[string]func(*yaml.Node){
		"service": func(v *yaml.Node) { d.Service = p.name(v, "service") },
		"match": func(v *yaml.Node) {
			d.Match = []string{} // present, even if empty
			p.each(v, "match", func(e *yaml.Node) { d.Match = append(d.Match, p.name(e, "a match entry")) })
		},
	})
	if d.Service == "" && resolve(n).Kind == yaml.MappingNode {
		p.fail(n, "depends_on entry without a service")
	}
	return d
}

// fields walks a mapping, calling set for each known key and reporting
// unknown and duplicate keys.
func (p *svcParser) fields(n *yaml.Node, what string, set map[string]func(*yaml.Node)) {
	n = resolve(n)
	if n.Kind != yaml.MappingNode {
		p.fail(n, "%s must be a mapping", what)
		return
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		f, ok := set[k.Value]
		switch {
		case !ok:
			p.fail(k, "unknown key %q in %s", k.Value, what)
		case seen[k.Value]:
			p.fail(k, "duplicate key %q in %s", k.Value, what)
		default:
			seen[k.Value] = true
			f(v)
		}
	}
}

// each calls f for every element of a sequence (a null value is empty).
func (p *svcParser) each(n *yaml.Node, what string, f func(*yaml.Node)) {
	n = resolve(n)
	switch {
	case n.Kind == yaml.ScalarNode && n.Tag == "!!null":
	case n.Kind != yaml.SequenceNode:
		p.fail(n, "%s must be a list", what)
	default:
		for _, e := range n.Content {
			f(e)
		}
	}
}

// name returns a non-empty string scalar.
func (p *svcParser) name(n *yaml.Node, what string) string {
	n = resolve(n)
	if n.Kind != yaml.ScalarNode || n.Tag != "!!str" || n.Value == "" {
		p.fail(n, "%s must be a non-empty string", what)
		return ""
	}
	return n.Value
}

// resolve follows YAML aliases.
func resolve(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}
