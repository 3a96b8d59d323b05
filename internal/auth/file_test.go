package auth_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/bwfacade/facade/internal/auth"
	"github.com/bwfacade/facade/internal/upstream"
)

// methods is a small catalogue: two services, reads and writes.
var methods = map[string]bool{
	"/betterworks.v1.GoalService/GetGoal":       true,
	"/betterworks.v1.GoalService/ListGoals":     true,
	"/betterworks.v1.GoalService/CreateGoal":    false,
	"/betterworks.v1.PeopleService/GetUser":     true,
	"/betterworks.v1.PeopleService/UpsertUsers": false,
}

// writeCallers writes a callers file and a token file beside it, and
// returns the callers file's path.
func writeCallers(t *testing.T, body string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "token"), []byte("file-token\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "callers.yaml")
	body = strings.ReplaceAll(body, "TOKEN_FILE", filepath.Join(dir, "token"))
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func getenv(k string) string {
	if k == "BW_TOKEN_REPORTING" {
		return "env-token"
	}
	return ""
}

func TestLoadFile(t *testing.T) {
	t.Parallel()
	keyA, keyB := auth.GenerateKey(), auth.GenerateKey()
	path := writeCallers(t, `
callers:
  - name: reporting
    key_sha256:
      - `+auth.HashKeyHex(keyA)+`
      - `+strings.ToUpper(auth.HashKeyHex(keyB))+`
    token_env: BW_TOKEN_REPORTING
    allow: [betterworks.v1.GoalService, /betterworks.v1.PeopleService/GetUser]
    read_only: true
    quota: {rps: 5, burst: 10}
  - name: hr-sync
    client_identities: ["spiffe://example.com/hr-sync", "CN=hr-sync,O=Example"]
    token_file: TOKEN_FILE
    allow: ["*"]
  - name: retired
    key_sha256: [`+auth.HashKeyHex(auth.GenerateKey())+`]
    allow: ["*"]
    revoked: true
`)
	r, err := auth.LoadFile(path, auth.LoadOptions{Methods: methods, Getenv: getenv})
	if err != nil {
		t.Fatalf("LoadFile() error = %v", err)
	}
	callers := r.Callers()
	if len(callers) != 3 {
		t.Fatalf("LoadFile() = %d callers, want 3", len(callers))
	}
	reporting, hr, retired := callers[0], callers[1], callers[2]
	if got, want := reporting.Methods, []string{
		"/betterworks.v1.GoalService/GetGoal",
		"/betterworks.v1.GoalService/ListGoals",
		"/betterworks.v1.PeopleService/GetUser",
	}; !slices.Equal(got, want) {
		t.Errorf("reporting methods = %v, want the reads of GoalService and GetUser: %v", got, want)
	}
	if reporting.Allowed("/betterworks.v1.GoalService/CreateGoal") || !reporting.Allowed("/betterworks.v1.GoalService/GetGoal") {
		t.Error("read-only reporting: Allowed(CreateGoal) or not Allowed(GetGoal)")
	}
	if !reporting.Token.Equal(upstream.NewToken("env-token")) || len(reporting.KeyHashes) != 2 || reporting.Quota != (auth.Quota{Rate: 5, Burst: 10}) {
		t.Errorf("reporting = token from env %v, %d key hashes, quota %+v; want env-token, 2, {5 10}",
			reporting.Token.Equal(upstream.NewToken("env-token")), len(reporting.KeyHashes), reporting.Quota)
	}
	if !hr.Token.Equal(upstream.NewToken("file-token")) || len(hr.Methods) != len(methods) || !hr.Allowed("/betterworks.v1.PeopleService/UpsertUsers") {
		t.Errorf("hr-sync = trimmed file token %v, %d methods; want file-token and all %d", hr.Token.Equal(upstream.NewToken("file-token")), len(hr.Methods), len(methods))
	}
	if !retired.Revoked || !retired.Token.IsZero() {
		t.Errorf("retired = revoked %v, token set %v; want revoked, with no token read", retired.Revoked, !retired.Token.IsZero())
	}
}

func TestLoadFileRejects(t *testing.T) {
	t.Parallel()
	hash := auth.HashKeyHex(auth.GenerateKey())
	tests := []struct {
		name string
		body string
		want []string
	}{
		{"empty", ``, []string{"no callers"}},
		{"unknown_field", "callers:\n  - name: a\n    keys: [x]\n", []string{"field keys not found"}},
		{"bad_name", "callers:\n  - name: Billing Sync\n    key_sha256: [" + hash + "]\n    token_env: BW_TOKEN_REPORTING\n    allow: ['*']\n",
			[]string{`caller "Billing Sync" (callers[0]): name:`}},
		{"bad_hash", "callers:\n  - name: a\n    key_sha256: [" + hash + ", abc]\n    token_env: BW_TOKEN_REPORTING\n    allow: ['*']\n",
			[]string{`caller "a" (callers[0]): key_sha256[1]: want 64 hex digits`}},
		{"no_credential", "callers:\n  - name: a\n    token_env: BW_TOKEN_REPORTING\n    allow: ['*']\n",
			[]string{`caller "a" (callers[0]): key_sha256: a caller needs a key hash or a client identity`}},
		{"inline_token", "callers:\n  - name: a\n    key_sha256: [" + hash + "]\n    token: abc\n    allow: ['*']\n",
			[]string{"token: tokens are never written in the callers file"}},
		{"no_token", "callers:\n  - name: a\n    key_sha256: [" + hash + "]\n    allow: ['*']\n", []string{"token_env or token_file"}},
		{"unset_env", "callers:\n  - name: a\n    key_sha256: [" + hash + "]\n    token_env: BW_UNSET\n    allow: ['*']\n",
			[]string{"token_env: the environment variable BW_UNSET is unset or empty"}},
		{"missing_token_file", "callers:\n  - name: a\n    key_sha256: [" + hash + "]\n    token_file: /nonexistent/token\n    allow: ['*']\n",
			[]string{"token_file: open /nonexistent/token"}},
		{"both_token_sources", "callers:\n  - name: a\n    key_sha256: [" + hash + "]\n    token_env: BW_TOKEN_REPORTING\n    token_file: TOKEN_FILE\n    allow: ['*']\n",
			[]string{"set one"}},
		{"no_allow", "callers:\n  - name: a\n    key_sha256: [" + hash + "]\n    token_env: BW_TOKEN_REPORTING\n", []string{"allow: list the services or methods"}},
		{"unknown_method", "callers:\n  - name: a\n    key_sha256: [" + hash + "]\n    token_env: BW_TOKEN_REPORTING\n    allow: [betterworks.v1.GoalService/Nope, betterworks.v1.Nope]\n",
			[]string{`allow[0]: no method "betterworks.v1.GoalService/Nope"`, `allow[1]: no service "betterworks.v1.Nope"`}},
		{"read_only_write", "callers:\n  - name: a\n    key_sha256: [" + hash + "]\n    token_env: BW_TOKEN_REPORTING\n    allow: [betterworks.v1.GoalService/CreateGoal]\n    read_only: true\n",
			[]string{"allow[0]: betterworks.v1.GoalService/CreateGoal has side effects, but the caller is read_only"}},
		{"bad_quota", "callers:\n  - name: a\n    key_sha256: [" + hash + "]\n    token_env: BW_TOKEN_REPORTING\n    allow: ['*']\n    quota: {rps: 0}\n", []string{"quota: want rps > 0"}},
		{"shared_key", "callers:\n  - name: a\n    key_sha256: [" + hash + "]\n    token_env: BW_TOKEN_REPORTING\n    allow: ['*']\n  - name: b\n    key_sha256: [" + hash + "]\n    token_env: BW_TOKEN_REPORTING\n    allow: ['*']\n",
			[]string{`caller "b": key hash`, `is also a key of caller "a"`}},
		{"duplicate_name", "callers:\n  - name: a\n    key_sha256: [" + hash + "]\n    token_env: BW_TOKEN_REPORTING\n    allow: ['*']\n  - name: a\n    client_identities: [CN=a]\n    token_env: BW_TOKEN_REPORTING\n    allow: ['*']\n",
			[]string{`caller "a" is listed twice`}},
		{"every_problem_at_once", "callers:\n  - name: a\n    key_sha256: [abc]\n    allow: [betterworks.v1.Nope]\n  - name: b\n    token_env: BW_UNSET\n    key_sha256: [" + hash + "]\n    allow: ['*']\n",
			[]string{`caller "a" (callers[0]): key_sha256[0]`, `caller "a" (callers[0]): token_env or token_file`, `caller "a" (callers[0]): allow[0]`, `caller "b" (callers[1]): token_env`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := auth.LoadFile(writeCallers(t, tt.body), auth.LoadOptions{Methods: methods, Getenv: getenv})
			if err == nil {
				t.Fatal("LoadFile() error = nil")
			}
			for _, want := range tt.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("LoadFile() error = %v\nwant it to contain %q", err, want)
				}
			}
			if strings.Contains(err.Error(), "env-token") || strings.Contains(err.Error(), "file-token") {
				t.Errorf("LoadFile() error shows a token: %v", err)
			}
		})
	}
}
