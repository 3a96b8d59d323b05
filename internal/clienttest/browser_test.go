package clienttest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// requireBrowserEnv makes a missing browser toolchain fail the test
// instead of skipping it; `make test`, which installs the toolchain, sets it.
const requireBrowserEnv = "BWFACADE_REQUIRE_BROWSER"

// chromium is Debian's package's binary, which `make test` installs.
const chromium = "/usr/bin/chromium"

// shownError is what the page shows of a failed call.
type shownError struct {
	Code       string   `json:"code"`
	Message    string   `json:"message"`
	Violations []string `json:"violations"`
	Hint       string   `json:"hint"`
}

// listedGoal is a row of the page's goal table.
type listedGoal struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type request struct {
	Method      string `json:"method"`
	Path        string `json:"path"`
	ContentType string `json:"contentType"`
}

// pageRun is what web/e2e/browser.mjs saw in one protocol's run.
type pageRun struct {
	Page1       []listedGoal `json:"page1"`
	Page2       []listedGoal `json:"page2"`
	BackToFirst []listedGoal `json:"backToFirst"`
	Labels      []string     `json:"labels"`
	Goal        struct {
		Name       string   `json:"name"`
		KeyResults []string `json:"keyResults"`
	} `json:"goal"`
	Invalid         *shownError `json:"invalid"`
	Unauthenticated *shownError `json:"unauthenticated"`
	Requests        []request   `json:"requests"`
	Problems        []string    `json:"problems"`
}

// browserResults is the JSON web/e2e/browser.mjs prints.
type browserResults struct {
	Connect     pageRun `json:"connect"`
	GRPCWeb     pageRun `json:"grpcweb"`
	OtherOrigin struct {
		Error    *shownError `json:"error"`
		Requests []request   `json:"requests"`
	} `json:"otherOrigin"`
}

// needBrowser skips t, or fails it when requireBrowserEnv is set, if node,
// web/node_modules or Chromium is missing.
func needBrowser(t *testing.T) {
	t.Helper()
	var missing []string
	if _, err := exec.LookPath("node"); err != nil {
		missing = append(missing, "node")
	}
	if _, err := os.Stat(filepath.Join(root, "web", "node_modules", "playwright-core")); err != nil {
		missing = append(missing, "web/node_modules (npm ci in web/)")
	}
	if _, err := os.Stat(chromium); err != nil {
		missing = append(missing, chromium+" (apt-get install chromium)")
	}
	switch {
	case len(missing) == 0:
	case os.Getenv(requireBrowserEnv) != "":
		t.Fatalf("missing %s; `make test` provisions them", strings.Join(missing, ", "))
	default:
		t.Skipf("missing %s; `make test` provisions them", strings.Join(missing, ", "))
	}
}

// TestExamplePageInChromium builds the example page, serves it from an
// origin the facade allows, and drives it in headless Chromium over
// Connect (reads as GET) and gRPC-Web: key, list, page forward and back,
// open a goal, an invalid search, a wrong key. Then it loads the page from
// an origin the facade does not allow, whose calls the browser must
// refuse. Screenshots land in web/artifacts/.
func TestExamplePageInChromium(t *testing.T) {
	t.Parallel()
	needBrowser(t)
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	web := filepath.Join(root, "web")
	build := exec.CommandContext(ctx, "npm", "run", "--silent", "build")
	build.Dir = web
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("npm run build: %v\n%s", err, out)
	}

	if err := os.RemoveAll(filepath.Join(web, "artifacts")); err != nil { // screenshots of an earlier run
		t.Fatal(err)
	}
	// localhost and 127.0.0.1 are different origins for the same server.
	otherOrigin := strings.Replace(pageOrigin, "127.0.0.1", "localhost", 1)
	drive := exec.CommandContext(ctx, "node", "e2e/browser.mjs")
	drive.Dir = web
	drive.Env = append(os.Environ(),
		"PAGE_URL="+pageOrigin,
		"OTHER_ORIGIN_PAGE_URL="+otherOrigin,
		"FACADE_URL="+facade.URL(),
		"CALLER_KEY="+facade.Key,
		"ARTIFACTS_DIR=artifacts",
		"CHROMIUM="+chromium,
	)
	var stdout, stderr bytes.Buffer
	drive.Stdout, drive.Stderr = &stdout, &stderr
	if err := drive.Run(); err != nil {
		t.Fatalf("node e2e/browser.mjs: %v\n%s", err, &stderr)
	}
	var got browserResults
	if err := json.Unmarshal(stdout.Bytes(), &got); err != nil {
		t.Fatalf("decode the driver's output: %v\n%s", err, &stdout)
	}

	for _, tt := range []struct {
		protocol    string
		run         pageRun
		wantRequest request
	}{
		{"connect", got.Connect, request{Method: "GET", Path: "/betterworks.v1.GoalService/ListGoals"}},
		{"grpcweb", got.GRPCWeb, request{Method: "POST", Path: "/betterworks.v1.GoalService/ListGoals", ContentType: "application/grpc-web+proto"}},
	} {
		checkPageRun(t, tt.protocol, tt.run)
		if !slices.Contains(tt.run.Requests, tt.wantRequest) {
			t.Errorf("%s: the browser sent %+v, want among them %+v", tt.protocol, tt.run.Requests, tt.wantRequest)
		}
	}
	if diff := cmp.Diff(got.Connect.Page1, got.GRPCWeb.Page1); diff != "" {
		t.Errorf("first page differs between Connect and gRPC-Web (-connect +grpcweb):\n%s", diff)
	}

	refused := got.OtherOrigin.Error
	if refused == nil || refused.Code != "Unknown" || !strings.Contains(refused.Hint, "allows this page's origin") {
		t.Errorf("page from %s shows error %+v, want code Unknown with a hint about the origin", otherOrigin, refused)
	}
	if len(got.OtherOrigin.Requests) == 0 {
		t.Errorf("page from %s sent no request, want one the browser refuses", otherOrigin)
	}
}

