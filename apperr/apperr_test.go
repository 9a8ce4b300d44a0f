package apperr_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/relais/relais/apperr"
)

func TestCodeAndMessageThroughWrapping(t *testing.T) {
	cause := errors.New("redis: connection refused")
	tests := []struct {
		name     string
		err      error
		code     apperr.Code
		message  string
		internal bool // the message is the generic one
	}{
		{name: "plain", err: apperr.New(apperr.NotFound, "Conversation introuvable."), code: apperr.NotFound, message: "Conversation introuvable."},
		{name: "wrapped by fmt", err: fmt.Errorf("post: %w", apperr.New(apperr.Invalid, "Le message est vide.")), code: apperr.Invalid, message: "Le message est vide."},
		{name: "with a cause", err: apperr.Wrap(apperr.Unavailable, "Indisponible.", cause), code: apperr.Unavailable, message: "Indisponible."},
		{name: "limited", err: apperr.Limited("Trop de messages.", 0), code: apperr.TooMany, message: "Trop de messages."},
		{name: "foreign error", err: cause, code: apperr.Internal, internal: true},
		{name: "internal without message", err: apperr.New(apperr.Internal, ""), code: apperr.Internal, internal: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := apperr.CodeOf(tt.err); got != tt.code {
				t.Errorf("CodeOf: got %s, want %s", got, tt.code)
			}
			got := apperr.MessageOf(tt.err)
			if tt.internal && got != apperr.MessageOf(nil) || !tt.internal && got != tt.message {
				t.Errorf("MessageOf: got %q, want %q", got, tt.message)
			}
		})
	}
	if !errors.Is(apperr.Wrap(apperr.Unavailable, "x", cause), cause) {
		t.Error("Wrap: the cause is not reachable with errors.Is")
	}
}
