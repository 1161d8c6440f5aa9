package lint

import (
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"strings"
)

// TextOptions control WriteText.
type TextOptions struct {
	// Color adds ANSI colours (callers set it only for a terminal without
	// NO_COLOR).
	Color bool
	// NoFix leaves out the "fix:" line under each finding.
	NoFix bool
}

const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiDim    = "\x1b[2m"
	ansiRed    = "\x1b[31m"
	ansiYellow = "\x1b[33m"
	ansiBlue   = "\x1b[34m"
)

// WriteText writes findings for people, one per line,
// `file:line:col: severity RULE message`, each followed by an indented
// `fix:` line with the rule's fix hint.
func WriteText(w io.Writer, findings []Finding, opt TextOptions) error {
	paint := func(code, s string) string {
		if !opt.Color {
			return s
		}
		return code + s + ansiReset
	}
	for _, f := range findings {
		sev := f.Severity.String()
		switch f.Severity {
		case Error:
			sev = paint(ansiBold+ansiRed, sev)
		case Warning:
			sev = paint(ansiBold+ansiYellow, sev)
		default:
			sev = paint(ansiBlue, sev)
		}
		if _, err := fmt.Fprintf(w, "%s: %s %s %s\n", positionString(f), sev, paint(ansiBold, ruleLabel(f)), f.Msg); err != nil {
			return err
		}
		if f.Fix != "" && !opt.NoFix {
			if _, err := fmt.Fprintf(w, "    %s\n", paint(ansiDim, "fix: "+f.Fix)); err != nil {
				return err
			}
		}
	}
	return nil
}

func positionString(f Finding) string {
	return fmt.Sprintf("%s:%d:%d", f.Pos.File, f.Pos.Line, f.Pos.Col)
}

// jsonFinding is a finding in --format json.
type jsonFinding struct {
	File     string `json:"file"`
	Line     int    `json:"line"`
	Column   int    `json:"column"`
	Severity string `json:"severity"`
	Rule     string `json:"rule"`
	Alias    string `json:"alias,omitempty"`
	Name     string `json:"name"`
	Message  string `json:"message"`
	Fix      string `json:"fix,omitempty"`
	URL      string `json:"url,omitempty"`
	// Via names the specs a layout's finding applies through.
	Via []string `json:"via,omitempty"`
}

