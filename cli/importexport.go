package cli

import (
	"bytes"
	"cmp"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"unicode/utf16"

	"github.com/spf13/cobra"

	"github.com/aopfetch/aopfetch/internal/safefile"
	"github.com/aopfetch/aopfetch/internal/text"
	"github.com/aopfetch/aopfetch/store"
)

// Import/export formats.
const (
	formatJSON = "json"
	formatCSV  = "csv"
)

// hintFormat tells how to choose a format.
const hintFormat = "use --format json or --format csv"

// checkFormat validates a --format value ("" is allowed: inferred).
func checkFormat(f string) (string, error) {
	switch f = strings.ToLower(strings.TrimSpace(f)); f {
	case "", formatJSON, formatCSV:
		return f, nil
	}
	return "", newUsageError(hintFormat, "unknown format %s", quoteArg(f))
}

// formatFromName infers a format from a file extension ("" when unknown).
func formatFromName(name string) string {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".csv":
		return formatCSV
	case ".json":
		return formatJSON
	}
	return ""
}

func newExportCmd(app *invocation) *cobra.Command {
	var format, out string
	cmd := &cobra.Command{
		Use:   "export [--format json|csv] [-o FILE]",
		Short: "Write all saved accounts as JSON or CSV",
		Long: `Write all saved accounts as JSON (everything, including the last result) or
CSV (label,operator,canumber,registration_id,note with a header row) to
stdout or FILE. Without --format, the format follows FILE's extension
(.csv or .json), else JSON. The file is written with mode 0600.`,
		Example: `  aopfetch export > accounts.json
  aopfetch export -o accounts.csv
  aopfetch export --format csv | column -ts,`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			f, err := checkFormat(format)
			if err != nil {
				return err
			}
			return runExport(cmd.Context(), app, cmp.Or(f, formatFromName(out), formatJSON), out)
		},
	}
	cmd.Flags().StringVar(&format, "format", "", "json or csv (default: from -o's extension, else json)")
	cmd.Flags().StringVarP(&out, "output", "o", "", "write to FILE instead of stdout")
	return cmd
}

// runExport renders the export in memory first, so a failure never leaves
// a half-written file.
func runExport(ctx context.Context, app *invocation, format, out string) error {
	s, err := app.store()
	if err != nil {
		return err
	}
	d := s.Data()
	if s.ReadOnly() {
		app.warn("the store is from a newer aopfetch: the export holds only the fields this version knows; export with the newer aopfetch to keep them all")
	}
	var buf bytes.Buffer
	if err := store.Export(&buf, format, d); err != nil {
		return err
	}
	data := buf.Bytes()
	if format == formatJSON {
		data = text.SafeJSON(data)
	}
	if out == "" || out == "-" {
		return untilInterrupted(ctx, func() error { _, err := app.stdout.Write(data); return err })
	}
	if err := app.checkNotOwnFile(out); err != nil {
		return err
	}
	if err := untilInterrupted(ctx, func() error { return writePrivateFile(out, data) }); err != nil {
		return err
	}
	fmt.Fprintf(app.stderr, "exported %s to %s\n", text.Plural(len(d.Accounts), "account"), text.Sanitize(out))
	return nil
}

// writePrivateFile replaces path (or the file a symlink at path points to)
// with data, mode 0600 (see safefile.WriteAtomic), so a failure leaves the
// old file whole. Anything else at path (a pipe, a device, /dev/stdout, a
// link that does not resolve) is written into, never replaced.
func writePrivateFile(path string, data []byte) error {
	if real, err := filepath.EvalSymlinks(path); err == nil {
		path = real
	}
	if fi, err := os.Lstat(path); err == nil && fi.IsDir() {
		return newUsageError("give a file name, e.g. -o accounts.json", "-o %s is a directory", text.Sanitize(path))
	} else if err == nil && !fi.Mode().IsRegular() {
		return writeInto(path, data)
	}
	switch err := safefile.WriteAtomic(path, data); {
	case errors.Is(err, fs.ErrNotExist):
		return newUsageError("create the directory first, or choose a file in an existing one",
			"cannot write %s: the directory %s does not exist", text.Sanitize(path), text.Sanitize(filepath.Dir(path)))
	case err != nil:
		return writeError(path, err)
	}
	return nil
}

// writeError words a failure to write path with its cause alone: the
// *PathError or *LinkError names the temp file, which means nothing to
// the user.
func writeError(path string, err error) error {
	return fmt.Errorf("cannot write %s: %w", text.Sanitize(path), safefile.Cause(err))
}

// writeInto writes data into a special file such as a pipe (or through a
// link), creating a missing target with mode 0600.
func writeInto(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	return cmp.Or(err, f.Close())
}

// importOptions are the flags of `aopfetch import`.
type importOptions struct {
	req         requestFlags
	format      string
	skipInvalid bool
}

