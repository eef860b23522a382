// Command benchreport turns the output of the package's benchmarks (one
// `go test -bench` run, any -count) into docs/benchmarks.md and the chart
// docs/benchmarks.svg: medians, ratios against the floor and each peer,
// and every target with how far it is met or missed. scripts/bench.sh
// runs it.
//
//	benchreport -in bench.txt -notes notes.md -benchstat stat.txt -env "..." -md out.md -svg out.svg
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"log"
	"math"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

func main() {
	in := flag.String("in", "", "benchmark output")
	notes := flag.String("notes", "", "hand-written part of the document, placed after the generated tables")
	stat := flag.String("benchstat", "", "benchstat output to include (optional)")
	env := flag.String("env", "", "machine description, one item per ';'")
	md := flag.String("md", "docs/benchmarks.md", "Markdown output")
	svg := flag.String("svg", "docs/benchmarks.svg", "SVG chart output")
	svgLink := flag.String("svglink", "benchmarks.svg", "the chart's path as the Markdown links it")
	flag.Parse()

	f, err := os.Open(*in)
	if err != nil {
		log.Fatal(err)
	}
	r := parse(f)
	f.Close()

	var doc strings.Builder
	targets := r.targets()
	writeDoc(&doc, r, targets, *env, *svgLink)
	if *stat != "" {
		if b, err := os.ReadFile(*stat); err == nil && len(b) > 0 {
			fmt.Fprintf(&doc, "\n## benchstat\n\n```\n%s```\n", b)
		}
	}
	if *notes != "" {
		b, err := os.ReadFile(*notes)
		if err != nil {
			log.Fatal(err)
		}
		doc.WriteString("\n")
		doc.Write(b)
	}
	if err := os.WriteFile(*md, []byte(doc.String()), 0o644); err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(*svg, []byte(chart(targets)), 0o644); err != nil {
		log.Fatal(err)
	}
}

// results holds every sample of every metric of every benchmark.
type results struct {
	samples map[string]map[string][]float64 // name → unit → values
	order   []string
	procs   int
	header  []string // goos, cpu, ... lines
}

var lineRE = regexp.MustCompile(`^(Benchmark\S+?)(?:-(\d+))?\s+(\d+)\s+(.*)$`)

func parse(r io.Reader) *results {
	res := &results{samples: map[string]map[string][]float64{}}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "cpu:") || strings.HasPrefix(line, "goos:") || strings.HasPrefix(line, "goarch:") || strings.HasPrefix(line, "vmexec:") {
			if !slices.Contains(res.header, line) {
				res.header = append(res.header, line)
			}
			continue
		}
		m := lineRE.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		name := strings.TrimPrefix(m[1], "Benchmark")
		if m[2] != "" {
			res.procs, _ = strconv.Atoi(m[2])
		}
		fields := strings.Fields(m[4])
		if res.samples[name] == nil {
			res.samples[name] = map[string][]float64{}
			res.order = append(res.order, name)
		}
		for i := 0; i+1 < len(fields); i += 2 {
			v, err := strconv.ParseFloat(fields[i], 64)
			if err != nil {
				continue
			}
			res.samples[name][fields[i+1]] = append(res.samples[name][fields[i+1]], v)
		}
	}
	return res
}

