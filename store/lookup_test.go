package store

import (
	"errors"
	"testing"
	"time"

	"github.com/aopfetch/aopfetch/client"
)

func TestNewLookup(t *testing.T) {
	req := client.Request{Operator: 311, CANumber: "DL12CB4685", RegistrationID: "AOP-554"}
	ist := time.FixedZone("IST", 5*3600+1800)
	now := time.Date(2026, 1, 2, 9, 0, 0, 0, ist)
	fetched := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	res := &client.Result{Consumer: client.Consumer{Status: true, Name: "NITESH  KUMAR SHARMA"}, FetchedAt: fetched}

	l := NewLookup(req, res, nil, now)
	if !l.OK || l.Snapshot == nil || l.Snapshot.Consumer.Name != "NITESH  KUMAR SHARMA" || !l.At.Equal(fetched) ||
		!l.Snapshot.FetchedAt.Equal(fetched) || l.CANumber != "DL12CB4685" || l.Operator != 311 || l.RegistrationID != "AOP-554" {
		t.Fatalf("lookup = %+v", l)
	}

	l = NewLookup(req, &client.Result{}, nil, now)
	if !l.At.Equal(now) || l.At.Location() != time.UTC || l.Snapshot == nil || !l.Snapshot.FetchedAt.Equal(now) {
		t.Errorf("an answer without a time: at %v, snapshot %+v; want now in UTC", l.At, l.Snapshot)
	}

	auth := &client.Error{Kind: client.KindAuth, Message: "Signature verification failed", Result: &client.Result{FetchedAt: fetched}}
	l = NewLookup(req, nil, auth, now)
	if l.OK || l.ErrorKind != "auth" || l.ErrorMessage != "Signature verification failed" || l.Snapshot != nil || !l.At.Equal(fetched) {
		t.Fatalf("failed lookup = %+v", l)
	}
}

func TestFailureOf(t *testing.T) {
	tests := []struct {
		err        error
		kind, text string
	}{
		{&client.Error{Kind: client.KindNetwork, Message: "cannot reach the host"}, "network", "cannot reach the host"},
		{&client.ValidationError{Field: client.FieldCANumber, Message: "bad vehicle"}, ErrorKindValidation, "bad vehicle"},
		{errors.New("disk full"), ErrorKindOther, "disk full"},
	}
	for _, tt := range tests {
		if kind, msg := FailureOf(tt.err); kind != tt.kind || msg != tt.text {
			t.Errorf("FailureOf(%v) = %q, %q; want %q, %q", tt.err, kind, msg, tt.kind, tt.text)
		}
	}
}
