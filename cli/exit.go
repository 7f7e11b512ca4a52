package cli

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/aopfetch/aopfetch/client"
)

// Exit codes of the aopfetch process.
const (
	exitOK          = 0
	exitAPI         = 1 // the provider answered and said no (also: other failures)
	exitUsage       = 2 // bad flags, arguments, config or input
	exitAuth        = 3
	exitNetwork     = 4 // network, timeout, upstream
	exitInterrupted = 130
)

// exitError carries a process exit code; Execute prints err (one line) and
// hint (one line, optional) to stderr. An exitError with a nil err has
// already been reported and only sets the exit code.
type exitError struct {
	code int
	err  error
	hint string // what to do next, one line (may be empty)
}

// Error returns the message of the wrapped error.
func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.code)
	}
	return e.err.Error()
}

// Unwrap returns the wrapped error.
func (e *exitError) Unwrap() error { return e.err }

// newUsageError is an exitUsage error with a hint.
func newUsageError(hint, format string, args ...any) *exitError {
	return &exitError{code: exitUsage, err: fmt.Errorf(format, args...), hint: hint}
}

// exitCodeFor maps a lookup error to an exit code (nil -> exitOK).
func exitCodeFor(err error) int {
	if err == nil {
		return exitOK
	}
	if ee, ok := errors.AsType[*exitError](err); ok {
		return ee.code
	}
	if _, ok := errors.AsType[*client.ValidationError](err); ok {
		return exitUsage
	}
	if ce, ok := errors.AsType[*client.Error](err); ok {
		return exitCodeForKind(ce.Kind)
	}
	switch {
	case errors.Is(err, context.Canceled):
		return exitInterrupted
	case errors.Is(err, context.DeadlineExceeded):
		return exitNetwork
	}
	return exitAPI
}

// exitCodeForKind maps a client error class to an exit code.
func exitCodeForKind(k client.Kind) int {
	switch k {
	case client.KindAPI:
		return exitAPI
	case client.KindAuth:
		return exitAuth
	case client.KindCancelled:
		return exitInterrupted
	default: // network, timeout, upstream and anything new
		return exitNetwork
	}
}

// worstExitCode returns the most severe of the exit codes (see the README's
// exit code table): interrupted > usage > auth > network > api > ok; an
// unknown code ranks as api.
func worstExitCode(codes ...int) int {
	rank := func(c int) int {
		if r := slices.Index([]int{exitOK, exitAPI, exitNetwork, exitAuth, exitUsage, exitInterrupted}, c); r >= 0 {
			return r
		}
		return 1
	}
	return slices.MaxFunc(append([]int{exitOK}, codes...), func(a, b int) int { return cmp.Compare(rank(a), rank(b)) })
}