// checkPageRun asserts what the page showed in one protocol's run.
func checkPageRun(t *testing.T, protocol string, run pageRun) {
	t.Helper()
	if len(run.Page1) != 10 || len(run.Page2) == 0 {
		t.Fatalf("%s: pages of %d and %d goals, want 10 and some", protocol, len(run.Page1), len(run.Page2))
	}
	for _, goal := range run.Page2 {
		if slices.Contains(run.Page1, goal) {
			t.Errorf("%s: goal %+v is on pages 1 and 2", protocol, goal)
		}
	}
	if diff := cmp.Diff(run.Page1, run.BackToFirst); diff != "" {
		t.Errorf("%s: page 1 differs after paging back (-first +again):\n%s", protocol, diff)
	}
	if diff := cmp.Diff([]string{"Page 1", "Page 2"}, run.Labels); diff != "" {
		t.Errorf("%s: page labels (-want +got):\n%s", protocol, diff)
	}
	if run.Goal.Name != run.Page1[0].Name {
		t.Errorf("%s: opened goal %q, want the first listed, %q", protocol, run.Goal.Name, run.Page1[0].Name)
	}
	wantKeyResults := []string{"Reach 100 Customers (53%)", "Hit 20 Customers (90%)"}
	if diff := cmp.Diff(wantKeyResults, run.Goal.KeyResults); diff != "" {
		t.Errorf("%s: key results of %q (-want +got):\n%s", protocol, run.Goal.Name, diff)
	}
	checkShownError(t, protocol+": invalid search", run.Invalid, shownError{
		Code:       "InvalidArgument",
		Violations: []string{"query: must be at least 3 characters"},
		Hint:       "Retrying will not help: change the request.",
	}, "query: must be at least 3 characters")
	checkShownError(t, protocol+": wrong key", run.Unauthenticated, shownError{
		Code:       "Unauthenticated",
		Violations: []string{},
		Hint:       "Check the caller key.",
	}, "unknown caller key")
	if len(run.Problems) > 0 {
		t.Errorf("%s: problems in the page: %q", protocol, run.Problems)
	}
}

// checkShownError asserts that the page showed want, with a message that
// contains inMessage.
func checkShownError(t *testing.T, what string, got *shownError, want shownError, inMessage string) {
	t.Helper()
	if got == nil {
		t.Errorf("%s: the page shows no error, want %+v", what, want)
		return
	}
	if !strings.Contains(got.Message, inMessage) {
		t.Errorf("%s: message %q, want it to contain %q", what, got.Message, inMessage)
	}
	gotRest := *got
	gotRest.Message = ""
	if diff := cmp.Diff(want, gotRest); diff != "" {
		t.Errorf("%s: error shown (-want +got):\n%s", what, diff)
	}
}
