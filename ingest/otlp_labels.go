package ingest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
)

// Resource attributes that identify the target, as in Prometheus: they
// become job ("namespace/name", or name) and instance.
const (
	attrServiceName       = "service.name"
	attrServiceNamespace  = "service.namespace"
	attrServiceInstanceID = "service.instance.id"
)

// attrLabel is one label being built from OTLP attributes.
type attrLabel struct{ name, value string }

// attrLabels is a small label set under construction, with the semantics
// of Prometheus' labels.Builder that the OTLP translator relies on: setting
// a name again replaces its value, and setting an empty value removes it.
type attrLabels []attrLabel

func (ls attrLabels) get(name string) string {
	for _, l := range ls {
		if l.name == name {
			return l.value
		}
	}
	return ""
}

func (ls *attrLabels) set(name, value string) {
	i := slices.IndexFunc(*ls, func(l attrLabel) bool { return l.name == name })
	switch {
	case i >= 0 && value == "":
		*ls = slices.Delete(*ls, i, i+1)
	case i >= 0:
		(*ls)[i].value = value
	case value != "":
		*ls = append(*ls, attrLabel{name, value})
	}
}

// addAttributes sets a label for each attribute of kvs whose key skip does
// not match, the key translated by the converter's LabelNamer. Attributes
// are taken in key order; two keys translating to one name have their
// values joined with ";", as in Prometheus.
func (c *otlpConverter) addAttributes(dst *attrLabels, kvs []*commonpb.KeyValue, skip func(string) bool) error {
	sorted := make([]attrLabel, 0, len(kvs))
	for _, kv := range kvs {
		if !skip(kv.GetKey()) {
			sorted = append(sorted, attrLabel{kv.GetKey(), anyValueString(kv.GetValue())})
		}
	}
	slices.SortStableFunc(sorted, func(a, b attrLabel) int { return strings.Compare(a.name, b.name) })
	for _, a := range sorted {
		name, err := c.labelName(a.name)
		if err != nil {
			return fmt.Errorf("attribute %q: %w", a.name, err)
		}
		if old := dst.get(name); old != "" {
			a.value = old + ";" + a.value
		}
		dst.set(name, a.value)
	}
	return nil
}

// labelName translates an attribute key, through a cache.
func (c *otlpConverter) labelName(key string) (string, error) {
	if name, ok := c.names[key]; ok {
		return name, nil
	}
	name, err := c.labelNamer.Build(key)
	if err != nil {
		return "", err
	}
	if c.names == nil {
		c.names = make(map[string]string)
	}
	c.names[key] = name
	return name, nil
}

// otlpResource is what the converter keeps of the resource being converted.
type otlpResource struct {
	job, instance string
	info          attrLabels // the target_info labels, nil when there is none
}

// set reads a resource's attributes: job, instance, and the target_info
// labels when some attribute is not one of the three identifying ones.
func (r *otlpResource) set(c *otlpConverter, kvs []*commonpb.KeyValue) error {
	*r = otlpResource{}
	name, hasName := attribute(kvs, attrServiceName)
	if hasName {
		r.job = name
		if ns, ok := attribute(kvs, attrServiceNamespace); ok {
			r.job = ns + "/" + name
		}
	}
	r.instance, _ = attribute(kvs, attrServiceInstanceID)
	if !slices.ContainsFunc(kvs, func(kv *commonpb.KeyValue) bool { return !identifying(kv.GetKey()) }) {
		return nil
	}
	var info attrLabels
	if err := c.addAttributes(&info, kvs, identifying); err != nil {
		return fmt.Errorf("resource %w", err)
	}
	r.identify(&info)
	if info.get("job") != "" || info.get("instance") != "" {
		r.info = info
	}
	return nil
}

// identify sets job and instance on ls.
func (r *otlpResource) identify(ls *attrLabels) {
	if r.job != "" {
		ls.set("job", r.job)
	}
	if r.instance != "" {
		ls.set("instance", r.instance)
	}
}

func identifying(key string) bool {
	return key == attrServiceName || key == attrServiceNamespace || key == attrServiceInstanceID
}

// attribute returns the value of the first attribute named key, as a string.
func attribute(kvs []*commonpb.KeyValue, key string) (string, bool) {
	for _, kv := range kvs {
		if kv.GetKey() == key {
			return anyValueString(kv.GetValue()), true
		}
	}
	return "", false
}

// anyValueString renders an attribute value as OpenTelemetry's
// pcommon.Value.AsString does, which is what Prometheus uses: strings as
// they are, numbers and booleans in Go's (for doubles, JavaScript's)
// notation, bytes in base64, arrays and maps as JSON.
func anyValueString(v *commonpb.AnyValue) string {
	switch x := v.GetValue().(type) {
	case *commonpb.AnyValue_StringValue:
		return x.StringValue
	case *commonpb.AnyValue_BoolValue:
		return strconv.FormatBool(x.BoolValue)
	case *commonpb.AnyValue_IntValue:
		return strconv.FormatInt(x.IntValue, 10)
	case *commonpb.AnyValue_DoubleValue:
		return doubleString(x.DoubleValue)
	case *commonpb.AnyValue_BytesValue:
		return base64.StdEncoding.EncodeToString(x.BytesValue)
	case *commonpb.AnyValue_ArrayValue, *commonpb.AnyValue_KvlistValue:
		return rawJSON(rawValue(v))
	}
	return ""
}

// doubleString formats f as JavaScript does (and encoding/json), with
// NaN, Infinity and -Infinity spelled out.
func doubleString(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	}
	return rawJSON(f)
}

// rawValue is v as plain Go values, for JSON.
func rawValue(v *commonpb.AnyValue) any {
	switch x := v.GetValue().(type) {
	case *commonpb.AnyValue_StringValue:
		return x.StringValue
	case *commonpb.AnyValue_BoolValue:
		return x.BoolValue
	case *commonpb.AnyValue_IntValue:
		return x.IntValue
	case *commonpb.AnyValue_DoubleValue:
		return x.DoubleValue
	case *commonpb.AnyValue_BytesValue:
		return x.BytesValue
	case *commonpb.AnyValue_ArrayValue:
		out := make([]any, 0, len(x.ArrayValue.GetValues()))
		for _, e := range x.ArrayValue.GetValues() {
			out = append(out, rawValue(e))
		}
		return out
	case *commonpb.AnyValue_KvlistValue:
		out := make(map[string]any, len(x.KvlistValue.GetValues()))
		for _, kv := range x.KvlistValue.GetValues() {
			out[kv.GetKey()] = rawValue(kv.GetValue())
		}
		return out
	}
	return nil
}

// rawJSON marshals v without escaping HTML characters; a value JSON cannot
// hold (a NaN inside an array) gives "".
func rawJSON(v any) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return ""
	}
	return strings.TrimSuffix(b.String(), "\n")
}
