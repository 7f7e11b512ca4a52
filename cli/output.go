package cli

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aopfetch/aopfetch/client"
	"github.com/aopfetch/aopfetch/internal/config"
	"github.com/aopfetch/aopfetch/internal/text"
	"github.com/charmbracelet/x/term"
)

// none is shown for an empty value.
const none = "-"

// glyphWriter is an output stream that knows the glyphs of its terminal:
// the tables written to it are laid out in them (ASCII when the locale is
// not UTF-8). On stdout what else is written passes through unchanged
// (--json stays UTF-8); stderr, which carries text for people only, has
// everything written to it put in the glyphs (people set).
type glyphWriter struct {
	io.Writer
	g      text.Glyphs
	people bool
}

// Write writes p, in w's glyphs when w carries text for people only.
func (w glyphWriter) Write(p []byte) (int, error) {
	if !w.people {
		return w.Writer.Write(p)
	}
	if _, err := io.WriteString(w.Writer, w.g.Text(string(p))); err != nil {
		return 0, err
	}
	return len(p), nil
}

// unwrapped is the stream under a glyphWriter (a terminal's file), else w.
func unwrapped(w io.Writer) io.Writer {
	if gw, ok := w.(glyphWriter); ok {
		return gw.Writer
	}
	return w
}

// glyphsOf is the glyphs of w: a glyphWriter's, else UTF-8.
func glyphsOf(w io.Writer) text.Glyphs {
	if gw, ok := w.(glyphWriter); ok {
		return gw.g
	}
	return text.UTF8Glyphs()
}

// writeTable writes a header row and rows in columns aligned by display
// width (wide and combining characters count as they render), in w's
// glyphs. The last column is not padded. Cells must already be safe for a
// terminal.
func writeTable(w io.Writer, header []string, rows [][]string) error {
	return writeRows(w, append([][]string{header}, rows...))
}

// writeRows writes rows as writeTable does, without a header.
func writeRows(w io.Writer, rows [][]string) error {
	g := glyphsOf(w)
	rows = inGlyphs(g, rows)
	widths := columnWidths(rows)
	var b strings.Builder
	for _, row := range rows {
		for i, cell := range row {
			if i == len(row)-1 {
				b.WriteString(cell)
				break
			}
			b.WriteString(g.Pad(cell, widths[i]))
			b.WriteString("  ")
		}
		b.WriteByte('\n')
	}
	return writeString(w, b.String())
}

// inGlyphs is every cell of rows in g's glyphs (a copy when they change).
func inGlyphs(g text.Glyphs, rows [][]string) [][]string {
	if !g.ASCII() {
		return rows
	}
	out := make([][]string, len(rows))
	for i, row := range rows {
		out[i] = make([]string, len(row))
		for j, c := range row {
			out[i][j] = g.Text(c)
		}
	}
	return out
}

// writeFitTable is writeTable fitted (see fitTable) to the terminal w
// writes to: its width, and its glyphs, in which the cells are measured and
// cut.
func writeFitTable(w io.Writer, header []string, rows [][]string, shrink, drop []int) error {
	g := glyphsOf(w)
	all := inGlyphs(g, append([][]string{header}, rows...))
	header, rows = fitTable(g, all[0], all[1:], terminalWidth(w), shrink, drop)
	return writeTable(w, header, rows)
}

// minFitWidth is the narrowest a column is cut to by fitTable.
const minFitWidth = 6

// fitTable fits a table to width cells (0: no limit), as writeTable lays
// it out. Columns of drop are left out, in that order, while the table
// would not fit even with the shrink columns cut to minFitWidth; then the
// cells of the widest shrink column are cut (with g's ellipsis) until it
// fits. It returns the header and rows of the columns kept.
func fitTable(g text.Glyphs, header []string, rows [][]string, width int, shrink, drop []int) ([]string, [][]string) {
	if width <= 0 {
		return header, rows
	}
	all := append([][]string{header}, rows...)
	widths := columnWidths(all)
	dropped := make([]bool, len(header))
	floor := slices.Clone(widths)
	for _, i := range shrink {
		floor[i] = min(widths[i], max(minFitWidth, text.Width(header[i])))
	}
	for _, i := range drop {
		if tableWidth(floor, dropped) <= width {
			break
		}
		dropped[i] = true
	}
	for tableWidth(widths, dropped) > width {
		widest := -1
		for _, i := range shrink {
			if !dropped[i] && widths[i] > floor[i] && (widest < 0 || widths[i] > widths[widest]) {
				widest = i
			}
		}
		if widest < 0 {
			break // as narrow as it goes: the terminal wraps the rest
		}
		widths[widest]--
	}
	for r, row := range all {
		all[r] = nil
		for i, c := range row {
			if i < len(dropped) && !dropped[i] {
				all[r] = append(all[r], g.Truncate(c, widths[i]))
			}
		}
	}
	return all[0], all[1:]
}