// WriteJSON writes findings as one JSON object:
// {"findings": [{file, line, column, severity, rule, name, message, fix,
// url, via (the specs a layout's finding applies through)}], "counts": {"error": n, "warning": n, "info": n}}.
func WriteJSON(w io.Writer, findings []Finding) error {
	out := struct {
		Findings []jsonFinding  `json:"findings"`
		Counts   map[string]int `json:"counts"`
	}{Findings: []jsonFinding{}, Counts: map[string]int{"error": 0, "warning": 0, "info": 0}}
	for _, f := range findings {
		r := ruleFor(f.Rule, "", "")
		out.Findings = append(out.Findings, jsonFinding{
			File: f.Pos.File, Line: f.Pos.Line, Column: f.Pos.Col, Severity: f.Severity.String(),
			Rule: f.Rule, Alias: f.Alias, Name: r.Name, Message: f.Msg, Fix: f.Fix, URL: r.URL, Via: f.Via,
		})
		out.Counts[f.Severity.String()]++
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(out)
}

// ---- SARIF 2.1.0 ----

// SARIF 2.1.0 (https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html),
// the subset dockstage writes.
type (
	sarifLog struct {
		Schema  string     `json:"$schema"`
		Version string     `json:"version"`
		Runs    []sarifRun `json:"runs"`
	}
	sarifRun struct {
		Tool    sarifTool     `json:"tool"`
		Results []sarifResult `json:"results"`
	}
	sarifTool struct {
		Driver sarifDriver `json:"driver"`
	}
	sarifDriver struct {
		Name           string      `json:"name"`
		Version        string      `json:"version,omitempty"`
		InformationURI string      `json:"informationUri,omitempty"`
		Rules          []sarifRule `json:"rules"`
	}
	sarifRule struct {
		ID                   string             `json:"id"`
		Name                 string             `json:"name,omitempty"`
		ShortDescription     sarifMessage       `json:"shortDescription"`
		FullDescription      sarifMessage       `json:"fullDescription"`
		Help                 *sarifMessage      `json:"help,omitempty"`
		HelpURI              string             `json:"helpUri,omitempty"`
		DefaultConfiguration sarifConfiguration `json:"defaultConfiguration"`
		Properties           map[string]any     `json:"properties,omitempty"`
	}
	sarifConfiguration struct {
		Enabled bool   `json:"enabled"`
		Level   string `json:"level"`
	}
	sarifMessage struct {
		Text string `json:"text"`
	}
	sarifResult struct {
		RuleID    string          `json:"ruleId"`
		RuleIndex int             `json:"ruleIndex"`
		Level     string          `json:"level"`
		Message   sarifMessage    `json:"message"`
		Locations []sarifLocation `json:"locations"`
	}
	sarifLocation struct {
		PhysicalLocation sarifPhysical `json:"physicalLocation"`
	}
	sarifPhysical struct {
		ArtifactLocation sarifArtifactLoc `json:"artifactLocation"`
		Region           sarifRegion      `json:"region"`
	}
	sarifArtifactLoc struct {
		URI       string `json:"uri"`
		URIBaseID string `json:"uriBaseId,omitempty"`
	}
	sarifRegion struct {
		StartLine   int `json:"startLine"`
		StartColumn int `json:"startColumn"`
	}
)

// SARIFSchema is the schema URI written in $schema.
const SARIFSchema = "https://json.schemastore.org/sarif-2.1.0.json"

func sarifLevel(s Severity) string {
	switch s {
	case Error:
		return "error"
	case Warning:
		return "warning"
	}
	return "note"
}

// sarifURI turns a file name into a SARIF artifact URI: relative paths
// stay relative (to %SRCROOT%, the directory dockstage ran in), absolute
// paths become file:// URIs, each segment percent-encoded.
func sarifURI(file string) (uri string, relative bool) {
	slash := filepath.ToSlash(file)
	segs := strings.Split(slash, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	p := strings.Join(segs, "/")
	if filepath.IsAbs(file) {
		return (&url.URL{Scheme: "file", Path: slash}).String(), false
	}
	return strings.TrimPrefix(p, "./"), true
}

// WriteSARIF writes findings as a SARIF 2.1.0 log for code scanning: one
// run whose driver lists every rule of the table (and any rule a finding
// names that the table lacks), and one result per finding with its
// location (region startLine/startColumn). version is dockstage's version.
func WriteSARIF(w io.Writer, findings []Finding, version string) error {
	return WriteSARIFRules(w, findings, Rules(), version)
}

// WriteSARIFRules is WriteSARIF with the driver's rules given: another
// dockstage command's findings (check's drift kinds) with its own rule
// table, written by the same code.
func WriteSARIFRules(w io.Writer, findings []Finding, rules []Rule, version string) error {
	rules = append([]Rule(nil), rules...)
	index := map[string]int{}
	for i, r := range rules {
		index[r.ID] = i
	}
	for _, f := range findings {
		if _, ok := index[f.Rule]; !ok {
			index[f.Rule] = len(rules)
			rules = append(rules, ruleFor(f.Rule, "", ""))
		}
	}
	driver := sarifDriver{Name: "dockstage", Version: version, InformationURI: "https://github.com/dockstage/dockstage"}
	for _, r := range rules {
		desc := r.Description
		if desc == "" {
			desc = r.ID
		}
		sr := sarifRule{
			ID:                   r.ID,
			Name:                 r.Name,
			ShortDescription:     sarifMessage{Text: firstSentence(desc)},
			FullDescription:      sarifMessage{Text: desc},
			HelpURI:              r.URL,
			DefaultConfiguration: sarifConfiguration{Enabled: !r.Off, Level: sarifLevel(r.Severity)},
			Properties:           map[string]any{"tags": []string{string(r.Source)}},
		}
		if r.Fix != "" {
			sr.Help = &sarifMessage{Text: "Fix: " + r.Fix}
		}
		driver.Rules = append(driver.Rules, sr)
	}
	run := sarifRun{Tool: sarifTool{Driver: driver}, Results: []sarifResult{}}
	for _, f := range findings {
		uri, rel := sarifURI(f.Pos.File)
		loc := sarifArtifactLoc{URI: uri}
		if rel {
			loc.URIBaseID = "%SRCROOT%"
		}
		msg := f.Msg
		if f.Fix != "" {
			msg += ". Fix: " + f.Fix
		}
		run.Results = append(run.Results, sarifResult{
			RuleID:    f.Rule,
			RuleIndex: index[f.Rule],
			Level:     sarifLevel(f.Severity),
			Message:   sarifMessage{Text: msg},
			Locations: []sarifLocation{{PhysicalLocation: sarifPhysical{
				ArtifactLocation: loc,
				Region:           sarifRegion{StartLine: max(f.Pos.Line, 1), StartColumn: max(f.Pos.Col, 1)},
			}}},
		})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(sarifLog{Schema: SARIFSchema, Version: "2.1.0", Runs: []sarifRun{run}})
}

func firstSentence(s string) string {
	if i := strings.Index(s, ". "); i > 0 {
		return s[:i+1]
	}
	return s
}
