package client_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aopfetch/aopfetch/client"
	"github.com/aopfetch/aopfetch/client/sandbox"
	"github.com/aopfetch/aopfetch/internal/text"
)

// TestFetchSandboxScenarios checks the client classifies every fixed
// sandbox scenario as the README promises.
func TestFetchSandboxScenarios(t *testing.T) {
	now := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	srv := httptest.NewServer(sandbox.New(sandbox.Options{SlowDelay: time.Minute, Now: func() time.Time { return now }}))
	defer srv.Close()
	c, err := client.New(client.Options{BaseURL: srv.URL, Timeout: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		vehicle string
		kind    client.Kind // "" = success
		overdue bool
	}{
		{sandbox.VehicleSuccess, "", true}, // the doc's fixed 2021 date
		{sandbox.VehicleOverdue, "", true},
		{sandbox.VehicleDueSoon, "", false},
		{"MH015678", "", false},
		{sandbox.VehicleAuth, client.KindAuth, false},
		{sandbox.VehicleNotFound, client.KindAPI, false},
		{sandbox.VehicleUpstream, client.KindUpstream, false},
		{sandbox.VehicleSlow, client.KindTimeout, false},
	}
	for _, tt := range tests {
		res, err := c.Fetch(context.Background(), client.Request{Operator: 311, CANumber: tt.vehicle, RegistrationID: "AOP-554"})
		if tt.kind == "" {
			if err != nil {
				t.Errorf("%s: %v", tt.vehicle, err)
				continue
			}
			due, ok := text.ParseDueDate(res.Consumer.DueDate)
			if amount := text.Amount(res.Consumer.Amount); !ok || !strings.HasPrefix(amount, text.Rupee) || res.Consumer.Name == "" {
				t.Errorf("%s: unusable answer %+v", tt.vehicle, res.Consumer)
			}
			if tt.overdue != (text.DaysUntil(due, now) < 0) {
				t.Errorf("%s: due %s, overdue want %v", tt.vehicle, res.Consumer.DueDate, tt.overdue)
			}
			continue
		}
		var e *client.Error
		if !errors.As(err, &e) || e.Kind != tt.kind {
			t.Errorf("%s: err = %v, want %s", tt.vehicle, err, tt.kind)
		}
	}
}
