package cli

import (
	"cmp"
	"fmt"
	"strconv"

	"github.com/aopfetch/aopfetch/client"
	"github.com/aopfetch/aopfetch/internal/config"
	"github.com/aopfetch/aopfetch/internal/text"
)

// batchRow is one valid input row, normalised.
type batchRow struct {
	Line  int
	Req   client.Request
	Label string
}

// key identifies the row's vehicle lookup.
func (r batchRow) key() string {
	return batchKey(r.Req.Operator, r.Req.CANumber, r.Req.RegistrationID)
}

// batchKey identifies a lookup: the same operator, vehicle and registration
// id give the same answer.
func batchKey(operator int, canumber, registrationID string) string {
	return strconv.Itoa(operator) + "\x00" + canumber + "\x00" + registrationID
}

// batchProblem is a message about one input line.
type batchProblem struct {
	Line    int
	Message string
}

// batchDefaults fill the columns a row leaves empty.
type batchDefaults struct {
	Operator       string // --operator, else the config's operator code ("" when neither)
	RegistrationID string // --registration-id, else the config's
	Operators      []config.Operator
}

// validateBatchRows normalises every input row with the client's rules. It
// returns the valid rows, the invalid ones and soft warnings (unusual
// vehicle formats; those rows are still looked up).
func validateBatchRows(in []batchInputRow, d batchDefaults) (rows []batchRow, bad, warnings []batchProblem) {
	for _, r := range in {
		req, warn, err := d.request(r)
		if err != nil {
			bad = append(bad, batchProblem{r.Line, text.Sanitize(err.Error())})
			continue
		}
		if warn != "" {
			warnings = append(warnings, batchProblem{r.Line, text.Sanitize(warn)})
		}
		rows = append(rows, batchRow{Line: r.Line, Req: req, Label: r.Label})
	}
	return rows, bad, warnings
}

// request builds the normalised request of one input row.
func (d batchDefaults) request(r batchInputRow) (client.Request, string, error) {
	op := cmp.Or(r.Operator, d.Operator)
	if op == "" {
		return client.Request{}, "", fmt.Errorf("no operator: add an operator column, or set --operator or operator in the config")
	}
	code, err := resolveOperator(d.Operators, op)
	if err != nil {
		return client.Request{}, "", err
	}
	req := client.Request{Operator: code, CANumber: r.CANumber, RegistrationID: cmp.Or(r.RegistrationID, d.RegistrationID)}
	return req.Normalize()
}

// batchPlan maps input rows to unique lookups.
type batchPlan struct {
	rows   []batchRow
	jobs   []client.Request // unique lookups, in order of first appearance
	rowsOf [][]int          // job index -> its row indexes, in input order
}

// planBatch collapses duplicate vehicles into one lookup each.
func planBatch(rows []batchRow) batchPlan {
	p := batchPlan{rows: rows}
	index := map[string]int{}
	for i, r := range rows {
		j, seen := index[r.key()]
		if !seen {
			j = len(p.jobs)
			index[r.key()] = j
			p.jobs = append(p.jobs, r.Req)
			p.rowsOf = append(p.rowsOf, nil)
		}
		p.rowsOf[j] = append(p.rowsOf[j], i)
	}
	return p
}
