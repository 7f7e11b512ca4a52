package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/aopfetch/aopfetch/client"
)

// Exit codes of the aopfetch process.
const (
	ExitOK          = 0
	ExitAPI         = 1 // the provider answered and said no (also: other failures)
	ExitUsage       = 2 // bad flags, arguments, config or input
	ExitAuth        = 3
	ExitNetwork     = 4 // network, timeout, upstream
	ExitInterrupted = 130
)

// ExitError carries a process exit code; Execute prints Err (one line) and
// Hint (one line, optional) to stderr. An ExitError with a nil Err has
// already been reported and only sets the exit code.
type ExitError struct {
	Code int
	Err  error
	Hint string // what to do next, one line (may be empty)
}

// Error returns the message of the wrapped error.
func (e *ExitError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("exit status %d", e.Code)
	}
	return e.Err.Error()
}

// Unwrap returns the wrapped error.
func (e *ExitError) Unwrap() error { return e.Err }

// newUsageError is an ExitUsage error with a hint.
func newUsageError(hint, format string, args ...any) *ExitError {
	return &ExitError{Code: ExitUsage, Err: fmt.Errorf(format, args...), Hint: hint}
}

// ExitCodeFor maps a lookup error to an exit code (nil -> ExitOK).
func ExitCodeFor(err error) int {
	if err == nil {
		return ExitOK
	}
	var ee *ExitError
	if errors.As(err, &ee) {
		return ee.Code
	}
	var ve *client.ValidationError
	if errors.As(err, &ve) {
		return ExitUsage
	}
	var ce *client.Error
	if errors.As(err, &ce) {
		return exitCodeForKind(ce.Kind)
	}
	switch {
	case errors.Is(err, context.Canceled):
		return ExitInterrupted
	case errors.Is(err, context.DeadlineExceeded):
		return ExitNetwork
	}
	return ExitAPI
}

// exitCodeForKind maps a client error class to an exit code.
func exitCodeForKind(k client.Kind) int {
	switch k {
	case client.KindAPI:
		return ExitAPI
	case client.KindAuth:
		return ExitAuth
	case client.KindCancelled:
		return ExitInterrupted
	default: // network, timeout, upstream and anything new
		return ExitNetwork
	}
}

// exitSeverity ranks exit codes for invocations with several outcomes:
// interrupted > usage > auth > network > api > ok.
func exitSeverity(code int) int {
	switch code {
	case ExitOK:
		return 0
	case ExitAPI:
		return 1
	case ExitNetwork:
		return 2
	case ExitAuth:
		return 3
	case ExitUsage:
		return 4
	case ExitInterrupted:
		return 5
	}
	return 1
}

// WorstExitCode returns the most severe of the exit codes (see the README's
// exit code table): interrupted > usage > auth > network > api > ok.
func WorstExitCode(codes ...int) int {
	worst := ExitOK
	for _, c := range codes {
		if exitSeverity(c) > exitSeverity(worst) {
			worst = c
		}
	}
	return worst
}

// errorHint returns the hint of err, if it carries one.
func errorHint(err error) string {
	var ee *ExitError
	if errors.As(err, &ee) && ee.Hint != "" {
		return ee.Hint
	}
	var ce *client.Error
	if errors.As(err, &ce) {
		return ce.Hint
	}
	return ""
}
