package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// event is one line of `go test -json` (cmd/test2json), including the
// build events go test emits with -json.
type event struct {
	Action     string
	Package    string
	Test       string
	Elapsed    float64
	Output     string
	ImportPath string
}

type pkgResult struct {
	name             string
	result           string // "ok", "FAIL", "?" (no test files)
	pass, fail, skip int
	elapsed          time.Duration
	output           []string            // package-level output, printed if it fails
	tests            map[string][]string // output per running test
	skipped          []skip
}

type skip struct{ test, reason string }

// summary accumulates events and prints as go test would.
type summary struct {
	w       io.Writer
	verbose bool
	pkgs    map[string]*pkgResult
	order   []string
	build   map[string][]string // build output per import path
	start   time.Time
}

func newSummary(w io.Writer, verbose bool) *summary {
	return &summary{w: w, verbose: verbose, pkgs: map[string]*pkgResult{}, build: map[string][]string{}, start: time.Now()}
}

func (s *summary) pkg(name string) *pkgResult {
	p := s.pkgs[name]
	if p == nil {
		p = &pkgResult{name: name, tests: map[string][]string{}}
		s.pkgs[name] = p
		s.order = append(s.order, name)
	}
	return p
}

func (s *summary) read(r io.Reader) error {
	br := bufio.NewReaderSize(r, 1<<20)
	for {
		line, err := br.ReadString('\n')
		if line != "" {
			var e event
			if jerr := json.Unmarshal([]byte(line), &e); jerr != nil || e.Action == "" {
				// Not an event (go test prints some errors as text).
				io.WriteString(s.w, line)
			} else {
				s.event(e)
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

func (s *summary) event(e event) {
	switch e.Action {
	case "build-output":
		s.build[e.ImportPath] = append(s.build[e.ImportPath], e.Output)
		return
	case "build-fail":
		for _, l := range s.build[e.ImportPath] {
			io.WriteString(s.w, l)
		}
		delete(s.build, e.ImportPath)
		return
	}
	if e.Package == "" {
		return
	}
	p := s.pkg(e.Package)
	if e.Test == "" {
		switch e.Action {
		case "output":
			if s.verbose {
				io.WriteString(s.w, e.Output)
			}
			p.output = append(p.output, e.Output)
		case "pass", "fail", "skip":
			p.elapsed = time.Duration(e.Elapsed * float64(time.Second))
			p.result = map[string]string{"pass": "ok", "fail": "FAIL", "skip": "?"}[e.Action]
			if !s.verbose {
				if e.Action == "fail" {
					// Tests still running when the binary died, then
					// the binary's own output (panics, runner errors).
					for _, out := range p.tests {
						for _, l := range out {
							io.WriteString(s.w, l)
						}
					}
					for _, l := range p.output {
						io.WriteString(s.w, l)
					}
				} else if n := len(p.output); n > 0 {
					// The final "ok  pkg 1.2s" or "?  pkg [no test files]".
					io.WriteString(s.w, p.output[n-1])
				}
			}
			p.output, p.tests = nil, map[string][]string{}
		}
		return
	}
	switch e.Action {
	case "output":
		if s.verbose {
			io.WriteString(s.w, e.Output)
		}
		p.tests[e.Test] = append(p.tests[e.Test], e.Output)
	case "pass":
		p.pass++
		delete(p.tests, e.Test)
	case "skip":
		p.skip++
		p.skipped = append(p.skipped, skip{e.Test, skipReason(p.tests[e.Test])})
		delete(p.tests, e.Test)
	case "fail":
		p.fail++
		if !s.verbose {
			for _, l := range p.tests[e.Test] {
				io.WriteString(s.w, l)
			}
		}
		delete(p.tests, e.Test)
	}
}

// skipReason is the first message a skipped test logged ("    x_test.go:12:
// reason"), without the framing lines.
func skipReason(out []string) string {
	for _, l := range out {
		t := strings.TrimSpace(l)
		if t == "" || strings.HasPrefix(t, "=== ") || strings.HasPrefix(t, "--- ") {
			continue
		}
		return t
	}
	return "(no reason given)"
}

func (s *summary) print() {
	if len(s.order) == 0 {
		return
	}
	width := len("package")
	for _, name := range s.order {
		width = max(width, len(name))
	}
	fmt.Fprintf(s.w, "\n%-*s  %-6s %5s %5s %5s %8s\n", width, "package", "result", "pass", "fail", "skip", "time")
	var tp, tf, tsk, pf int
	var total time.Duration
	var skips []string
	for _, name := range s.order {
		p := s.pkgs[name]
		res := p.result
		if res == "" {
			res = "FAIL" // no result: the binary crashed or was killed
		}
		if res == "FAIL" {
			pf++
		}
		fmt.Fprintf(s.w, "%-*s  %-6s %5d %5d %5d %7.1fs\n", width, name, res, p.pass, p.fail, p.skip, p.elapsed.Seconds())
		tp, tf, tsk = tp+p.pass, tf+p.fail, tsk+p.skip
		total += p.elapsed
		for _, sk := range p.skipped {
			skips = append(skips, fmt.Sprintf("  %s %s: %s", name, sk.test, sk.reason))
		}
	}
	failedPkgs := ""
	if pf > 0 {
		failedPkgs = fmt.Sprintf(" (%d FAIL)", pf) // a killed binary fails no test
	}
	fmt.Fprintf(s.w, "%d packages%s: %d passed, %d failed, %d skipped (tests and subtests); %.1fs in test binaries, %.1fs in all\n",
		len(s.order), failedPkgs, tp, tf, tsk, total.Seconds(), time.Since(s.start).Seconds())
	if len(skips) > 0 {
		slices.Sort(skips)
		fmt.Fprintf(s.w, "skipped:\n%s\n", strings.Join(skips, "\n"))
	}
}
