package upstream

import (
	"context"
	"errors"
	"net"
	"syscall"
)

// Outcome is how a call, or one attempt of it, ended. Classify computes it
// once for each attempt; the circuit breaker, the retries, the client's
// metrics and the facade's mapping to RPC codes all read that one answer.
//
//	outcome            breaker   retried
//	OK                 success   -
//	Rejected           success   no (4xx but 429, 3xx: the upstream working as designed)
//	RateLimited        excluded  once, for GET and DELETE, when Retry-After fits
//	Unavailable        failure   GET and DELETE (502, 503, 504)
//	ServerError        failure   no (500 and other 5xx: a retry rarely helps)
//	Malformed          success   no (a 2xx body that is not the documented JSON, or too large)
//	Lost               failure   GET and DELETE (timeout or transport failure: a write may have landed)
//	NeverSent          failure   always (connection refused: no byte left)
//	Invalid            excluded  no (the request could not be built; nothing was sent)
//	Canceled           excluded  no (the caller went away, or its deadline passed mid-attempt)
//	CircuitOpen        -         no (refused by the client itself, before any breaker count)
//	TokenRateLimited   -         no
//	Overloaded         -         no
type Outcome uint8

// The outcomes, in the order of the table on Outcome.
const (
	OutcomeOK Outcome = iota
	OutcomeRejected
	OutcomeRateLimited
	OutcomeUnavailable
	OutcomeServerError
	OutcomeMalformed
	OutcomeLost
	OutcomeNeverSent
	OutcomeInvalid
	OutcomeCanceled
	OutcomeCircuitOpen
	OutcomeTokenRateLimited
	OutcomeOverloaded
)

// outcomeTraits is the table on Outcome.
var outcomeTraits = [...]struct {
	name string
	// breakerFailure counts against the breaker; breakerExcluded leaves
	// the attempt out of its counts. Neither: a success.
	breakerFailure, breakerExcluded bool
	// retryIdempotent retries GET and DELETE; retryAny every method.
	retryIdempotent, retryAny bool
}{
	OutcomeOK:               {name: "ok"},
	OutcomeRejected:         {name: "rejected"},
	OutcomeRateLimited:      {name: "rate_limited", breakerExcluded: true, retryIdempotent: true},
	OutcomeUnavailable:      {name: "unavailable", breakerFailure: true, retryIdempotent: true},
	OutcomeServerError:      {name: "server_error", breakerFailure: true},
	OutcomeMalformed:        {name: "malformed"},
	OutcomeLost:             {name: "lost", breakerFailure: true, retryIdempotent: true},
	OutcomeNeverSent:        {name: "never_sent", breakerFailure: true, retryIdempotent: true, retryAny: true},
	OutcomeInvalid:          {name: "invalid", breakerExcluded: true},
	OutcomeCanceled:         {name: "canceled", breakerExcluded: true},
	OutcomeCircuitOpen:      {name: "circuit_open", breakerExcluded: true},
	OutcomeTokenRateLimited: {name: "token_rate_limited", breakerExcluded: true},
	OutcomeOverloaded:       {name: "overloaded", breakerExcluded: true},
}

// String returns the outcome's name in metrics, such as "rate_limited".
func (o Outcome) String() string { return outcomeTraits[o].name }

// Refused reports whether the client refused the call itself, without
// sending it: a RefusedError.
func (o Outcome) Refused() bool { return o >= OutcomeCircuitOpen }

func (o Outcome) breakerFailure() bool  { return outcomeTraits[o].breakerFailure }
func (o Outcome) breakerExcluded() bool { return outcomeTraits[o].breakerExcluded }

// retryable reports whether another attempt of op may follow. Whether it
// does also depends on the attempts left, the retry budget and the
// deadline (see resilience.retryWait).
func (o Outcome) retryable(op *Operation) bool {
	t := outcomeTraits[o]
	return t.retryAny || t.retryIdempotent && op.idempotent()
}

// Classify returns the outcome err reports: the error of a Client method,
// or of one attempt. A nil err is OutcomeOK.
func Classify(err error) Outcome {
	if err == nil {
		return OutcomeOK
	}
	var c *classified
	if errors.As(err, &c) {
		return c.outcome
	}
	var se *StatusError
	var refused *RefusedError
	switch {
	case errors.As(err, &se):
		return statusOutcome(se.StatusCode)
	case errors.As(err, &refused):
		switch {
		case errors.Is(refused.Cause, ErrTokenRateLimited):
			return OutcomeTokenRateLimited
		case errors.Is(refused.Cause, ErrOverloaded):
			return OutcomeOverloaded
		}
		return OutcomeCircuitOpen
	case errors.Is(err, context.Canceled):
		return OutcomeCanceled
	case errors.Is(err, ErrMalformedResponse), errors.Is(err, ErrResponseTooLarge):
		return OutcomeMalformed
	case errors.Is(err, ErrInvalidRequest), errors.Is(err, ErrNoToken), errors.Is(err, ErrFileHostNotAllowed):
		return OutcomeInvalid
	case errors.Is(err, ErrFileRedirect), errors.Is(err, ErrFileTooLarge), errors.Is(err, ErrFileSizeMismatch):
		// The file's host answered; its answer is refused.
		return OutcomeRejected
	case neverSent(err):
		return OutcomeNeverSent
	}
	return OutcomeLost
}

// statusOutcome classifies an answer that was not a 2xx.
func statusOutcome(status int) Outcome {
	switch {
	case status == 429:
		return OutcomeRateLimited
	case status >= 502 && status <= 504:
		return OutcomeUnavailable
	case status >= 500:
		return OutcomeServerError
	}
	return OutcomeRejected
}

// neverSent reports whether err proves the request never left: the
// connection was refused, so not a byte reached the upstream.
func neverSent(err error) bool {
	var opErr *net.OpError
	return errors.As(err, &opErr) && opErr.Op == "dial" || errors.Is(err, syscall.ECONNREFUSED)
}

// classified carries an attempt's error with its outcome through the
// circuit breaker, so that the breaker reads the outcome instead of
// classifying again.
type classified struct {
	err     error
	outcome Outcome
}

func (c *classified) Error() string { return c.err.Error() }
func (c *classified) Unwrap() error { return c.err }

// classify wraps err with its outcome; nil stays nil.
func classify(err error) error {
	if err == nil {
		return nil
	}
	return &classified{err: err, outcome: Classify(err)}
}
