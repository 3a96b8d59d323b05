package clienttest_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/proto"

	betterworksv1 "github.com/bwfacade/facade/gen/betterworks/v1"
	"github.com/bwfacade/facade/gen/betterworks/v1/betterworksv1connect"
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

// followState is the state of the page's SyncGoals stream.
type followState struct {
	// State is the page's name for it: "following" once caught up,
	// "stopped", "error"...
	State string `json:"state"`
	// Received counts the goals the open (or last) stream sent.
	Received int `json:"received"`
	// CaughtUp counts its caught-up markers.
	CaughtUp int `json:"caughtUp"`
}

// followRun is what the page showed while following goals: the driver
// follows, the test renames goal GoalID, the driver waits for the new name
// in the live table, stops, the test renames it again, and the driver
// resumes and waits for that name.
type followRun struct {
	GoalID              string `json:"goalId"`
	Before              string `json:"before"`
	Renamed             string `json:"renamed"`
	RenamedWhileStopped string `json:"renamedWhileStopped"`
	// Live is the goal's name in the live table at the end.
	Live string `json:"live"`
	// AppearedAfterMs and ResumedAfterMs are how long the names took to
	// show, for the log.
	AppearedAfterMs int         `json:"appearedAfterMs"`
	ResumedAfterMs  int         `json:"resumedAfterMs"`
	FirstPass       followState `json:"firstPass"`
	Following       followState `json:"following"`
	Stopped         followState `json:"stopped"`
	Resumed         followState `json:"resumed"`
	// ChangedRows are the ids of the rows marked as changed.
	ChangedRows []string    `json:"changedRows"`
	Error       *shownError `json:"error"`
	// Requests are those the browser sent from the first click on Follow.
	Requests []request `json:"requests"`
	// Loads counts the page's loads in the whole run.
	Loads int `json:"loads"`
}

// createRun is what the page did creating a goal with sendOnce while the
// answer to its first attempt was lost.
type createRun struct {
	// Name is the goal's name; ID the id the page showed as created.
	Name string `json:"name"`
	ID   string `json:"id"`
	// Attempts are the CreateGoal requests the browser sent.
	Attempts []struct {
		// Body is the request's body, base64.
		Body   string `json:"body"`
		Status int    `json:"status"`
		// Replayed is the answer's Idempotency-Replayed header.
		Replayed string `json:"replayed"`
	} `json:"attempts"`
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
	Created               createRun   `json:"created"`
	Follow                followRun   `json:"follow"`
	Invalid               *shownError `json:"invalid"`
	Unauthenticated       *shownError `json:"unauthenticated"`
	FollowUnauthenticated struct {
		Error *shownError `json:"error"`
		State followState `json:"state"`
	} `json:"followUnauthenticated"`
	Requests []request `json:"requests"`
	Problems []string  `json:"problems"`
}

// driverMessage is a line web/e2e/browser.mjs writes on its stdout: a
// request to rename a goal, or, last, its results.
type driverMessage struct {
	Rename *struct {
		GoalID   string `json:"goalId"`
		Protocol string `json:"protocol"`
	} `json:"rename"`
	Results *browserResults `json:"results"`
}

// renameAnswer is the test's answer to a rename request, a line on the
// driver's stdin.
type renameAnswer struct {
	Name  string `json:"name,omitempty"`
	Error string `json:"error,omitempty"`
}

