package clienttest_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// walkthrough is README.md's grpcurl and buf curl walkthrough, command by
// command, with what each must print. The README must list exactly these
// commands, in this order.
var walkthrough = []struct {
	name    string
	command string
	// wantFail is whether the command must exit non-zero.
	wantFail bool
	// want are substrings of its standard output and error.
	want []string
}{
	{
		name:    "list",
		command: `go tool grpcurl -plaintext localhost:8080 list`,
		want: []string{
			"betterworks.v1.ConversationService\nbetterworks.v1.FeedbackService\nbetterworks.v1.GoalService\nbetterworks.v1.PeopleService\nbetterworks.v1.ReportService\n",
			"grpc.health.v1.Health\n",
			"grpc.reflection.v1.ServerReflection\n",
		},
	},
	{
		name:    "describe_service",
		command: `go tool grpcurl -plaintext localhost:8080 describe betterworks.v1.GoalService`,
		want: []string{
			"betterworks.v1.GoalService is a service:",
			"rpc GetGoal ( .betterworks.v1.GetGoalRequest ) returns ( .betterworks.v1.GetGoalResponse ) {\n    option idempotency_level = NO_SIDE_EFFECTS;",
		},
	},
	{
		name:    "describe_message",
		command: `go tool grpcurl -plaintext localhost:8080 describe betterworks.v1.ListGoalsRequest`,
		want:    []string{"betterworks.v1.ListGoalsRequest is a message:", "string page_token = 2"},
	},
	{
		name:    "health",
		command: `go tool grpcurl -plaintext localhost:8080 grpc.health.v1.Health/Check`,
		want:    []string{`"status": "SERVING_STATUS_SERVING"`},
	},
	{
		name:    "unary_call",
		command: `go tool grpcurl -plaintext -H "authorization: Bearer $KEY" -d '{"goal_id": "1001"}' localhost:8080 betterworks.v1.GoalService/GetGoal`,
		want:    []string{`"id": "1001"`, `"name": "Grow annual recurring revenue"`},
	},
	{
		name:    "paged_list",
		command: `go tool grpcurl -plaintext -H "authorization: Bearer $KEY" -d '{"page_size": 5, "risk": "GOAL_RISK_AT_RISK"}' localhost:8080 betterworks.v1.GoalService/ListGoals`,
		want:    []string{`"goals": [`, `"nextPageToken": "`},
	},
	{
		name:     "field_violation",
		command:  `go tool grpcurl -plaintext -H "authorization: Bearer $KEY" -d '{"query": "ab"}' localhost:8080 betterworks.v1.GoalService/SearchGoals`,
		wantFail: true,
		want: []string{
			"Code: InvalidArgument",
			"Message: validation error: query: must be at least 3 characters",
			`"@type": "type.googleapis.com/buf.validate.Violations"`,
			`"fieldName": "query"`,
			`"ruleId": "string.min_len"`,
		},
	},
	{
		name:     "not_found",
		command:  `go tool grpcurl -plaintext -H "authorization: Bearer $KEY" -d '{"goal_id": "999999"}' localhost:8080 betterworks.v1.GoalService/GetGoal`,
		wantFail: true,
		want: []string{
			"Code: NotFound",
			`"@type": "type.googleapis.com/google.rpc.ErrorInfo"`,
			`"reason": "UPSTREAM_NOT_FOUND"`,
			`"upstream_endpoint": "GET /goals/{id}/"`,
		},
	},
	{
		name:     "unauthenticated",
		command:  `go tool grpcurl -plaintext -d '{"goal_id": "1"}' localhost:8080 betterworks.v1.GoalService/GetGoal`,
		wantFail: true,
		want:     []string{"Code: Unauthenticated"},
	},
	{
		name:    "export",
		command: `go tool grpcurl -plaintext -H "authorization: Bearer $KEY" -d '{"filter": {"page_size": 50}}' localhost:8080 betterworks.v1.GoalService/ExportGoals`,
		want:    []string{`"goals": [`, `"progress": {`, `"resumeToken": "`, `"syncWatermark": "`},
	},
	{
		name:    "sync",
		command: `go tool grpcurl -plaintext -H "authorization: Bearer $KEY" -d '{"filter": {"page_size": 100}}' localhost:8080 betterworks.v1.GoalService/SyncGoals`,
		want:    []string{`"goals": [`, `"watermark": "`, `"caughtUp": true`},
	},
	{
		name:     "follow",
		command:  `go tool grpcurl -plaintext -max-time 8 -H "authorization: Bearer $KEY" -d '{"follow": true, "poll_interval": "5s"}' localhost:8080 betterworks.v1.GoalService/SyncGoals`,
		wantFail: true,
		want:     []string{`"caughtUp": true`, "Code: DeadlineExceeded"},
	},
	{
		name:    "report_create",
		command: `go tool grpcurl -plaintext -H "authorization: Bearer $KEY" -d '{"report": "REPORT_KIND_USER_ACTIVITY", "start": "2025-01-01", "end": "2025-01-31"}' localhost:8080 betterworks.v1.ReportService/CreateReportRun`,
		want:    []string{`"id": "9013"`, `"status": "REPORT_RUN_STATUS_PENDING"`},
	},
	{
		name:    "report_wait",
		command: `go tool grpcurl -plaintext -H "authorization: Bearer $KEY" -d '{"report_run_id": "9013"}' localhost:8080 betterworks.v1.ReportService/WaitReportRun`,
		want:    []string{`"status": "REPORT_RUN_STATUS_PENDING"`, `"status": "REPORT_RUN_STATUS_SUCCEEDED"`, `"url": "http`},
	},
	{
		name:    "report_rows",
		command: `go tool grpcurl -plaintext -H "authorization: Bearer $KEY" -d '{"report_run_id": "9013", "rows_per_message": 100}' localhost:8080 betterworks.v1.ReportService/ReadReportRows`,
		want:    []string{`"header": [`, `"User ID"`, `"numberValue": 1`, `"boolValue": true`, `"dateValue": "`},
	},
	{
		name:    "buf_curl_connect",
		command: `go tool buf curl --protocol connect --http2-prior-knowledge -H "authorization: Bearer $KEY" -d '{"goal_id": "1001"}' http://localhost:8080/betterworks.v1.GoalService/GetGoal`,
		want:    []string{`"id": "1001"`},
	},
	{
		name:    "buf_curl_grpcweb",
		command: `go tool buf curl --protocol grpcweb --http2-prior-knowledge -H "authorization: Bearer $KEY" -d '{"goal_id": "1001"}' http://localhost:8080/betterworks.v1.GoalService/GetGoal`,
		want:    []string{`"id": "1001"`},
	},
	{
		name:    "buf_curl_grpc",
		command: `go tool buf curl --protocol grpc --http2-prior-knowledge -H "authorization: Bearer $KEY" -d '{"goal_id": "1001"}' http://localhost:8080/betterworks.v1.GoalService/GetGoal`,
		want:    []string{`"id": "1001"`},
	},
}

