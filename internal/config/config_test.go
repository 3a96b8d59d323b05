package config_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

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

func TestLoadDemoDate(t *testing.T) {
	t.Parallel()
	cfg, err := config.Load(env(map[string]string{config.EnvDemoDate: "2025-03-14"}))
	if err != nil {
		t.Fatalf("Load() error = %v", err)
	}
	if want := time.Date(2025, 3, 14, 0, 0, 0, 0, time.UTC); !cfg.DemoDate.Equal(want) {
		t.Errorf("Load() DemoDate = %v, want %v", cfg.DemoDate, want)
	}
}

func TestLoadCacheTTL(t *testing.T) {
	t.Parallel()
	cfg, err := config.Load(env(map[string]string{config.EnvCacheTTL: " GoalService/GetGoal=30s, PeopleService/GetUser=5m"}))
	if err != nil {
		t.Fatalf("Load() error = %v", err)
	}
	want := map[string]time.Duration{
		"/betterworks.v1.GoalService/GetGoal":   30 * time.Second,
		"/betterworks.v1.PeopleService/GetUser": 5 * time.Minute,
	}
	if diff := cmp.Diff(want, cfg.CacheTTL); diff != "" {
		t.Errorf("Load() CacheTTL mismatch (-want +got):\n%s", diff)
	}
}

func TestLoadTimeouts(t *testing.T) {
	t.Parallel()
	cfg, err := config.Load(env(nil))
	if err != nil {
		t.Fatalf("Load() error = %v", err)
	}
	if cfg.BodyReadTimeout != 5*time.Second || cfg.RedisLimitTimeout != 50*time.Millisecond {
		t.Errorf("Load() defaults: body read %v, Redis limit %v; want 5s, 50ms", cfg.BodyReadTimeout, cfg.RedisLimitTimeout)
	}
	cfg, err = config.Load(env(map[string]string{config.EnvBodyReadTimeout: "1500ms", config.EnvRedisLimitTimeout: " 250ms "}))
	if err != nil {
		t.Fatalf("Load() error = %v", err)
	}
	if cfg.BodyReadTimeout != 1500*time.Millisecond || cfg.RedisLimitTimeout != 250*time.Millisecond {
		t.Errorf("Load(): body read %v, Redis limit %v; want 1.5s, 250ms", cfg.BodyReadTimeout, cfg.RedisLimitTimeout)
	}
}