// browserResults is what web/e2e/browser.mjs saw.
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
// open a goal, follow goals live while this test renames one through the
// facade as another client (the new name must show without a reload),
// stop, rename again, resume from the last watermark, an invalid search,
// a wrong key, following with a wrong key. Then it loads the page from an
// origin the facade does not allow, whose calls the browser must refuse.
// Screenshots land in web/artifacts/.
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
	stdin, err := drive.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := drive.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	drive.Stderr = &stderr
	if err := drive.Start(); err != nil {
		t.Fatalf("node e2e/browser.mjs: %v", err)
	}
	renames := make(map[string][]string) // by protocol, in order
	got, talkErr := talkToDriver(stdout, stdin, func(goalID, protocol string) (string, error) {
		name := fmt.Sprintf("Renamed over %s %s", protocol, rand.Text()[:8])
		renames[protocol] = append(renames[protocol], name)
		return name, renameGoal(ctx, goalID, name)
	})
	_, _ = io.Copy(io.Discard, stdout) // whatever follows an early failure, so that the driver can exit
	if err := drive.Wait(); err != nil {
		t.Fatalf("node e2e/browser.mjs: %v\n%s", err, &stderr)
	}
	if talkErr != nil {
		t.Fatalf("node e2e/browser.mjs: %v\n%s", talkErr, &stderr)
	}

	for _, tt := range []struct {
		protocol    string
		run         pageRun
		wantRequest request
		wantStream  request
	}{
		{
			"connect", got.Connect,
			request{Method: "GET", Path: "/betterworks.v1.GoalService/ListGoals"},
			request{Method: "POST", Path: "/betterworks.v1.GoalService/SyncGoals", ContentType: "application/connect+json"},
		},
		{
			"grpcweb", got.GRPCWeb,
			request{Method: "POST", Path: "/betterworks.v1.GoalService/ListGoals", ContentType: "application/grpc-web+proto"},
			request{Method: "POST", Path: "/betterworks.v1.GoalService/SyncGoals", ContentType: "application/grpc-web+proto"},
		},
	} {
		checkPageRun(t, tt.protocol, tt.run)
		checkCreateRun(ctx, t, tt.protocol, tt.run.Created)
		if !slices.Contains(tt.run.Requests, tt.wantRequest) {
			t.Errorf("%s: the browser sent %+v, want among them %+v", tt.protocol, tt.run.Requests, tt.wantRequest)
		}
		checkFollowRun(t, tt.protocol, tt.run, renames[tt.protocol], tt.wantStream)
		t.Logf("%s: a rename showed on the following page after %d ms, on the resumed one after %d ms",
			tt.protocol, tt.run.Follow.AppearedAfterMs, tt.run.Follow.ResumedAfterMs)
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

// talkToDriver reads web/e2e/browser.mjs's stdout, answers its rename
// requests on its stdin with rename's outcome, and returns its results.
// It closes stdin once the results came, or when the driver stops talking.
func talkToDriver(stdout io.Reader, stdin io.WriteCloser, rename func(goalID, protocol string) (string, error)) (*browserResults, error) {
	defer stdin.Close()
	dec := json.NewDecoder(stdout)
	answers := json.NewEncoder(stdin)
	for {
		var msg driverMessage
		err := dec.Decode(&msg)
		switch {
		case errors.Is(err, io.EOF):
			return nil, errors.New("the driver ended without results")
		case err != nil:
			rest, _ := io.ReadAll(io.LimitReader(io.MultiReader(dec.Buffered(), stdout), 4<<10))
			return nil, fmt.Errorf("decode the driver's output: %w: %s", err, rest)
		case msg.Results != nil:
			return msg.Results, nil
		case msg.Rename != nil:
			var answer renameAnswer
			answer.Name, err = rename(msg.Rename.GoalID, msg.Rename.Protocol)
			if err != nil {
				answer = renameAnswer{Error: err.Error()}
			}
			if err := answers.Encode(answer); err != nil {
				return nil, fmt.Errorf("answer the driver: %w", err)
			}
		default:
			return nil, errors.New("the driver sent a line that is neither a rename request nor results")
		}
	}
}

// renameGoal renames goal goalID through the facade, as the demo caller
// with a generated Connect client: another client than the page.
func renameGoal(ctx context.Context, goalID, name string) error {
	bearer := connect.UnaryInterceptorFunc(func(next connect.UnaryFunc) connect.UnaryFunc {
		return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
			req.Header().Set("Authorization", "Bearer "+facade.Key)
			return next(ctx, req)
		}
	})
	goals := betterworksv1connect.NewGoalServiceClient(http.DefaultClient, facade.URL(), connect.WithInterceptors(bearer))
	_, err := goals.UpdateGoal(ctx, &betterworksv1.UpdateGoalRequest{GoalId: goalID, Name: proto.String(name)})
	if err != nil {
		return fmt.Errorf("rename goal %s: %w", goalID, err)
	}
	return nil
}

