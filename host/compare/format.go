package compare

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Formats names the output formats of Write.
var Formats = []string{"text", "json", "markdown"}

// Write writes the comparison in format (one of Formats).
func (c *Comparison) Write(w io.Writer, format string) error {
	switch format {
	case "text":
		return c.writeText(w)
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(c)
	case "markdown":
		return c.writeMarkdown(w)
	}
	return fmt.Errorf("unknown format %q: want one of %s", format, strings.Join(Formats, ", "))
}

// Cells are a row's columns after the key: old, new, change, better, verdict.
func (r Row) Cells() []string {
	better := map[Direction]string{LowerIsBetter: "lower is better", HigherIsBetter: "higher is better"}[r.Direction]
	return []string{number(r.Old), number(r.New), change(r), better, strings.ToUpper(r.Verdict)}
}

func number(f *float64) string {
	if f == nil {
		return "-"
	}
	return strconv.FormatFloat(*f, 'g', 6, 64)
}

func change(r Row) string {
	switch {
	case r.Old == nil || r.New == nil:
		return ""
	case r.Change == nil && *r.Old == 0:
		return "from 0"
	case r.Change == nil:
		return "beyond float64" // the relative change overflowed
	}
	return fmt.Sprintf("%+.1f%%", *r.Change*100)
}

func (c *Comparison) header() string {
	return fmt.Sprintf("old: %s (session %s)\nnew: %s (session %s)\ntolerance: %s",
		c.Old, c.OldID, c.New, c.NewID, percent(c.Tolerance))
}

func percent(f float64) string { return strconv.FormatFloat(f*100, 'g', -1, 64) + "%" }

// VerdictLine is the last line: how many values regressed.
func (c *Comparison) VerdictLine() string {
	if c.Regressions == 0 {
		return "no value regressed beyond " + percent(c.Tolerance)
	}
	noun := "values"
	if c.Regressions == 1 {
		noun = "value"
	}
	return fmt.Sprintf("%d %s regressed beyond %s", c.Regressions, noun, percent(c.Tolerance))
}

func (c *Comparison) writeText(w io.Writer) error {
	var b strings.Builder
	b.WriteString(c.header() + "\n")
	for _, t := range c.Tests {
		fmt.Fprintf(&b, "\n%s  (%s -> %s)\n", t.ID, t.OldStatus, t.NewStatus)
		if len(t.Rows) == 0 {
			b.WriteString("  nothing to compare (no numeric data, or none --keys selects)\n")
			continue
		}
		table := [][]string{{"key", "old", "new", "change", "", ""}}
		for _, r := range t.Rows {
			table = append(table, append([]string{r.Key}, r.Cells()...))
		}
		writeTable(&b, table)
	}
	writeOnly(&b, "only in old (not compared):", c.OnlyOld)
	writeOnly(&b, "only in new (not compared):", c.OnlyNew)
	b.WriteString("\n" + c.VerdictLine() + "\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func writeOnly(b *strings.Builder, title string, ids []string) {
	if len(ids) == 0 {
		return
	}
	b.WriteString("\n" + title + "\n")
	for _, id := range ids {
		b.WriteString("  " + id + "\n")
	}
}

// writeTable writes rows indented by two spaces, columns two spaces apart:
// the first and the last two (key, direction, verdict) left-aligned, the
// figures right-aligned; trailing spaces are trimmed.
func writeTable(b *strings.Builder, rows [][]string) {
	widths := make([]int, len(rows[0]))
	for _, row := range rows {
		for i, cell := range row {
			widths[i] = max(widths[i], utf8.RuneCountInString(cell))
		}
	}
	for _, row := range rows {
		var line strings.Builder
		for i, cell := range row {
			pad := strings.Repeat(" ", widths[i]-utf8.RuneCountInString(cell))
			if i == 0 || i >= len(row)-2 {
				line.WriteString("  " + cell + pad)
			} else {
				line.WriteString("  " + pad + cell)
			}
		}
		b.WriteString(strings.TrimRight(line.String(), " ") + "\n")
	}
}

// markdownCell escapes what would end a table cell or start markup.
var markdownCell = strings.NewReplacer("|", `\|`, "\n", " ", "`", "\\`", "*", `\*`, "_", `\_`, "<", "&lt;")

func (c *Comparison) writeMarkdown(w io.Writer) error {
	var b strings.Builder
	b.WriteString("# ducktape compare\n\n")
	for _, line := range strings.Split(c.header(), "\n") {
		b.WriteString("- " + markdownCell.Replace(line) + "\n")
	}
	for _, t := range c.Tests {
		fmt.Fprintf(&b, "\n## %s (%s → %s)\n\n", markdownCell.Replace(t.ID), t.OldStatus, t.NewStatus)
		if len(t.Rows) == 0 {
			b.WriteString("Nothing to compare (no numeric data, or none --keys selects).\n")
			continue
		}
		b.WriteString("| key | old | new | change | better | verdict |\n|---|--:|--:|--:|---|---|\n")
		for _, r := range t.Rows {
			cells := r.Cells()
			if r.Verdict != "" {
				cells[4] = "**" + cells[4] + "**"
			}
			b.WriteString("| " + markdownCell.Replace(r.Key) + " | " + strings.Join(cells, " | ") + " |\n")
		}
	}
	for _, only := range []struct {
		title string
		ids   []string
	}{{"Only in old (not compared)", c.OnlyOld}, {"Only in new (not compared)", c.OnlyNew}} {
		if len(only.ids) > 0 {
			b.WriteString("\n## " + only.title + "\n\n")
			for _, id := range only.ids {
				b.WriteString("- " + markdownCell.Replace(id) + "\n")
			}
		}
	}
	b.WriteString("\n**" + c.VerdictLine() + "**\n")
	_, err := io.WriteString(w, b.String())
	return err
}
