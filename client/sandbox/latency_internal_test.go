package sandbox

import (
	"testing"
	"time"
)

func TestLatencyStaysInRange(t *testing.T) {
	tests := []struct{ min, max, lo, hi time.Duration }{
		{0, 0, 0, 0},
		{time.Second, 0, 0, 0}, // no maximum: no latency
		{100 * time.Millisecond, 400 * time.Millisecond, 100 * time.Millisecond, 400 * time.Millisecond},
		{0, time.Millisecond, 0, time.Millisecond},
		{time.Second, time.Millisecond, time.Millisecond, time.Millisecond}, // min above max
		{-time.Second, time.Millisecond, 0, time.Millisecond},
	}
	for _, tt := range tests {
		h := New(Options{MinLatency: tt.min, MaxLatency: tt.max}).(*handler)
		for range 200 {
			if d := h.latency(); d < tt.lo || d > tt.hi {
				t.Errorf("min %v max %v: latency %v outside [%v, %v]", tt.min, tt.max, d, tt.lo, tt.hi)
			}
		}
	}
}

func TestDecimalText(t *testing.T) {
	tests := []struct {
		paise     int64
		keepPoint bool
		want      string
	}{
		{100000, true, "1000.0"},
		{100000, false, "1000"},
		{125050, true, "1250.5"},
		{125075, false, "1250.75"},
		{15001, true, "150.01"},
		{99, true, "0.99"},
	}
	for _, tt := range tests {
		if got := decimalText(tt.paise, tt.keepPoint); got != tt.want {
			t.Errorf("decimalText(%d, %v) = %q, want %q", tt.paise, tt.keepPoint, got, tt.want)
		}
	}
}
