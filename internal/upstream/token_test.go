package upstream

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
)

// This file tests the request path every client method shares (client.go,
// errors.go, token.go, page.go, time.go, query.go, date.go) against real
// HTTP servers.

func TestTokenNeverShows(t *testing.T) {
	t.Parallel()
	const secret = "tok-3c9d0e1f2a"
	token := NewToken(secret)
	// caller holds a token the way the auth package does: an exported field.
	type caller struct {
		Name  string
		Token Token
	}
	holder := caller{Name: "reporting", Token: token}
	logLine := func(newHandler func(io.Writer) slog.Handler) string {
		var buf bytes.Buffer
		logger := slog.New(newHandler(&buf))
		logger.Info("call", "token", token, "caller", holder, "ptr", &token,
			slog.Group("upstream", slog.Any("token", token)))
		return buf.String()
	}
	mustJSON := func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			return "error: " + err.Error()
		}
		return string(b)
	}
	tests := []struct {
		name string
		got  string
	}{
		{name: "%v", got: fmt.Sprintf("%v", token)},
		{name: "%+v", got: fmt.Sprintf("%+v", token)},
		{name: "%#v", got: fmt.Sprintf("%#v", token)},
		{name: "%s", got: fmt.Sprintf("%s", token)},
		{name: "%q", got: fmt.Sprintf("%q", token)},
		{name: "%d", got: fmt.Sprintf("%d", token)},
		{name: "%x", got: fmt.Sprintf("%x", token)},
		{name: "pointer_%v", got: fmt.Sprintf("%v", &token)},
		{name: "pointer_%+v", got: fmt.Sprintf("%+v", &token)},
		{name: "struct_%v", got: fmt.Sprintf("%v", holder)},
		{name: "struct_%+v", got: fmt.Sprintf("%+v", holder)},
		{name: "struct_%#v", got: fmt.Sprintf("%#v", holder)},
		{name: "slice_%v", got: fmt.Sprintf("%v", []Token{token})},
		{name: "map_%+v", got: fmt.Sprintf("%+v", map[string]Token{"t": token})},
		{name: "Sprint", got: fmt.Sprint(token, holder)},
		{name: "slog_json", got: logLine(func(w io.Writer) slog.Handler { return slog.NewJSONHandler(w, nil) })},
		{name: "slog_text", got: logLine(func(w io.Writer) slog.Handler { return slog.NewTextHandler(w, nil) })},
		{name: "json", got: mustJSON(token)},
		{name: "json_struct", got: mustJSON(holder)},
		{name: "json_map_key", got: mustJSON(map[Token]int{token: 1})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if strings.Contains(tt.got, secret) || !strings.Contains(tt.got, "[redacted]") {
				t.Errorf("output = %s, want [redacted] and not the token", tt.got)
			}
		})
	}
}

func TestTokenIsZero(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		token Token
		want  bool
	}{
		{name: "zero_value", token: Token{}, want: true},
		{name: "empty", token: NewToken(""), want: true},
		{name: "set", token: NewToken("x"), want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := tt.token.IsZero(); got != tt.want {
				t.Errorf("IsZero() = %t, want %t", got, tt.want)
			}
		})
	}
}

func TestTokenInUnexportedFieldNeverShows(t *testing.T) {
	t.Parallel()
	const secret = "tok-unexported-77"
	type holder struct {
		name  string
		token Token
	}
	h := holder{name: "reporting", token: NewToken(secret)}
	for _, got := range []string{fmt.Sprintf("%v", h), fmt.Sprintf("%+v", h), fmt.Sprintf("%#v", h)} {
		if strings.Contains(got, secret) {
			t.Errorf("output = %s, want no token", got)
		}
	}
}