func newImportCmd(app *invocation) *cobra.Command {
	var o importOptions
	cmd := &cobra.Command{
		Use:   "import FILE [--format json|csv] [--skip-invalid]",
		Short: "Merge saved accounts from a JSON or CSV file",
		Long: `Merge saved accounts from a file written by "aopfetch export" or a CSV with
the header label,operator,canumber,registration_id,note (any order; operator
is a code or a configured operator's name). Accounts are matched on the
vehicle number: new ones are added, known ones updated with the row's
non-empty values; a vehicle on several rows is noted and merged.

Every row is checked first; if any is invalid, each problem is listed with
its line number and nothing is imported (exit 2), unless --skip-invalid is
given. New accounts without an operator or registration ID get --operator
and --registration-id, else the config's; saved ones keep theirs. FILE "-"
reads stdin; at most 128 MiB are read.`,
		Example: `  aopfetch import accounts.csv
  aopfetch import backup.json
  aopfetch import --skip-invalid --format csv - < accounts.txt`,
		Args: usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runImport(cmd.Context(), app, o, args[0])
		},
	}
	o.req.bind(cmd)
	cmd.Flags().StringVar(&o.format, "format", "", "json or csv (default: from the file's extension or content)")
	cmd.Flags().BoolVar(&o.skipInvalid, "skip-invalid", false, "import the valid rows and skip the invalid ones")
	return cmd
}

// runImport parses, validates and merges one file.
func runImport(ctx context.Context, app *invocation, o importOptions, name string) error {
	format, err := checkFormat(o.format)
	if err != nil {
		return err
	}
	data, err := readInput(ctx, app, name, maxImportSize)
	if err != nil {
		return err
	}
	format = cmp.Or(format, sniffFormat(name, data))
	cfg, err := app.config()
	if err != nil {
		return err
	}
	resolve := func(op string) (int, error) { return resolveOperator(cfg.Operators, op) }
	rows, rowErrs, err := store.ParseImportRows(bytes.NewReader(data), format, store.ImportOptions{Operator: resolve})
	if err != nil {
		return newUsageError(hintImportFile, "cannot read %s as %s: %v", name, format, err)
	}
	op, regID, err := o.req.defaults(cfg)
	if err != nil {
		return err
	}
	s, err := app.store()
	if err != nil {
		return err
	}
	accts, missing := applyImportDefaults(rows, s.Data(), op, regID)
	for _, re := range rowErrs {
		fmt.Fprintln(app.stderr, text.Sanitize(re.Error()))
	}
	for _, m := range missing {
		fmt.Fprintln(app.stderr, m)
	}
	skipped := len(rowErrs) + len(missing)
	if skipped > 0 && !o.skipInvalid {
		return newUsageError("fix the rows above, or pass --skip-invalid to import the valid ones",
			"nothing imported: %s invalid", text.Plural(skipped, "row"))
	}
	writeFirst(app.stderr, duplicateRows(rows), maxDuplicateLines, " rows repeating a vehicle of an earlier row")
	rep, err := s.Import(accts)
	if err != nil {
		return err
	}
	fmt.Fprintf(app.stdout, "added %d, updated %d, skipped %d\n", rep.Added, rep.Updated, rep.Skipped+skipped)
	return nil
}

// hintImportFile says what an import file must look like.
const hintImportFile = "give an aopfetch export (JSON) or a CSV with the header " +
	"label,operator,canumber,registration_id,note; pass --format if the extension misleads"

// duplicateRows describes the rows whose vehicle an earlier row of the same
// file already holds: they are merged into one account, later values winning.
func duplicateRows(rows []store.ImportRow) []string {
	first := make(map[string]int, len(rows))
	var out []string
	for _, r := range rows {
		v := r.Account.CANumber
		if line, ok := first[v]; ok {
			out = append(out, fmt.Sprintf("line %d: %s is also on line %d; the rows are merged (later non-empty values win)", r.Line, v, line))
			continue
		}
		first[v] = r.Line
	}
	return out
}

// maxDuplicateLines is how many repeated-vehicle notes an import prints
// before summing up the rest.
const maxDuplicateLines = 10

// writeFirst writes the first limit lines and then counts the others, so
// thousands of them do not flood the terminal: "… and N more" plus more,
// with g's ellipsis.
func writeFirst(w io.Writer, lines []string, limit int, more string) {
	for i, l := range lines {
		if i == limit {
			fmt.Fprintf(w, "%s and %d more%s\n", text.Ellipsis, len(lines)-limit, more)
			return
		}
		fmt.Fprintln(w, l)
	}
}

// maxImportSize caps what import reads: well above any export (5,000
// accounts are a few MB), far below what an endless input would eat.
const maxImportSize = 128 << 20

