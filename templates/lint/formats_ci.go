package lint

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
)

// Formats are the output formats Write knows.
var Formats = []string{"text", "json", "sarif", "checkstyle", "gitlab", "github"}

// Write writes findings in format (one of Formats): text (WriteText with
// opt), json, sarif (version is dockstage's), checkstyle, gitlab or github.
func Write(w io.Writer, format string, findings []Finding, version string, opt TextOptions) error {
	switch format {
	case "text":
		return WriteText(w, findings, opt)
	case "json":
		return WriteJSON(w, findings)
	case "sarif":
		return WriteSARIF(w, findings, version)
	case "checkstyle":
		return WriteCheckstyle(w, findings)
	case "gitlab":
		return WriteGitLab(w, findings)
	case "github":
		return WriteGitHub(w, findings)
	}
	return fmt.Errorf("unknown format %q; use %s", format, strings.Join(Formats, ", "))
}

// ruleLabel is the rule as findings show it: its ID, and the alias (the
// hadolint ID or SC code) in parentheses.
func ruleLabel(f Finding) string {
	if f.Alias == "" {
		return f.Rule
	}
	return f.Rule + " (" + f.Alias + ")"
}

// WriteCheckstyle writes findings as Checkstyle XML (what Jenkins' warnings
// plugin and many CI systems read): one <file> per file, one <error> per
// finding with line, column, severity (error, warning, info), message and
// source (the rule ID).
func WriteCheckstyle(w io.Writer, findings []Finding) error {
	type cerr struct {
		Line     int    `xml:"line,attr"`
		Column   int    `xml:"column,attr"`
		Severity string `xml:"severity,attr"`
		Message  string `xml:"message,attr"`
		Source   string `xml:"source,attr"`
	}
	type cfile struct {
		Name   string `xml:"name,attr"`
		Errors []cerr `xml:"error"`
	}
	doc := struct {
		XMLName xml.Name `xml:"checkstyle"`
		Version string   `xml:"version,attr"`
		Files   []*cfile `xml:"file"`
	}{Version: "4.3"}
	byName := map[string]*cfile{}
	for _, f := range findings {
		cf := byName[f.Pos.File]
		if cf == nil {
			cf = &cfile{Name: f.Pos.File}
			byName[f.Pos.File] = cf
			doc.Files = append(doc.Files, cf)
		}
		msg := f.Msg
		if f.Fix != "" {
			msg += "; fix: " + f.Fix
		}
		cf.Errors = append(cf.Errors, cerr{Line: f.Pos.Line, Column: f.Pos.Col, Severity: f.Severity.String(), Message: msg, Source: ruleLabel(f)})
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// WriteGitLab writes findings as a GitLab code quality report (Code
// Climate JSON): a list of issues with description, check_name,
// fingerprint, severity (info, minor, major, critical) and
// location.path/lines.begin.
func WriteGitLab(w io.Writer, findings []Finding) error {
	type lines struct {
		Begin int `json:"begin"`
	}
	type location struct {
		Path  string `json:"path"`
		Lines lines  `json:"lines"`
	}
	type issue struct {
		Type        string   `json:"type"`
		Description string   `json:"description"`
		CheckName   string   `json:"check_name"`
		Fingerprint string   `json:"fingerprint"`
		Severity    string   `json:"severity"`
		Categories  []string `json:"categories"`
		Location    location `json:"location"`
	}
	sev := map[Severity]string{Info: "info", Warning: "minor", Error: "major"}
	out := []issue{}
	for _, f := range findings {
		h := sha256.Sum256([]byte(fmt.Sprintf("%s\x00%s\x00%d\x00%d\x00%s", f.Rule, f.Pos.File, f.Pos.Line, f.Pos.Col, f.Msg)))
		out = append(out, issue{Type: "issue", Description: ruleLabel(f) + ": " + f.Msg, CheckName: ruleLabel(f),
			Fingerprint: hex.EncodeToString(h[:16]), Severity: sev[f.Severity], Categories: []string{"Style"},
			Location: location{Path: f.Pos.File, Lines: lines{Begin: f.Pos.Line}}})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(out)
}

// WriteGitHub writes findings as GitHub Actions workflow commands, one per
// line: ::error|warning|notice file=F,line=L,col=C,title=RULE::message.
func WriteGitHub(w io.Writer, findings []Finding) error {
	level := map[Severity]string{Info: "notice", Warning: "warning", Error: "error"}
	prop := strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C")
	data := strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A")
	for _, f := range findings {
		msg := f.Msg
		if f.Fix != "" {
			msg += "\nfix: " + f.Fix
		}
		if _, err := fmt.Fprintf(w, "::%s file=%s,line=%d,col=%d,title=%s::%s\n", level[f.Severity], prop.Replace(f.Pos.File),
			f.Pos.Line, f.Pos.Col, prop.Replace(ruleLabel(f)), data.Replace(msg)); err != nil {
			return err
		}
	}
	return nil
}

// WriteRuleList writes the rule table for --list-rules: ID, severity,
// source, aliases and description, one rule a line.
func WriteRuleList(w io.Writer) error {
	for _, r := range Rules() {
		sev := r.Severity.String()
		if r.Off {
			sev += ", off"
		}
		if _, err := fmt.Fprintf(w, "%-32s %-12s %-9s %-14s %s\n", r.ID, sev, r.Source, strings.Join(r.Aliases, ","), r.Description); err != nil {
			return err
		}
	}
	return nil
}
