package sandbox

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// payload is a JSON object from a request body, read field by field so that
// every bad field gets its own message, as the upstream's serializers do:
// {"name": ["This field is required."], "end": ["Date has wrong format..."]}.
// Each getter records at most one message per field and returns the zero
// value when the field is absent, null or bad.
type payload struct {
	fields map[string]json.RawMessage
	errs   map[string]any // field -> []string, or []map[string]any for lists of objects
}

// decodeObject parses body as a JSON object. An empty body is an empty
// object. Malformed JSON answers 400 {"detail": "JSON parse error - ..."};
// any other JSON value answers 400 {"non_field_errors": [...]}.
func decodeObject(body []byte) (*payload, *apiError) {
	p := &payload{fields: map[string]json.RawMessage{}, errs: map[string]any{}}
	if len(bytes.TrimSpace(body)) == 0 {
		return p, nil
	}
	if !json.Valid(body) {
		var v any
		err := json.Unmarshal(body, &v)
		return nil, detailError(400, "JSON parse error - "+err.Error())
	}
	if err := json.Unmarshal(body, &p.fields); err != nil || p.fields == nil {
		return nil, &apiError{status: 400, body: map[string][]string{
			"non_field_errors": {"Invalid data. Expected a dictionary, but got " + jsonKind(body) + "."},
		}}
	}
	return p, nil
}

// sub wraps a nested object value as a payload of its own.
func subPayload(raw json.RawMessage) (*payload, bool) {
	p := &payload{fields: map[string]json.RawMessage{}, errs: map[string]any{}}
	if err := json.Unmarshal(raw, &p.fields); err != nil || p.fields == nil {
		return p, false
	}
	return p, true
}

// jsonKind names the kind of a JSON value in Python's words, as the
// upstream's messages do.
func jsonKind(raw []byte) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "nothing"
	}
	switch raw[0] {
	case '[':
		return "list"
	case '"':
		return "str"
	case 't', 'f':
		return "bool"
	case 'n':
		return "null"
	case '{':
		return "dict"
	}
	return "number"
}

// failed reports whether any field has a message.
func (p *payload) failed() bool { return len(p.errs) > 0 }

// fail records msg for field unless it already has one.
func (p *payload) fail(field, msg string) {
	if _, ok := p.errs[field]; !ok {
		p.errs[field] = []string{msg}
	}
}

// has reports whether field is present, even as null.
func (p *payload) has(field string) bool {
	_, ok := p.fields[field]
	return ok
}

// isNull reports whether field is present and null.
func (p *payload) isNull(field string) bool {
	raw, ok := p.fields[field]
	return ok && string(bytes.TrimSpace(raw)) == "null"
}

// raw returns field's value when it is present and not null.
func (p *payload) raw(field string) (json.RawMessage, bool) {
	raw, ok := p.fields[field]
	if !ok || string(bytes.TrimSpace(raw)) == "null" {
		return nil, false
	}
	return raw, true
}

// str returns a string field. ok is false when it is absent, null or not a string.
func (p *payload) str(field string) (string, bool) {
	raw, present := p.raw(field)
	if !present {
		return "", false
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		p.fail(field, msgInvalidStr)
		return "", false
	}
	return s, true
}

// requiredStr returns a non-blank string field, recording "required" or
// "blank" otherwise.
func (p *payload) requiredStr(field string) string {
	if !p.has(field) || p.isNull(field) {
		p.fail(field, msgRequired)
		return ""
	}
	s, ok := p.str(field)
	if ok && strings.TrimSpace(s) == "" {
		p.fail(field, msgBlank)
	}
	return s
}

// choice returns a string field that must be one of options. A missing
// field records "required" when required is set.
func (p *payload) choice(field string, required bool, options ...string) (string, bool) {
	s, ok := p.str(field)
	if !ok {
		if required && !p.failedOn(field) {
			p.fail(field, msgRequired)
		}
		return "", false
	}
	for _, o := range options {
		if s == o {
			return s, true
		}
	}
	p.fail(field, fmt.Sprintf("%q is not a valid choice.", s))
	return "", false
}

// failedOn reports whether field has a message.
func (p *payload) failedOn(field string) bool {
	_, ok := p.errs[field]
	return ok
}

// number returns a float field, accepting a JSON number or a numeric string.
func (p *payload) number(field string) (float64, bool) {
	raw, present := p.raw(field)
	if !present {
		return 0, false
	}
	f, ok := parseNumber(raw)
	if !ok {
		p.fail(field, msgInvalidNum)
	}
	return f, ok
}

