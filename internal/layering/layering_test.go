// Package layering holds the test that keeps the import rules of STYLE.md
// true: service -> {auth, upstream}; upstream, ratelimit and sandbox import
// nothing of ours, nor gen/ or Connect; only cmd/server and internal/server
// wire the pieces together.
package layering

import (
	"bytes"
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/bwfacade/facade"

// rules says, per package of ours, which of our packages it may import
// (by path relative to the module) and which outside prefixes it must not.
var rules = map[string]struct {
	allowOurs   []string
	forbidOther []string
}{
	"internal/upstream":    {forbidOther: []string{"connectrpc.com/", "google.golang.org/protobuf", "google.golang.org/genproto"}},
	"internal/ratelimit":   {forbidOther: []string{"connectrpc.com/", "google.golang.org/protobuf", "google.golang.org/genproto"}},
	"internal/sandbox":     {forbidOther: []string{"connectrpc.com/", "google.golang.org/protobuf", "google.golang.org/genproto"}},
	"internal/rpcerr":      {},
	"internal/seal":        {forbidOther: []string{"connectrpc.com/", "google.golang.org/protobuf", "google.golang.org/genproto"}},
	"internal/redistest":   {allowOurs: []string{"internal/logtest"}},
	"internal/auth":        {allowOurs: []string{"internal/rpcerr", "internal/upstream"}},
	"internal/config":      {allowOurs: []string{"internal/seal"}},
	"internal/service":     {allowOurs: []string{"gen/", "internal/auth", "internal/idempotency", "internal/rpcerr", "internal/seal", "internal/upstream"}},
	"internal/server":      {allowOurs: []string{"gen/", "internal/auth", "internal/idempotency", "internal/protojsonenc", "internal/ratelimit", "internal/readcache", "internal/rpcerr", "internal/seal", "internal/upstream", "internal/service"}},
	"internal/idempotency": {forbidOther: []string{"connectrpc.com/", "google.golang.org/protobuf", "google.golang.org/genproto"}},
	"internal/readcache":   {forbidOther: []string{"connectrpc.com/", "google.golang.org/protobuf", "google.golang.org/genproto"}},
	"internal/telemetry":   {},
	"cmd/server":           {allowOurs: []string{"internal/auth", "internal/config", "internal/idempotency", "internal/ratelimit", "internal/readcache", "internal/sandbox", "internal/seal", "internal/server", "internal/telemetry", "internal/upstream"}},

	// The load harness wires the facade as cmd/server does, and reads its
	// answers as a client does (reasons, the replayed header).
	"cmd/loadtest": {allowOurs: []string{"gen/", "internal/auth", "internal/idempotency", "internal/ratelimit", "internal/rpcerr", "internal/sandbox", "internal/seal", "internal/server", "internal/service", "internal/telemetry", "internal/upstream"}},

	// End-to-end tests run the binaries and import nothing of ours but
	// the log capture.
	"internal/clienttest": {allowOurs: []string{"internal/logtest"}},
	// Test support: imports nothing of ours.
	"internal/logtest": {},
	// The test stack: the sandbox behind the facade, as the server builds it.
	"internal/facadetest": {allowOurs: []string{"gen/", "internal/auth", "internal/ratelimit", "internal/sandbox", "internal/seal", "internal/server", "internal/upstream"}},
	// This package: tests only.
	"internal/layering": {},

	// The JSON encoder of the Connect JSON codec: imports nothing of
	// ours, and knows protobuf, not Connect.
	"internal/protojsonenc": {forbidOther: []string{"connectrpc.com/"}},

	// Generated code imports only generated code.
	"gen/betterworks/v1":                      {},
	"gen/betterworks/v1/betterworksv1connect": {allowOurs: []string{"gen/betterworks/v1"}},
}

type listedPackage struct {
	ImportPath string
	Imports    []string
}

func TestImportsFollowLayering(t *testing.T) {
	t.Parallel()
	out, err := exec.CommandContext(t.Context(), "go", "list", "-json=ImportPath,Imports", module+"/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	checked := 0
	dec := json.NewDecoder(bytes.NewReader(out))
	for dec.More() {
		var p listedPackage
		if err := dec.Decode(&p); err != nil {
			t.Fatalf("decode go list output: %v", err)
		}
		rel := strings.TrimPrefix(strings.TrimPrefix(p.ImportPath, module), "/")
		rule, ok := rules[rel]
		if !ok {
			t.Errorf("package %s has no layering rule: add one to rules", rel)
			continue
		}
		checked++
		for _, imp := range p.Imports {
			if ours, isOurs := strings.CutPrefix(imp, module+"/"); isOurs {
				if !hasAnyPrefix(ours, rule.allowOurs) {
					t.Errorf("%s imports %s; allowed: %v", rel, ours, rule.allowOurs)
				}
				continue
			}
			if hasAnyPrefix(imp, rule.forbidOther) {
				t.Errorf("%s imports %s; forbidden: %v", rel, imp, rule.forbidOther)
			}
		}
	}
	if checked != len(rules) {
		t.Errorf("checked %d packages, want the %d the rules name: a rule names a package that no longer exists", checked, len(rules))
	}
}

// TestOnlyCommandsImportCommands keeps main packages at the top.
func TestOnlyCommandsImportCommands(t *testing.T) {
	t.Parallel()
	out, err := exec.CommandContext(t.Context(), "go", "list", "-f", `{{.ImportPath}} {{join .Imports " "}}`, module+"/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		for _, imp := range fields[1:] {
			if strings.HasPrefix(imp, module+"/cmd/") {
				t.Errorf("%s imports command %s", fields[0], imp)
			}
		}
	}
}

func hasAnyPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}