// readInput reads a file, or stdin for "-", as UTF-8 (see utf8Text),
// refusing more than limit bytes; ctrl+c ends a read that waits (see
// untilInterrupted).
func readInput(ctx context.Context, app *invocation, name string, limit int64) ([]byte, error) {
	var data []byte
	err := untilInterrupted(ctx, func() error {
		r, shown := app.stdin, "stdin"
		if name != "-" {
			f, err := os.Open(name)
			if err != nil {
				return newUsageError(readHint(err), "cannot read %s: %v", name, err)
			}
			defer f.Close()
			r, shown = f, name
		}
		b, err := io.ReadAll(io.LimitReader(r, limit+1))
		switch {
		case err != nil:
			return newUsageError(readHint(err), "cannot read %s: %v", shown, err)
		case int64(len(b)) > limit:
			return newUsageError("split it into smaller files", "%s is larger than %d MiB", shown, limit>>20)
		}
		data = utf8Text(b)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return data, nil
}

// untilInterrupted runs fn, returning early with an interrupted error on
// ctrl+c (ctx): opening, reading or writing a terminal, a FIFO nobody has
// open at the other end, or a stalled pipe can wait for ever, and SIGINT is
// caught so that fetch can cancel its requests. fn keeps running until the
// process exits; it must not touch what the caller uses afterwards.
func untilInterrupted(ctx context.Context, fn func() error) error {
	done := make(chan error, 1) // fn never blocks on it, even after ctrl+c
	go func() { done <- fn() }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return &exitError{code: exitInterrupted, err: errors.New("interrupted")}
	}
}

// readHint says what to check when an input file cannot be read.
func readHint(err error) string {
	switch {
	case errors.Is(err, fs.ErrPermission):
		return "check the file's permissions (ls -l), or copy it somewhere you can read it"
	case errors.Is(err, syscall.EISDIR):
		return "give a file, not a directory"
	}
	return "check the file name"
}

// sniffFormat infers the format from the name, else from the first byte.
func sniffFormat(name string, data []byte) string {
	if f := formatFromName(name); f != "" {
		return f
	}
	if t := bytes.TrimLeft(data, " \t\r\n\ufeff"); len(t) > 0 && (t[0] == '[' || t[0] == '{') {
		return formatJSON
	}
	return formatCSV
}

// applyImportDefaults fills a missing operator or registration ID of a new
// account with the defaults; rows still missing one are dropped and
// described. A row whose vehicle is saved in d, or on an earlier row, is
// merged into that account and keeps its values (0 and "" change nothing).
func applyImportDefaults(rows []store.ImportRow, d store.Data, operator int, registrationID string) ([]store.Account, []string) {
	known := make(map[string]bool, len(d.Accounts)+len(rows))
	for _, a := range d.Accounts {
		known[a.CANumber] = true
	}
	ok := make([]store.Account, 0, len(rows))
	var missing []string
	for _, r := range rows {
		a := r.Account
		if known[a.CANumber] {
			ok = append(ok, a)
			continue
		}
		a.Operator = cmp.Or(a.Operator, operator)
		if strings.TrimSpace(a.RegistrationID) == "" {
			a.RegistrationID = registrationID
		}
		switch {
		case a.Operator == 0:
			missing = append(missing, fmt.Sprintf("line %d: %s: no operator in the row and no default (%s)", r.Line, cell(a.CANumber, 0), hintOperator))
		case a.RegistrationID == "":
			missing = append(missing, fmt.Sprintf("line %d: %s: no registration ID in the row and no default (%s)", r.Line, cell(a.CANumber, 0), hintRegID))
		default:
			known[a.CANumber] = true
			ok = append(ok, a)
		}
	}
	return ok, missing
}

// utf8Text returns the text of an input file as UTF-8: a UTF-16 file with a
// byte order mark (how Windows tools save "Unicode" text) is decoded, and a
// UTF-8 byte order mark is dropped. Other bytes are returned as they are.
func utf8Text(data []byte) []byte {
	switch {
	case bytes.HasPrefix(data, []byte("\ufeff")):
		return data[3:]
	case bytes.HasPrefix(data, []byte{0xff, 0xfe}):
		return decodeUTF16(data[2:], binary.LittleEndian)
	case bytes.HasPrefix(data, []byte{0xfe, 0xff}):
		return decodeUTF16(data[2:], binary.BigEndian)
	}
	return data
}

// decodeUTF16 decodes UTF-16 in the byte order order; a trailing odd byte
// is dropped and unpaired surrogates become U+FFFD.
func decodeUTF16(data []byte, order binary.ByteOrder) []byte {
	units := make([]uint16, len(data)/2)
	for i := range units {
		units[i] = order.Uint16(data[2*i:])
	}
	return []byte(string(utf16.Decode(units)))
}