// readmeWalkthrough returns the commands of the README's walkthrough: the
// first sh block after its heading, without comments, blank lines and the
// KEY assignment, with continued lines joined.
func readmeWalkthrough(t *testing.T) []string {
	t.Helper()
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	block := regexp.MustCompile("(?s)\n## grpcurl and buf curl walkthrough\n.*?```sh\n(.*?)```").FindSubmatch(readme)
	if block == nil {
		t.Fatal("README.md has no sh block under \"## grpcurl and buf curl walkthrough\"")
	}
	var commands []string
	var continued string
	for line := range strings.Lines(string(block[1])) {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, "KEY=") {
			continue
		}
		if head, ok := strings.CutSuffix(line, `\`); ok {
			continued += strings.TrimSpace(head) + " "
			continue
		}
		commands = append(commands, continued+line)
		continued = ""
	}
	return commands
}

// TestREADMEWalkthrough runs the README's grpcurl and buf curl commands as
// written, from the repository's root as the README says (so `go tool`
// runs grpcurl and buf at the versions go.mod pins), against the facade in
// demo mode; only localhost:8080 becomes the facade's address.
func TestREADMEWalkthrough(t *testing.T) {
	t.Parallel()
	var want []string
	for _, step := range walkthrough {
		want = append(want, step.command)
	}
	if diff := cmp.Diff(want, readmeWalkthrough(t)); diff != "" {
		t.Fatalf("README walkthrough differs from the commands this test runs (-test +README):\n%s", diff)
	}
	for _, step := range walkthrough {
		t.Run(step.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, "bash", "-c", strings.ReplaceAll(step.command, "localhost:8080", facade.Addr))
			cmd.Dir = root
			cmd.Env = append(os.Environ(), "KEY="+facade.Key)
			var out bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &out

			err := cmd.Run()

			var exit *exec.ExitError
			if failed := errors.As(err, &exit); failed != step.wantFail || (err != nil && !failed) {
				t.Errorf("%s: error = %v, want failure %v\n%s", step.command, err, step.wantFail, &out)
			}
			for _, s := range step.want {
				if !strings.Contains(out.String(), s) {
					t.Errorf("%s: output lacks %q:\n%s", step.command, s, &out)
				}
			}
		})
	}
}