func TestLoadConnectionAge(t *testing.T) {
	t.Parallel()
	cfg, err := config.Load(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.MaxConnectionAge != 30*time.Minute || cfg.MaxConnectionAgeGrace != time.Minute {
		t.Errorf("Load() connection age = %v, grace %v; want 30m and 1m by default", cfg.MaxConnectionAge, cfg.MaxConnectionAgeGrace)
	}
	cfg, err = config.Load(env(map[string]string{config.EnvMaxConnAge: "0"}))
	if err != nil || cfg.MaxConnectionAge != 0 {
		t.Errorf("Load(%s=0) = %v, %v; want ageing off", config.EnvMaxConnAge, cfg, err)
	}
}

func TestLoadTenant(t *testing.T) {
	t.Parallel()
	cfg, err := config.Load(env(map[string]string{
		config.EnvUpstreamURL:       "https://preview.betterworks.com/api/v1/",
		config.EnvCallersFile:       "/etc/bwfacade/callers.yaml",
		config.EnvHealthNeedKey:     "true",
		config.EnvReflectionNeedKey: "false",
		config.EnvPageTokenKeysFile: "/etc/bwfacade/page-token-keys",
	}))
	if err != nil {
		t.Fatalf("Load() error = %v", err)
	}
	if cfg.Demo() || cfg.CallersFile != "/etc/bwfacade/callers.yaml" || cfg.LogFormat != "json" || !cfg.HealthRequiresKey || cfg.ReflectionRequiresKey ||
		cfg.PageTokenKeysFile != "/etc/bwfacade/page-token-keys" {
		t.Errorf("Load() = %+v; want the tenant, its callers and page token keys files, json logs, health closed and reflection open", cfg)
	}
}

func TestLoadPageTokenKeys(t *testing.T) {
	t.Parallel()
	tenant := func(extra map[string]string) map[string]string {
		m := map[string]string{config.EnvUpstreamURL: "https://app.betterworks.com/api/v1/", config.EnvCallersFile: "c.yaml"}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	tests := []struct {
		name     string
		env      map[string]string
		wantKeys int
	}{
		{"demo_generates", nil, 0},
		{"tenant_one_key", tenant(map[string]string{config.EnvPageTokenKeys: strings.Repeat("0f", 32)}), 1},
		{"tenant_rotating", tenant(map[string]string{config.EnvPageTokenKeys: strings.Repeat("0f", 32) + ", " + strings.Repeat("A1", 48)}), 2},
		{"tenant_file", tenant(map[string]string{config.EnvPageTokenKeysFile: "/run/secrets/page-token-keys"}), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg, err := config.Load(env(tt.env))
			if err != nil {
				t.Fatalf("Load() error = %v", err)
			}
			if len(cfg.PageTokenKeys) != tt.wantKeys {
				t.Errorf("Load() PageTokenKeys = %d keys, want %d", len(cfg.PageTokenKeys), tt.wantKeys)
			}
		})
	}
}

// TestLoadRejectsPageTokenKeys: errors name the variable at fault and
// never show a key.
func TestLoadRejectsPageTokenKeys(t *testing.T) {
	t.Parallel()
	tenant := map[string]string{config.EnvUpstreamURL: "https://app.betterworks.com/api/v1/", config.EnvCallersFile: "c.yaml"}
	short := strings.Repeat("5e", 31)
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"tenant_without_keys", tenant, config.EnvPageTokenKeysFile + " or " + config.EnvPageTokenKeys},
		{"short_key", map[string]string{config.EnvPageTokenKeys: short}, config.EnvPageTokenKeys + ": key 1: a key needs at least 32 bytes"},
		{"second_key_not_hex", map[string]string{config.EnvPageTokenKeys: strings.Repeat("5e", 32) + "," + strings.Repeat("5g", 32)}, config.EnvPageTokenKeys + ": key 2: a key is hex digits"},
		{"both", map[string]string{config.EnvPageTokenKeys: strings.Repeat("5e", 32), config.EnvPageTokenKeysFile: "keys"}, "exclude each other"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := config.Load(env(tt.env))
			if err == nil || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "5e5e") || strings.Contains(err.Error(), "5g5g") {
				t.Errorf("Load() error = %v, want one saying %q and showing no key", err, tt.want)
			}
		})
	}
}

func TestLoadCORSOrigins(t *testing.T) {
	t.Parallel()
	cfg, err := config.Load(env(map[string]string{config.EnvCORSOrigins: " https://app.example.com, http://localhost:5173 "}))
	if err != nil {
		t.Fatalf("Load() error = %v", err)
	}
	want := []string{"https://app.example.com", "http://localhost:5173"}
	if diff := cmp.Diff(want, cfg.CORSOrigins); diff != "" {
		t.Errorf("Load() CORSOrigins mismatch (-want +got):\n%s", diff)
	}
}

