package main

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"time"

	"go.yaml.in/yaml/v3"
)

// ConfigError is one problem of a configuration file, with its position. Its
// message reads "FILE:LINE: KEY: problem", for example
//
//	vigil.yml:4: storage.retention: invalid duration "15x"
type ConfigError struct {
	File string
	Line int
	Key  string // dotted path, such as "storage.retention"; empty for the whole file
	Msg  string
}

// Error implements error.
func (e *ConfigError) Error() string {
	if e.Key == "" {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s:%d: %s: %s", e.File, e.Line, e.Key, e.Msg)
}

// ParseFile reads the configuration file at path; see Parse.
func ParseFile(path string) (Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Config{}, fmt.Errorf("read config: %w", err)
	}
	return Parse(path, data)
}

// Parse decodes a configuration file strictly: unknown keys, values of the
// wrong type and values out of range are errors. Keys left out (or left
// empty) keep their DefaultConfig values. file names the source in errors.
// The error joins one *ConfigError per problem, in file order.
//
// Relative rule and services file globs, and a relative SEV policy file,
// are resolved against the directory of file.
// Environment variables the file names (notify's routing_key_env) are read
// here, once: an unset or empty one is a problem of the file.
func Parse(file string, data []byte) (Config, error) {
	cfg := DefaultConfig()
	cfg.SelfMonitoring.Interval = 0  // unset: follows sampling_interval
	cfg.Rules.EvaluationInterval = 0 // likewise
	d := &decoder{file: file, getenv: os.Getenv}
	if root := d.document(data); root != nil {
		d.mapping(configSchema(d, &cfg, filepath.Dir(file)))(root, "")
	}
	followSampling(&cfg.SelfMonitoring.Interval, cfg.SamplingInterval)
	followSampling(&cfg.Rules.EvaluationInterval, cfg.SamplingInterval)
	if len(d.errs) > 0 {
		return Config{}, errors.Join(sortByLine(d.errs)...)
	}
	return cfg, nil
}

// followSampling sets an interval the file left unset to sampling_interval.
func followSampling(interval *time.Duration, sampling time.Duration) {
	if *interval == 0 {
		*interval = sampling
	}
}

// sortByLine puts problems in file order; the checks that span a section
// (such as an unknown receiver) run after the section is decoded.
func sortByLine(errs []error) []error {
	slices.SortStableFunc(errs, func(a, b error) int {
		var ea, eb *ConfigError
		errors.As(a, &ea)
		errors.As(b, &eb)
		return cmp.Compare(ea.Line, eb.Line)
	})
	return errs
}

// configSchema maps every key of the file to the decoder of its value.
// Relative paths in the file are relative to dir.
func configSchema(d *decoder, c *Config, dir string) schema {
	return schema{
		"server": d.mapping(schema{
			"listen":           d.listen(&c.Server.Listen),
			"enable_admin_api": d.boolean(&c.Server.EnableAdminAPI),
		}),
		"storage":           d.storage(&c.Storage),
		"sampling_interval": d.positiveDuration(&c.SamplingInterval),
		"ingest":            d.mapping(ingestSchema(d, &c.Ingest)),
		"query": d.mapping(schema{
			"timeout":        d.positiveDuration(&c.Query.Timeout),
			"max_samples":    d.positiveInt(&c.Query.MaxSamples),
			"lookback_delta": d.positiveDuration(&c.Query.LookbackDelta),
		}),
		"log": d.mapping(schema{
			"level":  d.logLevel(&c.Log.Level),
			"format": d.oneOf(&c.Log.Format, logFormatText, logFormatJSON),
		}),
		"self_monitoring": d.mapping(schema{
			"enabled":  d.boolean(&c.SelfMonitoring.Enabled),
			"interval": d.positiveDuration(&c.SelfMonitoring.Interval),
		}),
		"rules":        d.mapping(rulesSchema(d, &c.Rules, dir)),
		"notify":       d.notify(&c.Notify),
		"dependencies": d.mapping(dependenciesSchema(d, &c.Dependencies, dir)),
		"sev":          d.mapping(sevSchema(d, &c.SEV, dir)),
		"oncall":       d.oncallSection(&c.OnCall),
	}
}

// yamlLine finds the line in the YAML library's syntax errors.
var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// document parses data and returns its top-level node, or nil when the file
// is empty (all defaults) or does not parse (the error is recorded).
func (d *decoder) document(data []byte) *yaml.Node {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc, extra yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if err != io.EOF {
			d.syntaxError(err)
		}
		return nil
	}
	if err := dec.Decode(&extra); err != io.EOF {
		d.extraDocument(&extra, err)
		return nil
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 || isNull(resolve(doc.Content[0])) {
		return nil
	}
	return resolve(doc.Content[0])
}

// extraDocument records that a file holds more than one YAML document.
func (d *decoder) extraDocument(extra *yaml.Node, err error) {
	if err != nil {
		d.syntaxError(err)
		return
	}
	d.errs = append(d.errs, &ConfigError{File: d.file, Line: extra.Line, Msg: "a second YAML document (---); the configuration is one document"})
}

// syntaxError records a YAML syntax error under the line it names.
func (d *decoder) syntaxError(err error) {
	line, msg := 1, err.Error()
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = m[2]
	}
	d.errs = append(d.errs, &ConfigError{File: d.file, Line: line, Msg: "invalid YAML: " + msg})
}