// columnWidths returns the display width of each column of the first row.
func columnWidths(rows [][]string) []int {
	widths := make([]int, len(rows[0]))
	for _, row := range rows {
		for i, c := range row {
			if i < len(widths) {
				widths[i] = max(widths[i], text.Width(c))
			}
		}
	}
	return widths
}

// tableWidth is the width of the columns not dropped with two spaces
// between them.
func tableWidth(widths []int, dropped []bool) int {
	total, n := 0, 0
	for i, w := range widths {
		if !dropped[i] {
			total, n = total+w, n+1
		}
	}
	return total + 2*max(n-1, 0)
}

// terminalWidth returns the width of the terminal w writes to, or 0 when
// it is not a terminal (a pipe or a file gets whole cells).
func terminalWidth(w io.Writer) int {
	w = unwrapped(w)
	f, ok := w.(interface{ Fd() uintptr })
	if !ok || !isTerminal(w) {
		return 0
	}
	width, _, err := term.GetSize(f.Fd())
	if err != nil {
		return 0
	}
	return width
}

// cell makes a server or user string safe for one table cell: sanitised and
// truncated to limit cells with a trailing "…" (0 = no limit).
func cell(s string, limit int) string {
	s = text.Sanitize(s)
	if s == "" {
		return none
	}
	if limit > 0 {
		s = text.Truncate(s, limit)
	}
	return s
}

// formatAmount formats an amount text as ₹1,000.00, or shows it sanitised
// when it is not a number.
func formatAmount(amount string) string { return cmp.Or(text.Amount(amount), none) }

// formatDueDate formats a due date as "20 Sep 2021 (overdue by 3 days)";
// a date that does not parse is shown as a cell cut to limit (0 = no limit).
func formatDueDate(due string, now time.Time, limit int) string {
	if strings.TrimSpace(due) == "" {
		return none
	}
	t, ok := text.ParseDueDate(due)
	if !ok {
		return cell(due, limit)
	}
	return text.Date(t) + " (" + text.DueIn(text.DaysUntil(t, now)) + ")"
}

// yesNo formats a flag.
func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// operatorText formats an operator code with its configured name: "311 (FASTag ICICI)".
func operatorText(code int, cfg *config.Config) string {
	if code == 0 {
		return none
	}
	s := strconv.Itoa(code)
	if cfg != nil {
		if name := text.Sanitize(cfg.OperatorName(code)); name != "" {
			s += " (" + name + ")"
		}
	}
	return s
}

// writeConsumer writes the detail block of one successful lookup. Every
// server string is sanitised.
func writeConsumer(w io.Writer, req client.Request, res *client.Result, cfg *config.Config, now time.Time) error {
	c := res.Consumer
	bill, pay, partPay := client.Bill{}, none, none
	if c.Bill != nil {
		bill, pay, partPay = *c.Bill, yesNo(c.Bill.AcceptPayment), yesNo(c.Bill.AcceptPartPay)
	}
	return writeRows(w, [][]string{
		{"Name", cell(c.ShownName(), 0)},
		{"Vehicle", cell(req.CANumber, 0)},
		{"Operator", operatorText(req.Operator, cfg)},
		{"Amount", formatAmount(c.ShownAmount())},
		{"Net amount", formatAmount(bill.BillNetAmount)},
		{"Max amount", formatAmount(bill.MaxBillAmount)},
		{"Due date", formatDueDate(c.ShownDueDate(), now, 0)},
		{"Accepts payment", pay},
		{"Part payment", partPay},
		{"Phone", cell(bill.CellNumber, 0)},
		{"Message", cell(c.Message, 0)},
		{"Response code", strconv.Itoa(c.ResponseCode)},
	})
}

// writeLookupError writes a failed lookup as "aopfetch: VEHICLE: message"
// plus a hint line (and, for upstream errors, a body snippet line).
func writeLookupError(w io.Writer, vehicle string, err error) {
	msg, snippet, hint := err.Error(), "", ""
	if ce, ok := errors.AsType[*client.Error](err); ok {
		msg, snippet, hint = ce.Message, ce.Snippet, ce.Hint
	}
	if ee, ok := errors.AsType[*exitError](err); ok && ee.hint != "" {
		hint = ee.hint
	}
	prefix := "aopfetch: "
	if vehicle != "" {
		prefix += text.Sanitize(vehicle) + ": "
	}
	fmt.Fprintln(w, prefix+text.Sanitize(msg))
	if snippet != "" && !strings.Contains(msg, snippet) {
		fmt.Fprintln(w, "body: "+text.Sanitize(snippet))
	}
	if hint != "" {
		fmt.Fprintln(w, "hint: "+text.Sanitize(hint))
	}
}