func TestLoadRejects(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"tenant_without_callers", map[string]string{config.EnvUpstreamURL: "https://app.betterworks.com/api/v1/"}, config.EnvCallersFile},
		{"callers_in_demo", map[string]string{config.EnvCallersFile: "callers.yaml"}, config.EnvUpstreamURL},
		{"faults_with_tenant", map[string]string{
			config.EnvUpstreamURL: "https://app.betterworks.com/api/v1/", config.EnvCallersFile: "c.yaml", config.EnvSandboxFaults: "*:status=500",
		}, config.EnvSandboxFaults},
		{"scale_with_tenant", map[string]string{
			config.EnvUpstreamURL: "https://app.betterworks.com/api/v1/", config.EnvCallersFile: "c.yaml", config.EnvSandboxScale: "users=1000",
		}, config.EnvSandboxScale},
		{"demo_key_with_tenant", map[string]string{
			config.EnvUpstreamURL: "https://app.betterworks.com/api/v1/", config.EnvCallersFile: "c.yaml", config.EnvDemoKeyHash: strings.Repeat("a", 64),
		}, config.EnvDemoKeyHash},
		{"bad_demo_key_hash", map[string]string{config.EnvDemoKeyHash: "abc"}, "64 hex digits"},
		{"demo_date_with_tenant", map[string]string{
			config.EnvUpstreamURL: "https://app.betterworks.com/api/v1/", config.EnvCallersFile: "c.yaml", config.EnvDemoDate: "2025-03-14",
		}, config.EnvDemoDate},
		{"bad_demo_date", map[string]string{config.EnvDemoDate: "14/03/2025"}, "YYYY-MM-DD"},
		{"cache_ttl_without_duration", map[string]string{config.EnvCacheTTL: "GoalService/GetGoal"}, config.EnvCacheTTL},
		{"cache_ttl_negative", map[string]string{config.EnvCacheTTL: "GoalService/GetGoal=-1s"}, config.EnvCacheTTL},
		{"cache_ttl_not_a_method", map[string]string{config.EnvCacheTTL: "GetGoal=1s"}, config.EnvCacheTTL},
		{"redis_mode_unknown", map[string]string{config.EnvRedisURL: "redis://r:6379", config.EnvRedisMode: "ring"}, config.EnvRedisMode},
		{"redis_mode_without_url", map[string]string{config.EnvRedisMode: "cluster"}, config.EnvRedisURL},
		{"export_ahead_zero", map[string]string{config.EnvExportAhead: "0"}, config.EnvExportAhead},
		{"connection_age_negative", map[string]string{config.EnvMaxConnAge: "-1m"}, config.EnvMaxConnAge},
		{"connection_age_grace_not_a_duration", map[string]string{config.EnvMaxConnAgeGrace: "soon"}, config.EnvMaxConnAgeGrace},
		{"client_ca_without_tls", map[string]string{config.EnvTLSClientCA: "ca.pem"}, config.EnvTLSClientCA},
		{"bool", map[string]string{config.EnvHealthNeedKey: "sometimes"}, config.EnvHealthNeedKey},
		{"log_format", map[string]string{config.EnvLogFormat: "xml"}, config.EnvLogFormat},
		{"log_level", map[string]string{config.EnvLogLevel: "loud"}, config.EnvLogLevel},
		{"cors_any_origin", map[string]string{config.EnvCORSOrigins: "*"}, config.EnvCORSOrigins},
		{"cors_origin_with_path", map[string]string{config.EnvCORSOrigins: "https://app.example.com/goals"}, config.EnvCORSOrigins},
		{"cors_origin_without_scheme", map[string]string{config.EnvCORSOrigins: "app.example.com"}, config.EnvCORSOrigins},
		{"cors_origin_upper_case", map[string]string{config.EnvCORSOrigins: "https://App.example.com"}, config.EnvCORSOrigins},
		{"cors_empty_origin", map[string]string{config.EnvCORSOrigins: "https://app.example.com,"}, config.EnvCORSOrigins},
		{"body_timeout_unitless", map[string]string{config.EnvBodyReadTimeout: "5"}, config.EnvBodyReadTimeout},
		{"redis_ca_without_tls", map[string]string{config.EnvRedisURL: "redis://r:6379", config.EnvRedisCAFile: "ca.pem"}, config.EnvRedisCAFile + " needs a rediss://"},
		{"request_id_ttl_shorter_than_a_lease", map[string]string{config.EnvRequestIDTTL: "10s"}, config.EnvRequestIDTTL + ": want a duration of at least 10m0s"},
		{"body_timeout_zero", map[string]string{config.EnvBodyReadTimeout: "0s"}, config.EnvBodyReadTimeout},
		{"redis_limit_timeout_unitless", map[string]string{config.EnvRedisLimitTimeout: "50"}, config.EnvRedisLimitTimeout},
		{"redis_limit_timeout_negative", map[string]string{config.EnvRedisLimitTimeout: "-1s"}, config.EnvRedisLimitTimeout},
		{"max_connections_zero", map[string]string{config.EnvMaxConns: "0"}, config.EnvMaxConns},
		{"max_connections_per_peer_fraction", map[string]string{config.EnvMaxConnsPerPeer: "2.5"}, config.EnvMaxConnsPerPeer},
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

