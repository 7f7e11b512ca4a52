package cli

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/aopfetch/aopfetch/client"
	"github.com/aopfetch/aopfetch/store"
)

// none is shown for an empty value.
const none = "-"

// field is one label/value line of a detail block.
type field struct{ Label, Value string }

// padRight pads s with spaces to width terminal cells.
func padRight(s string, width int) string {
	if w := client.DisplayWidth(s); w < width {
		return s + strings.Repeat(" ", width-w)
	}
	return s
}

// writeFields writes label/value lines with the values aligned. Labels and
// values must already be safe for a terminal.
func writeFields(w io.Writer, fields []field) error {
	width := 0
	for _, f := range fields {
		width = max(width, client.DisplayWidth(f.Label))
	}
	var b strings.Builder
	for _, f := range fields {
		b.WriteString(padRight(f.Label, width))
		b.WriteString("  ")
		b.WriteString(f.Value)
		b.WriteByte('\n')
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// writeTable writes a header row and rows in columns aligned by display
// width (wide and combining characters count as they render). The last
// column is not padded. Cells must already be safe for a terminal.
func writeTable(w io.Writer, header []string, rows [][]string) error {
	widths := make([]int, len(header))
	for _, row := range append([][]string{header}, rows...) {
		for i, cell := range row {
			if i < len(widths) {
				widths[i] = max(widths[i], client.DisplayWidth(cell))
			}
		}
	}
	var b strings.Builder
	for _, row := range append([][]string{header}, rows...) {
		for i, cell := range row {
			if i == len(row)-1 {
				b.WriteString(cell)
				break
			}
			b.WriteString(padRight(cell, widths[i]))
			b.WriteString("  ")
		}
		b.WriteByte('\n')
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// cell makes a server or user string safe for one table cell: sanitised and
// truncated to limit cells with a trailing "…" (0 = no limit).
func cell(s string, limit int) string {
	s = client.Sanitize(s)
	if s == "" {
		return none
	}
	if limit > 0 {
		s = client.Truncate(s, limit)
	}
	return s
}

// formatAmount formats an amount text as ₹1,000.00, or shows it sanitised
// when it is not a number.
func formatAmount(amount string) string {
	if strings.TrimSpace(amount) == "" {
		return none
	}
	if f, ok := client.FormatINR(amount); ok {
		return f
	}
	return cell(amount, 0)
}

// formatDueDate formats a due date as "20 Sep 2021 (overdue by 3 days)".
func formatDueDate(due string, now time.Time) string {
	if strings.TrimSpace(due) == "" {
		return none
	}
	t, ok := client.ParseDueDate(due)
	if !ok {
		return cell(due, 0)
	}
	return t.Format("2 Jan 2006") + " (" + dueRelative(client.DaysUntil(t, now)) + ")"
}

// dueRelative words a day count: "overdue by 3 days", "due today", "due in 1 day".
func dueRelative(days int) string {
	switch {
	case days < 0:
		return "overdue by " + plural(-days, "day")
	case days == 0:
		return "due today"
	}
	return "due in " + plural(days, "day")
}

// plural returns "1 day" or "3 days".
func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return strconv.Itoa(n) + " " + unit + "s"
}

// yesNo formats a flag.
func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// operatorText formats an operator code with its configured name: "311 (FASTag ICICI)".
func operatorText(code int, cfg *store.Config) string {
	if code == 0 {
		return none
	}
	s := strconv.Itoa(code)
	if cfg != nil {
		if name := client.Sanitize(cfg.OperatorName(code)); name != "" {
			s += " (" + name + ")"
		}
	}
	return s
}

// consumerFields returns the detail lines of one successful lookup. Every
// server string is sanitised.
func consumerFields(req client.Request, c client.Consumer, cfg *store.Config, now time.Time) []field {
	bill := client.Bill{}
	if c.Bill != nil {
		bill = *c.Bill
	}
	name := c.ShownName()
	fs := []field{
		{"Name", cell(name, 0)},
		{"Vehicle", cell(req.CANumber, 0)},
		{"Operator", operatorText(req.Operator, cfg)},
		{"Amount", formatAmount(c.ShownAmount())},
		{"Net amount", formatAmount(bill.BillNetAmount)},
		{"Max amount", formatAmount(bill.MaxBillAmount)},
		{"Due date", formatDueDate(c.ShownDueDate(), now)},
	}
	if c.Bill != nil {
		fs = append(fs,
			field{"Accepts payment", yesNo(bill.AcceptPayment)},
			field{"Part payment", yesNo(bill.AcceptPartPay)},
		)
	} else {
		fs = append(fs, field{"Accepts payment", none}, field{"Part payment", none})
	}
	return append(fs,
		field{"Phone", cell(bill.CellNumber, 0)},
		field{"Message", cell(c.Message, 0)},
		field{"Response code", strconv.Itoa(c.ResponseCode)},
	)
}

// writeConsumer writes the detail block of one successful lookup.
func writeConsumer(w io.Writer, req client.Request, res *client.Result, cfg *store.Config, now time.Time) error {
	return writeFields(w, consumerFields(req, res.Consumer, cfg, now))
}

// writeLookupError writes a failed lookup as "aopfetch: VEHICLE: message"
// plus a hint line (and, for upstream errors, a body snippet line).
func writeLookupError(w io.Writer, vehicle string, err error) {
	msg := err.Error()
	snippet := ""
	var ce *client.Error
	if errors.As(err, &ce) {
		msg, snippet = ce.Message, ce.Snippet
	}
	prefix := "aopfetch: "
	if vehicle != "" {
		prefix += client.Sanitize(vehicle) + ": "
	}
	fmt.Fprintln(w, prefix+client.Sanitize(msg))
	if snippet != "" && !strings.Contains(msg, snippet) {
		fmt.Fprintln(w, "body: "+client.Sanitize(snippet))
	}
	if hint := errorHint(err); hint != "" {
		fmt.Fprintln(w, "hint: "+client.Sanitize(hint))
	}
}
