package config_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bwfacade/facade/internal/config"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestLoadDefaultsToDemo(t *testing.T) {
	t.Parallel()
	cfg, err := config.Load(env(nil))
	if err != nil {
		t.Fatalf("Load() error = %v", err)
	}
	if !cfg.Demo() || cfg.Addr != config.DefaultAddr || cfg.LogFormat != "text" {
		t.Errorf("Load() = %+v, want demo mode on %s with text logs", cfg, config.DefaultAddr)
	}
}

func TestLoadTenantReadsTokenFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(path, []byte("  tenant-token\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(env(map[string]string{
		config.EnvUpstreamURL:     "https://preview.betterworks.com/api/v1/",
		config.EnvUpstreamTokenFn: path,
		config.EnvCallerKeyHash:   strings.Repeat("AB", 32),
	}))
	if err != nil {
		t.Fatalf("Load() error = %v", err)
	}
	if cfg.Demo() || cfg.UpstreamToken != "tenant-token" || cfg.LogFormat != "json" || cfg.CallerKeyHash != strings.Repeat("ab", 32) {
		t.Errorf("Load() = demo %v, format %q, hash %q; want the tenant, its trimmed token, json logs, a lower-case hash",
			cfg.Demo(), cfg.LogFormat, cfg.CallerKeyHash)
	}
}

func TestLoadRejects(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"token_and_file", map[string]string{config.EnvUpstreamToken: "a", config.EnvUpstreamTokenFn: "/nonexistent"}, "set one"},
		{"missing_token_file", map[string]string{config.EnvUpstreamTokenFn: "/nonexistent/token"}, config.EnvUpstreamTokenFn},
		{"tenant_without_key_hash", map[string]string{config.EnvUpstreamURL: "https://app.betterworks.com/api/v1/", config.EnvUpstreamToken: "t"}, config.EnvCallerKeyHash},
		{"faults_with_tenant", map[string]string{
			config.EnvUpstreamURL: "https://app.betterworks.com/api/v1/", config.EnvUpstreamToken: "t",
			config.EnvCallerKeyHash: strings.Repeat("a", 64), config.EnvSandboxFaults: "*:status=500",
		}, config.EnvSandboxFaults},
		{"log_format", map[string]string{config.EnvLogFormat: "xml"}, config.EnvLogFormat},
		{"log_level", map[string]string{config.EnvLogLevel: "loud"}, config.EnvLogLevel},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := config.Load(env(tt.env))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Load() error = %v, want one naming %q", err, tt.want)
			}
		})
	}
}

func TestLoadErrorsNeverShowTheToken(t *testing.T) {
	t.Parallel()
	_, err := config.Load(env(map[string]string{
		config.EnvUpstreamURL:   "ftp://app.betterworks.com",
		config.EnvUpstreamToken: "secret-tenant-token",
	}))
	if err == nil || strings.Contains(err.Error(), "secret-tenant-token") {
		t.Errorf("Load() error = %v, want an error without the token", err)
	}
}