func TestLoadResilience(t *testing.T) {
	t.Parallel()
	cfg, err := config.Load(env(map[string]string{
		config.EnvRedisURL: "redis://:secret@redis:6379/2", config.EnvReplicas: "3",
		config.EnvUpstreamRPS: "2.5", config.EnvUpstreamBurst: "4",
	}))
	if err != nil {
		t.Fatalf("Load() error = %v", err)
	}
	if cfg.RedisURL != "redis://:secret@redis:6379/2" || cfg.Replicas != 3 || cfg.UpstreamRPS != 2.5 || cfg.UpstreamBurst != 4 {
		t.Errorf("Load() = %+v", cfg)
	}
	defaults, _ := config.Load(env(nil))
	if defaults.Replicas != 1 || defaults.UpstreamRPS != 5 || defaults.UpstreamBurst != 10 {
		t.Errorf("Load() defaults = replicas %d, %g rps, burst %d; want 1, 5, 10", defaults.Replicas, defaults.UpstreamRPS, defaults.UpstreamBurst)
	}
	for name, v := range map[string]string{
		config.EnvRedisURL: "http://:secret@redis", config.EnvReplicas: "1.5", config.EnvUpstreamRPS: "0", config.EnvUpstreamBurst: "-1",
	} {
		_, err := config.Load(env(map[string]string{name: v}))
		if err == nil || !strings.Contains(err.Error(), name) || strings.Contains(err.Error(), "secret") {
			t.Errorf("Load(%s=%q) error = %v, want one naming the variable and not its value's secret", name, v, err)
		}
	}
}

func TestLoadConnectionBounds(t *testing.T) {
	t.Parallel()
	type bounds struct {
		BodyReadTimeout                       time.Duration
		MaxConnections, MaxConnectionsPerPeer int
	}
	tests := []struct {
		name string
		env  map[string]string
		want bounds
	}{
		{"defaults", nil, bounds{5 * time.Second, 4096, 256}},
		{"set", map[string]string{
			config.EnvBodyReadTimeout: "1500ms", config.EnvMaxConns: "10000", config.EnvMaxConnsPerPeer: "1000",
		}, bounds{1500 * time.Millisecond, 10000, 1000}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg, err := config.Load(env(tt.env))
			if err != nil {
				t.Fatalf("Load() error = %v", err)
			}
			got := bounds{cfg.BodyReadTimeout, cfg.MaxConnections, cfg.MaxConnectionsPerPeer}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Load() bounds mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLoadReportFiles(t *testing.T) {
	t.Parallel()
	cfg, err := config.Load(env(map[string]string{
		config.EnvReportHosts:    " files.example.com, s3.amazonaws.com:443 ,",
		config.EnvReportMaxBytes: "1048576",
		config.EnvReportReads:    "4",
	}))
	if err != nil {
		t.Fatalf("Load() error = %v", err)
	}
	if cfg.ReportReads != 4 {
		t.Errorf("ReportReads = %d, want 4", cfg.ReportReads)
	}
	if diff := cmp.Diff([]string{"files.example.com", "s3.amazonaws.com:443"}, cfg.ReportHosts); diff != "" {
		t.Errorf("ReportHosts (-want +got):\n%s", diff)
	}
	if cfg.ReportMaxBytes != 1<<20 {
		t.Errorf("ReportMaxBytes = %d, want 1 MiB", cfg.ReportMaxBytes)
	}
}

func TestLoadRejectsReportFiles(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, key, value string }{
		{"url_not_host", config.EnvReportHosts, "https://files.example.com/"},
		{"path", config.EnvReportHosts, "files.example.com/reports"},
		{"user", config.EnvReportHosts, "me@files.example.com"},
		{"zero_bytes", config.EnvReportMaxBytes, "0"},
		{"not_a_number", config.EnvReportMaxBytes, "64MiB"},
		{"no_reads", config.EnvReportReads, "0"},
		{"max_streams_zero", config.EnvMaxStreams, "0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := config.Load(env(map[string]string{tt.key: tt.value}))
			if err == nil || !strings.Contains(err.Error(), tt.key) {
				t.Errorf("Load(%s=%q) error = %v, want one naming %s", tt.key, tt.value, err, tt.key)
			}
		})
	}
}
