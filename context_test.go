package sctpdial

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFoldDeadline(t *testing.T) {
	now := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	at := func(d time.Duration) time.Time { return now.Add(d) }
	tests := []struct {
		name     string
		timeout  time.Duration
		deadline time.Time
		ctxDL    time.Time // zero: ctx has no deadline
		want     time.Time
	}{
		{name: "none"},
		{name: "timeout only", timeout: 5 * time.Second, want: at(5 * time.Second)},
		{name: "negative timeout is in the past", timeout: -time.Second, want: at(-time.Second)},
		{name: "deadline only", deadline: at(7 * time.Second), want: at(7 * time.Second)},
		{name: "past deadline only", deadline: at(-time.Hour), want: at(-time.Hour)},
		{name: "ctx only", ctxDL: at(9 * time.Second), want: at(9 * time.Second)},
		{
			name:    "all three, timeout earliest",
			timeout: 1 * time.Second, deadline: at(2 * time.Second), ctxDL: at(3 * time.Second),
			want: at(1 * time.Second),
		},
		{
			name:    "all three, deadline earliest",
			timeout: 3 * time.Second, deadline: at(1 * time.Second), ctxDL: at(2 * time.Second),
			want: at(1 * time.Second),
		},
		{
			name:    "all three, ctx earliest",
			timeout: 2 * time.Second, deadline: at(3 * time.Second), ctxDL: at(1 * time.Second),
			want: at(1 * time.Second),
		},
		{
			name:    "timeout and ctx, ctx earliest",
			timeout: 2 * time.Second, ctxDL: at(time.Second),
			want: at(time.Second),
		},
		{
			name:     "deadline and ctx, deadline earliest",
			deadline: at(time.Second), ctxDL: at(2 * time.Second),
			want: at(time.Second),
		},
		{
			name:    "timeout and deadline equal",
			timeout: time.Second, deadline: at(time.Second),
			want: at(time.Second),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			if !tt.ctxDL.IsZero() {
				var cancel context.CancelFunc
				ctx, cancel = context.WithDeadline(ctx, tt.ctxDL)
				defer cancel()
			}
			got := foldDeadline(ctx, now, tt.timeout, tt.deadline)
			assert.True(t, tt.want.Equal(got), "got %v, want %v", got, tt.want)
			assert.Equal(t, tt.want.IsZero(), got.IsZero())
		})
	}
}

func TestMinNonzeroTimeDeadline(t *testing.T) {
	a := time.Unix(100, 0)
	b := time.Unix(200, 0)
	var zero time.Time
	tests := []struct{ a, b, want time.Time }{
		{zero, zero, zero},
		{a, zero, a},
		{zero, b, b},
		{a, b, a},
		{b, a, a},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, minNonzeroTime(tt.a, tt.b))
	}
}

func TestMapContextErr(t *testing.T) {
	other := errors.New("other")
	wrapped := fmt.Errorf("lookup: %w", context.Canceled)
	dnsErr := &net.DNSError{Err: "no such host", Name: "x", IsNotFound: true}
	tests := []struct {
		name string
		in   error
		want error
	}{
		{"nil", nil, nil},
		{"canceled", context.Canceled, errCanceled},
		{"deadline exceeded", context.DeadlineExceeded, errTimeout},
		{"other", other, other},
		{"wrapped context error is left alone", wrapped, wrapped},
		{"dns error", dnsErr, dnsErr},
		{"already mapped canceled", errCanceled, errCanceled},
		{"already mapped timeout", errTimeout, errTimeout},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, mapCtxErr(tt.in))
		})
	}
}

func TestContextErrorValues(t *testing.T) {
	t.Run("canceled", func(t *testing.T) {
		assert.Equal(t, "operation was canceled", errCanceled.Error())
		assert.ErrorIs(t, errCanceled, context.Canceled)
		assert.NotErrorIs(t, errCanceled, context.DeadlineExceeded)
		var ne net.Error
		assert.False(t, errors.As(errCanceled, &ne), "package net's errCanceled is not a net.Error")
	})
	t.Run("timeout", func(t *testing.T) {
		assert.Equal(t, "i/o timeout", errTimeout.Error())
		assert.ErrorIs(t, errTimeout, context.DeadlineExceeded)
		assert.ErrorIs(t, errTimeout, os.ErrDeadlineExceeded)
		assert.NotErrorIs(t, errTimeout, context.Canceled)
		var ne net.Error
		require.ErrorAs(t, errTimeout, &ne)
		assert.True(t, ne.Timeout())
		//lint:ignore SA1019 package net still reports it, and so do we
		assert.True(t, ne.Temporary())
	})
	t.Run("wrapped in OpError", func(t *testing.T) {
		// What a dial returns after mapping: the net.Dialer shape.
		err := error(&net.OpError{Op: "dial", Net: "sctp", Err: mapCtxErr(context.DeadlineExceeded)})
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		assert.ErrorIs(t, err, os.ErrDeadlineExceeded)
		var ne net.Error
		require.ErrorAs(t, err, &ne)
		assert.True(t, ne.Timeout())
		assert.Equal(t, "dial sctp: i/o timeout", err.Error())

		err = &net.OpError{Op: "dial", Net: "sctp", Err: mapCtxErr(context.Canceled)}
		assert.ErrorIs(t, err, context.Canceled)
		assert.Equal(t, "dial sctp: operation was canceled", err.Error())
	})
}
