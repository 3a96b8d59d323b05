package sandbox

import (
	"bytes"
	"encoding/json"
	"net/http"
)

// The upstream answers errors in three JSON shapes, and the sandbox uses
// each where the upstream would:
//
//	{"detail": "Not found."}                     authentication, permission, lookups, pagination
//	{"error": "..."}                             business rules (deactivating a department that has members)
//	{"name": ["This field is required."]}        validation, one list of messages per field; nested
//	                                             lists of objects for lists of objects (key_results, roles)

// reply is a complete answer: a status and a body that is already encoded.
// A nil body sends no body and no Content-Type (204).
type reply struct {
	status int
	body   []byte
}

// jsonReply encodes v as the body of an answer with status. HTML characters
// are not escaped, so "<URL>" reads as it does in the reference.
func jsonReply(status int, v any) reply {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		// Every value the sandbox encodes is its own; failing here is a bug.
		panic("sandbox: encode response: " + err.Error())
	}
	return reply{status: status, body: buf.Bytes()}
}

// ok is a 200 answer with v as its body.
func ok(v any) reply { return jsonReply(http.StatusOK, v) }

// apiError is an error answer. It is an error so that parsing functions can
// return it; reply turns it into the answer.
type apiError struct {
	status int
	body   any
}

// Error implements error: the status text and the JSON body.
func (e *apiError) Error() string {
	b, _ := json.Marshal(e.body)
	return http.StatusText(e.status) + ": " + string(b)
}

// reply is the answer carrying e.
func (e *apiError) reply() reply { return jsonReply(e.status, e.body) }

// detailError is {"detail": msg}.
func detailError(status int, msg string) *apiError {
	return &apiError{status: status, body: map[string]string{"detail": msg}}
}

// businessError is a 400 {"error": msg}.
func businessError(msg string) *apiError {
	return &apiError{status: http.StatusBadRequest, body: map[string]string{"error": msg}}
}

// fieldError is a 400 {field: [msg]}.
func fieldError(field, msg string) *apiError {
	return &apiError{status: http.StatusBadRequest, body: map[string][]string{field: {msg}}}
}

// validationError is a 400 whose body is a per-field map built by a payload.
func validationError(errs map[string]any) *apiError {
	return &apiError{status: http.StatusBadRequest, body: errs}
}

// Messages shared by many endpoints, in the upstream's (Django REST
// framework's) words.
const (
	msgRequired     = "This field is required."
	msgBlank        = "This field may not be blank."
	msgNotFound     = "Not found."
	msgForbidden    = "You do not have permission to perform this action."
	msgInvalidInt   = "A valid integer is required."
	msgInvalidNum   = "A valid number is required."
	msgInvalidBool  = "Must be a valid boolean."
	msgInvalidStr   = "Not a valid string."
	msgNoCredential = "Authentication credentials were not provided."
)

var (
	errNotFound  = detailError(http.StatusNotFound, msgNotFound)
	errForbidden = detailError(http.StatusForbidden, msgForbidden)
)
