package store

import (
	"context"
	"errors"

	"github.com/relais/relais/apperr"
)

// Unavailable is a failed call to Redis as people read it: an apperr.Unavailable error with
// its French message, wrapping err. A cancelled or expired context stays as it is: the caller
// left, nobody is told the service is down.
func Unavailable(err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return apperr.Wrap(apperr.Unavailable, "Le service est momentanément indisponible. Veuillez réessayer.", err)
}