// median of name's unit, and whether there was any sample.
func (r *results) median(name, unit string) (float64, bool) {
	v := slices.Clone(r.samples[name][unit])
	if len(v) == 0 {
		return 0, false
	}
	slices.Sort(v)
	if len(v)%2 == 1 {
		return v[len(v)/2], true
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2, true
}

// spread is (max−min)/median in percent.
func (r *results) spread(name, unit string) float64 {
	v := r.samples[name][unit]
	m, ok := r.median(name, unit)
	if !ok || m == 0 || len(v) < 2 {
		return 0
	}
	return (slices.Max(v) - slices.Min(v)) / m * 100
}

func (r *results) count(name, unit string) int { return len(r.samples[name][unit]) }

// target is one goal of the package: a measured value (usually a ratio)
// against a limit.
type target struct {
	what   string
	value  float64
	limit  float64
	atMost bool // value must be ≤ limit (else ≥)
	unit   string
	ok     bool // measured at all
}

func (t target) met() bool {
	if t.atMost {
		return t.value <= t.limit
	}
	return t.value >= t.limit
}

func (t target) verdict() string {
	if !t.ok {
		return "not measured"
	}
	if t.met() {
		return "met"
	}
	if t.atMost {
		return fmt.Sprintf("missed by %.0f %%", (t.value/t.limit-1)*100)
	}
	return fmt.Sprintf("missed by %.0f %%", (1-t.value/t.limit)*100)
}

func (r *results) ratio(a, b, unit string) (float64, bool) {
	x, ok1 := r.median(a, unit)
	y, ok2 := r.median(b, unit)
	if !ok1 || !ok2 || y == 0 {
		return 0, false
	}
	return x / y, true
}

func (r *results) targets() []target {
	var ts []target
	add := func(what string, v float64, ok bool, limit float64, atMost bool, unit string) {
		ts = append(ts, target{what: what, value: v, ok: ok, limit: limit, atMost: atMost, unit: unit})
	}
	v, ok := r.ratio("Dial/sctpdial", "Dial/raw", "ns/op")
	add("dial + close ÷ raw floor", v, ok, 1.10, true, "×")
	v, ok = r.ratio("Dial/sctpdial", "Dial/ishidawataru", "ns/op")
	add("dial + close ÷ ishidawataru", v, ok, 1.00, true, "×")
	v, ok = r.ratio("Dial/sctpdial", "Dial/net-tcp", "allocs/op")
	add("dial allocs ÷ net.Dialer TCP", v, ok, 1.00, true, "×")
	v, ok = r.ratio("Cancel/sctpdial", "Cancel/raw-close", "p50-µs")
	add("cancel p50 ÷ raw close", v, ok, 1.5, true, "×")
	v, ok = r.ratio("Cancel/sctpdial", "Cancel/raw-abort", "p50-µs")
	add("cancel p50 ÷ raw close with ABORT", v, ok, 1.5, true, "×")
	v, ok = r.median("Cancel/sctpdial", "p99-µs")
	add("cancel p99 (ms)", v/1000, ok, 5, true, "ms")
	v, ok = r.ratio("CancelMany/sctpdial", "CancelMany/raw-close", "ms/batch")
	add("1,000 cancels ÷ 1,000 raw closes", v, ok, 1.5, true, "×")
	v, ok = r.ratio("CancelMany/sctpdial", "CancelMany/raw-abort", "ms/batch")
	add("1,000 cancels ÷ 1,000 raw closes with ABORT", v, ok, 1.5, true, "×")
	v, ok = r.median("Pending/sctpdial-10000", "threads")
	add(fmt.Sprintf("threads, 10,000 pending (limit 2×%d+16)", r.procs), v, ok, float64(2*r.procs+16), true, "")
	for _, size := range []string{"1KiB", "16KiB", "64KiB"} {
		for _, kind := range []string{"Throughput", "RequestResponse"} {
			v, ok = r.ratio(kind+"/"+size+"/sctpdial", kind+"/"+size+"/raw", "MB/s")
			add(fmt.Sprintf("%s %s ÷ raw", kind, size), v, ok, 0.95, false, "×")
		}
	}
	for _, size := range []string{"16KiB", "64KiB"} {
		v, ok = r.ratio("Throughput/"+size+"/sctpdial", "Throughput/"+size+"/net-tcp", "MB/s")
		add(fmt.Sprintf("Throughput %s ÷ TCP", size), v, ok, 0.5, false, "×")
	}
	return ts
}

func writeDoc(w *strings.Builder, r *results, ts []target, env, svgLink string) {
	w.WriteString("# Benchmarks\n\n")
	w.WriteString("Generated by `./scripts/bench.sh` from one `go test -bench` run in which every\n" +
		"contender runs side by side; medians of every `-count` sample, with the\n" +
		"spread ((max − min) ÷ median) where there are several. Absolute numbers are\n" +
		"emulator numbers on a shared host: read the ratios.\n\n")
	w.WriteString("Machine:\n\n")
	for _, h := range r.header {
		fmt.Fprintf(w, "- `%s`\n", h)
	}
	for _, e := range strings.Split(env, ";") {
		if e = strings.TrimSpace(e); e != "" {
			fmt.Fprintf(w, "- %s\n", e)
		}
	}
	fmt.Fprintf(w, "\n![ratios against each target](%s)\n\n", svgLink)

	w.WriteString("## Targets\n\n| target | measured | limit | verdict |\n| --- | --- | --- | --- |\n")
	for _, t := range ts {
		op := "≥"
		if t.atMost {
			op = "≤"
		}
		meas := "–"
		if t.ok {
			meas = fmt.Sprintf("%.2f %s", t.value, t.unit)
		}
		fmt.Fprintf(w, "| %s | %s | %s %.2f %s | %s |\n", t.what, meas, op, t.limit, t.unit, t.verdict())
	}

	table := func(title, prefix, unit string, base string, cols []string, extra ...string) {
		if _, ok := r.median(prefix+base, unit); !ok {
			return
		}
		fmt.Fprintf(w, "\n## %s\n\n| contender | %s | ÷ %s | spread | n |", title, unit, base)
		for _, e := range extra {
			fmt.Fprintf(w, " %s |", e)
		}
		w.WriteString("\n| --- | --- | --- | --- | --- |")
		for range extra {
			w.WriteString(" --- |")
		}
		w.WriteString("\n")
		for _, c := range cols {
			name := prefix + c
			m, ok := r.median(name, unit)
			if !ok {
				continue
			}
			rat, _ := r.ratio(name, prefix+base, unit)
			fmt.Fprintf(w, "| %s | %s | %.2f× | %.0f %% | %d |", c, num(m), rat, r.spread(name, unit), r.count(name, unit))
			for _, e := range extra {
				x, ok := r.median(name, e)
				if ok {
					fmt.Fprintf(w, " %s |", num(x))
				} else {
					w.WriteString(" – |")
				}
			}
			w.WriteString("\n")
		}
	}
	table("Dial + close", "Dial/", "ns/op", "raw", []string{"sctpdial", "raw", "ishidawataru", "net-tcp"}, "allocs/op", "B/op", "failed/op")
	table("One cancelled pending dial (µs)", "Cancel/", "p50-µs", "raw-close", []string{"sctpdial", "raw-close", "raw-abort"}, "p99-µs")
	table("1,000 pending dials cancelled at once", "CancelMany/", "ms/batch", "raw-close", []string{"sctpdial", "raw-close", "raw-abort"})
	if _, ok := r.median("Pending/sctpdial-10000", "threads"); ok {
		w.WriteString("\n## Pending dials to silent peers\n\n| contender | threads | threads added | MiB added | MiB resident |\n| --- | --- | --- | --- | --- |\n")
		for _, c := range []string{"sctpdial-10000", "ishidawataru-200"} {
			th, _ := r.median("Pending/"+c, "threads")
			ta, _ := r.median("Pending/"+c, "threads-added")
			mb, _ := r.median("Pending/"+c, "MiB-added")
			rss := "–"
			if v, ok := r.median("Pending/"+c, "MiB-rss"); ok {
				rss = fmt.Sprintf("%.1f", v)
			}
			fmt.Fprintf(w, "| %s | %.0f | %.0f | %.1f | %s |\n", c, th, ta, mb, rss)
		}
	}
	for _, kind := range []string{"Throughput", "RequestResponse"} {
		for _, size := range []string{"1KiB", "16KiB", "64KiB"} {
			table(kind+" "+size+" (MB/s)", kind+"/"+size+"/", "MB/s", "raw", []string{"sctpdial", "raw", "ishidawataru", "net-tcp"}, "allocs/op")
		}
	}
	table("RoundTrip, 64 B (ns/op)", "RoundTrip/", "ns/op", "ishidawataru", []string{"sctpdial", "sctpdial-msg", "ishidawataru"}, "allocs/op")
}

// num prints a value with three significant digits.
func num(v float64) string {
	switch {
	case v == 0:
		return "0"
	case v >= 1000:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case v >= 10:
		return strconv.FormatFloat(v, 'f', 1, 64)
	}
	return strconv.FormatFloat(v, 'f', 2, 64)
}

// chart draws each target as a horizontal bar of value ÷ limit on a log
// scale, with the limit at 1: bars left of the line (for ≤ targets) or
// right of it (for ≥ targets) are met.
func chart(ts []target) string {
	const (
		rowH   = 22
		left   = 330
		width  = 360
		right  = 90
		top    = 40
		maxRat = 8.0
	)
	var rows []target
	for _, t := range ts {
		if t.ok {
			rows = append(rows, t)
		}
	}
	h := top + rowH*len(rows) + 30
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" font-size="12">`+"\n", left+width+right, h)
	fmt.Fprintf(&b, `<text x="10" y="20" font-size="14">measured ÷ target limit (log scale; the line is the limit)</text>`+"\n")
	// x maps a ratio in [1/maxRat, maxRat] to pixels.
	x := func(ratio float64) float64 {
		ratio = min(max(ratio, 1/maxRat), maxRat)
		return left + width*(0.5+math.Log2(ratio)/(2*math.Log2(maxRat)))
	}
	for i, t := range rows {
		y := top + i*rowH
		ratio := t.value / t.limit
		color := "#2e7d32"
		if !t.met() {
			color = "#c62828"
		}
		x0, x1 := x(1), x(ratio)
		if x1 < x0 {
			x0, x1 = x1, x0
		}
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end">%s</text>`+"\n", left-8, y+14, escape(t.what))
		fmt.Fprintf(&b, `<rect x="%.1f" y="%d" width="%.1f" height="%d" fill="%s"/>`+"\n", x0, y+3, max(x1-x0, 1), rowH-6, color)
		fmt.Fprintf(&b, `<text x="%d" y="%d">%.2f%s</text>`+"\n", left+width+6, y+14, t.value, escape(t.unit))
	}
	fmt.Fprintf(&b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="black"/>`+"\n", x(1), top-4, x(1), top+rowH*len(rows))
	for _, tick := range []float64{0.25, 0.5, 1, 2, 4} {
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle" fill="#555">%g×</text>`+"\n", x(tick), top+rowH*len(rows)+16, tick)
	}
	b.WriteString("</svg>\n")
	return b.String()
}

func escape(s string) string {
	r := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")
	return r.Replace(s)
}