// parseNumber reads a JSON number or a numeric string. "NaN" and
// "Infinity" are not numbers here: JSON cannot carry them back.
func parseNumber(raw json.RawMessage) (float64, bool) {
	var f float64
	if err := json.Unmarshal(raw, &f); err == nil {
		return f, true
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return 0, false
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	return f, err == nil && !math.IsNaN(f) && !math.IsInf(f, 0)
}

// integer returns an integer field, accepting a JSON integer or an integer string.
func (p *payload) integer(field string) (int64, bool) {
	raw, present := p.raw(field)
	if !present {
		return 0, false
	}
	n, ok := parseInteger(raw)
	if !ok {
		p.fail(field, msgInvalidInt)
	}
	return n, ok
}

// parseInteger reads a JSON integer or an integer string.
func parseInteger(raw json.RawMessage) (int64, bool) {
	var n int64
	if err := json.Unmarshal(raw, &n); err == nil {
		return n, true
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return 0, false
	}
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	return n, err == nil
}

// boolean returns a boolean field, accepting true/false and the strings
// "true", "false", "1", "0" as Django REST framework does.
func (p *payload) boolean(field string) (bool, bool) {
	raw, present := p.raw(field)
	if !present {
		return false, false
	}
	b, ok := parseBoolJSON(raw)
	if !ok {
		p.fail(field, msgInvalidBool)
	}
	return b, ok
}

// parseBoolJSON reads a JSON boolean, a boolean word or 0/1.
func parseBoolJSON(raw json.RawMessage) (bool, bool) {
	var b bool
	if err := json.Unmarshal(raw, &b); err == nil {
		return b, true
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return parseBoolWord(s)
	}
	var n int
	if err := json.Unmarshal(raw, &n); err == nil && (n == 0 || n == 1) {
		return n == 1, true
	}
	return false, false
}

// parseBoolWord reads the words the upstream accepts for booleans in query
// strings and bodies: true/false, yes/no, 1/0, in any case.
func parseBoolWord(s string) (bool, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "yes", "1", "on":
		return true, true
	case "false", "no", "0", "off":
		return false, true
	}
	return false, false
}

// ref returns a field naming an object by integer id or UUID, given as a
// JSON number or string.
func (p *payload) ref(field string) (ident, bool) {
	raw, present := p.raw(field)
	if !present {
		return ident{}, false
	}
	r, ok := parseRefJSON(raw)
	if !ok {
		p.fail(field, fmt.Sprintf("Incorrect type. Expected pk value, received %s.", jsonKind(raw)))
	}
	return r, ok
}

// parseRefJSON reads an object reference: a positive integer, or a string
// holding one or a UUID.
func parseRefJSON(raw json.RawMessage) (ident, bool) {
	var n int64
	if err := json.Unmarshal(raw, &n); err == nil {
		return ident{id: n}, n > 0
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return ident{}, false
	}
	return parseIdent(strings.TrimSpace(s), true)
}

// date returns a date field in layout; hint names the format in the message.
func (p *payload) date(field, layout, hint string) (time.Time, bool) {
	s, ok := p.str(field)
	if !ok {
		return time.Time{}, false
	}
	t, err := time.Parse(layout, strings.TrimSpace(s))
	if err != nil {
		p.fail(field, "Date has wrong format. Use one of these formats instead: "+hint+".")
		return time.Time{}, false
	}
	return t, true
}

// list returns a field that must be a JSON array.
func (p *payload) list(field string) ([]json.RawMessage, bool) {
	raw, present := p.raw(field)
	if !present {
		return nil, false
	}
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		p.fail(field, fmt.Sprintf("Expected a list of items but got type %q.", jsonKind(raw)))
		return nil, false
	}
	return items, true
}

// object returns a field that must be a JSON object.
func (p *payload) object(field string) (*payload, bool) {
	raw, present := p.raw(field)
	if !present {
		return nil, false
	}
	sub, ok := subPayload(raw)
	if !ok {
		p.fail(field, fmt.Sprintf("Invalid data. Expected a dictionary, but got %s.", jsonKind(raw)))
		return nil, false
	}
	return sub, true
}

// nest records the messages of a list of objects under field, one map per
// item (empty for items without messages), when any item has one.
func (p *payload) nest(field string, items []*payload) {
	var bad bool
	out := make([]map[string]any, len(items))
	for i, it := range items {
		out[i] = map[string]any{}
		if it != nil && it.failed() {
			out[i] = it.errs
			bad = true
		}
	}
	if bad {
		p.errs[field] = out
	}
}

// nestObject records the messages of a nested object under field.
func (p *payload) nestObject(field string, sub *payload) {
	if sub != nil && sub.failed() {
		p.errs[field] = sub.errs
	}
}

// err returns the recorded messages as a 400, or nil.
func (p *payload) err() *apiError {
	if !p.failed() {
		return nil
	}
	return validationError(p.errs)
}

// bulkRequest is an all-or-nothing bulk write: the request's body, and each
// row of its list as a payload that collects the row's own errors.
type bulkRequest struct {
	body  *payload
	field string
	rows  []*payload
	// objects[i] is false for a row that is not a JSON object; that row
	// has failed already.
	objects []bool
}

// bulkRequest reads c's body as a bulk write by a super admin whose rows
// are the list under field: 403 for anyone else, 400 for a body that is
// no object or lacks the list. s.mu must be held.
func (st *store) bulkRequest(c *call, field string) (*bulkRequest, *apiError) {
	body, apiErr := decodeObject(c.body)
	if apiErr != nil {
		return nil, apiErr
	}
	if st.users.get(c.caller).role != RoleSuperAdmin {
		return nil, errForbidden
	}
	raw, present := body.list(field)
	if !present && !body.failedOn(field) {
		body.fail(field, msgRequired)
	}
	if err := body.err(); err != nil {
		return nil, err
	}
	b := &bulkRequest{body: body, field: field, rows: make([]*payload, len(raw)), objects: make([]bool, len(raw))}
	for i, r := range raw {
		b.rows[i], b.objects[i] = subPayload(r)
		if !b.objects[i] {
			b.rows[i].fail("non_field_errors", "Invalid data. Expected a dictionary, but got "+jsonKind(r)+".")
		}
	}
	return b, nil
}

// err returns the rows' errors nested under the list's field as a 400, or
// nil when every row is sound.
func (b *bulkRequest) err() *apiError {
	b.body.nest(b.field, b.rows)
	return b.body.err()
}