// checkFollowRun asserts what the page showed while following goals in
// one protocol's run, in which the test renamed the goal to the names
// renamed, in order; the page must have sent wantStream for each stream
// and nothing else.
func checkFollowRun(t *testing.T, protocol string, run pageRun, renamed []string, wantStream request) {
	t.Helper()
	f := run.Follow
	if len(renamed) != 2 {
		t.Fatalf("%s: the driver asked for %d renames, want 2", protocol, len(renamed))
	}
	if f.Before == renamed[0] {
		t.Errorf("%s: goal %s was named %q before the rename", protocol, f.GoalID, f.Before)
	}
	gotNames := []string{f.Renamed, f.RenamedWhileStopped, f.Live}
	if diff := cmp.Diff([]string{renamed[0], renamed[1], renamed[1]}, gotNames); diff != "" {
		t.Errorf("%s: names the live table showed (-want +got):\n%s", protocol, diff)
	}
	if f.FirstPass.State != "following" || f.FirstPass.CaughtUp < 1 || f.FirstPass.Received < len(run.Page1)+len(run.Page2) {
		t.Errorf("%s: after the first catch-up the stream is %+v, want following, caught up, with every goal", protocol, f.FirstPass)
	}
	if f.Following.State != "following" || f.Stopped.State != "stopped" {
		t.Errorf("%s: states while following and after stopping are %q and %q, want following and stopped", protocol, f.Following.State, f.Stopped.State)
	}
	// Resumed from the watermark, the stream sends what changed since,
	// not every goal again.
	if f.Resumed.State != "following" || f.Resumed.Received < 1 || f.Resumed.Received >= f.FirstPass.Received {
		t.Errorf("%s: the resumed stream is %+v, want following with the changes since the watermark (fewer than the first pass's %d goals)",
			protocol, f.Resumed, f.FirstPass.Received)
	}
	if !slices.Contains(f.ChangedRows, f.GoalID) {
		t.Errorf("%s: rows marked as changed %q, want among them %s", protocol, f.ChangedRows, f.GoalID)
	}
	if f.Error != nil {
		t.Errorf("%s: the page shows an error while following: %+v", protocol, f.Error)
	}
	// One request per stream, the first and the resumed one: the listing
	// was not fetched again, nor the page reloaded.
	if diff := cmp.Diff([]request{wantStream, wantStream}, f.Requests); diff != "" {
		t.Errorf("%s: requests from the first Follow on (-want +got):\n%s", protocol, diff)
	}
	if f.Loads != 1 {
		t.Errorf("%s: the page loaded %d times, want once", protocol, f.Loads)
	}
	checkShownError(t, protocol+": following with a wrong key", run.FollowUnauthenticated.Error, shownError{
		Code:       "Unauthenticated",
		Violations: []string{},
		Hint:       "Check the caller key.",
	}, "unknown caller key")
	if got := run.FollowUnauthenticated.State.State; got != "error" {
		t.Errorf("%s: following with a wrong key leaves the stream %q, want error", protocol, got)
	}
}

// checkCreateRun asserts that the page's goal, whose first answer was
// lost, was sent twice alike (one request_id) and made once: the retry
// got the first answer, replayed, and the goal exists once.
func checkCreateRun(ctx context.Context, t *testing.T, protocol string, run createRun) {
	t.Helper()
	if run.ID == "" {
		t.Errorf("%s: the page shows no created goal", protocol)
	}
	if len(run.Attempts) != 2 {
		t.Fatalf("%s: the browser sent CreateGoal %d times, want 2 (the lost answer's, and the retry)", protocol, len(run.Attempts))
	}
	first, retry := run.Attempts[0], run.Attempts[1]
	if first.Body != retry.Body {
		t.Errorf("%s: the retry's body differs from the first attempt's: want the same request_id and fields", protocol)
	}
	if first.Status != http.StatusOK || first.Replayed == "true" || retry.Status != http.StatusOK || retry.Replayed != "true" {
		t.Errorf("%s: answers %d (replayed %q) and %d (replayed %q), want 200 then 200 replayed", protocol, first.Status, first.Replayed, retry.Status, retry.Replayed)
	}
	bearer := connect.UnaryInterceptorFunc(func(next connect.UnaryFunc) connect.UnaryFunc {
		return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
			req.Header().Set("Authorization", "Bearer "+facade.Key)
			return next(ctx, req)
		}
	})
	goals := betterworksv1connect.NewGoalServiceClient(http.DefaultClient, facade.URL(), connect.WithInterceptors(bearer))
	found, err := goals.SearchGoals(ctx, &betterworksv1.SearchGoalsRequest{Query: run.Name, PageSize: 10})
	if err != nil {
		t.Fatalf("%s: search for the created goal: %v", protocol, err)
	}
	var ids []string
	for _, g := range found.GetGoals() {
		ids = append(ids, fmt.Sprint(g.GetId()))
	}
	if diff := cmp.Diff([]string{run.ID}, ids); diff != "" {
		t.Errorf("%s: goals named %q (-want +got):\n%s", protocol, run.Name, diff)
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
