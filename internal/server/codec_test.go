package server_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"connectrpc.com/connect"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/testing/protocmp"
	"google.golang.org/protobuf/types/known/emptypb"

	betterworksv1 "github.com/bwfacade/facade/gen/betterworks/v1"
	"github.com/bwfacade/facade/gen/betterworks/v1/betterworksv1connect"
	"github.com/bwfacade/facade/internal/facadetest"
	"github.com/bwfacade/facade/internal/rpcerr"
	"github.com/bwfacade/facade/internal/sandbox"
)

// rawCodec sends body verbatim as the request message under its name
// ("json" or "proto"), so that tests can send what no generated client
// would; it decodes answers as connect-go does.
type rawCodec struct {
	name string
	body string
}

func (c rawCodec) Name() string                        { return c.name }
func (c rawCodec) Marshal(any) ([]byte, error)         { return []byte(c.body), nil }
func (c rawCodec) MarshalStable(m any) ([]byte, error) { return c.Marshal(m) }
func (c rawCodec) IsBinary() bool                      { return c.name == "proto" }

func (c rawCodec) Unmarshal(data []byte, m any) error {
	if c.name == "proto" {
		return proto.Unmarshal(data, m.(proto.Message))
	}
	return protojson.Unmarshal(data, m.(proto.Message))
}

// transport is a protocol with its HTTP method: Connect POST, Connect GET
// (the message in the query string, as browsers send it), gRPC, gRPC-Web.
type transport struct {
	name string
	opts []connect.ClientOption
}

func transports(st *facadetest.Stack) []transport {
	key := st.Key(sandbox.RoleSuperAdmin)
	return []transport{
		{"connect_post", facadetest.ClientOptions(facadetest.Connect, key)},
		{"connect_get", append(facadetest.ClientOptions(facadetest.Connect, key), connect.WithHTTPGet())},
		{"grpc", facadetest.ClientOptions(facadetest.GRPC, key)},
		{"grpcweb", facadetest.ClientOptions(facadetest.GRPCWeb, key)},
	}
}

// listGoals calls GoalService/ListGoals over tr with body as the request,
// encoded as codec names it.
func listGoals(t *testing.T, st *facadetest.Stack, tr transport, codec, body string) (*betterworksv1.ListGoalsResponse, error) {
	t.Helper()
	opts := append([]connect.ClientOption{
		connect.WithCodec(rawCodec{name: codec, body: body}),
		connect.WithIdempotency(connect.IdempotencyNoSideEffects),
	}, tr.opts...)
	client := connect.NewClient[emptypb.Empty, betterworksv1.ListGoalsResponse](
		st.HTTPClient, st.URL+betterworksv1connect.GoalServiceListGoalsProcedure, opts...)
	resp, err := client.CallUnary(t.Context(), connect.NewRequest(&emptypb.Empty{}))
	if err != nil {
		return nil, err
	}
	return resp.Msg, nil
}

// badRequestFields returns the fields the BadRequest detail of err names.
func badRequestFields(err error) []string {
	var cerr *connect.Error
	if !errors.As(err, &cerr) {
		return nil
	}
	var fields []string
	for _, d := range cerr.Details() {
		if v, derr := d.Value(); derr == nil {
			if br, ok := v.(*errdetails.BadRequest); ok {
				for _, fv := range br.GetFieldViolations() {
					fields = append(fields, fv.GetField())
				}
			}
		}
	}
	return fields
}

func TestRequestsTheContractDoesNotDescribeAreRefused(t *testing.T) {
	t.Parallel()
	st := facadetest.Start(t, facadetest.Options{})
	tests := []struct {
		name      string
		codec     string
		body      string
		wantMsg   string
		wantField []string
	}{
		{
			name:      "misspelled_field",
			codec:     "json",
			body:      `{"riks":"GOAL_RISK_AT_RISK"}`,
			wantMsg:   `unknown field "riks"`,
			wantField: []string{"riks"},
		},
		{
			name:      "misspelled_enum_value",
			codec:     "json",
			body:      `{"risk":"GOAL_RISK_ATRISK"}`,
			wantMsg:   `invalid value for enum field risk: "GOAL_RISK_ATRISK"`,
			wantField: []string{"risk"},
		},
		{
			name:    "not_json",
			codec:   "json",
			body:    `{"risk":`,
			wantMsg: "malformed JSON request",
		},
		{
			name:    "truncated_protobuf",
			codec:   "proto",
			body:    "\x08", // page_size's tag without its value
			wantMsg: "malformed protobuf request",
		},
	}
	for _, tt := range tests {
		for _, tr := range transports(st) {
			t.Run(tt.name+"/"+tr.name, func(t *testing.T) {
				t.Parallel()

				_, err := listGoals(t, st, tr, tt.codec, tt.body)

				if got := connect.CodeOf(err); got != connect.CodeInvalidArgument {
					t.Fatalf("ListGoals(%s) code = %v, want %v (err: %v)", tt.body, got, connect.CodeInvalidArgument, err)
				}
				if !strings.Contains(err.Error(), tt.wantMsg) {
					t.Errorf("ListGoals(%s) error = %q, want it to contain %q", tt.body, err, tt.wantMsg)
				}
				if got := rpcerr.Reason(err); got != rpcerr.ReasonRequestMalformed {
					t.Errorf("ListGoals(%s) ErrorInfo reason = %q, want %q", tt.body, got, rpcerr.ReasonRequestMalformed)
				}
				if diff := cmp.Diff(tt.wantField, badRequestFields(err)); diff != "" {
					t.Errorf("ListGoals(%s) BadRequest fields (-want +got):\n%s", tt.body, diff)
				}
			})
		}
	}
	t.Cleanup(func() {
		if n := len(st.Sandbox.Requests()); n != 0 {
			t.Errorf("the sandbox saw %d requests, want none", n)
		}
	})
}

func TestEmptyJSONBodyIsRefused(t *testing.T) {
	t.Parallel()
	st := facadetest.Start(t, facadetest.Options{})

	_, err := listGoals(t, st, transports(st)[0], "json", "")

	if got := connect.CodeOf(err); got != connect.CodeInvalidArgument {
		t.Fatalf("ListGoals(empty body) code = %v, want %v (err: %v)", got, connect.CodeInvalidArgument, err)
	}
	if got := rpcerr.Reason(err); got != rpcerr.ReasonRequestMalformed {
		t.Errorf("ListGoals(empty body) ErrorInfo reason = %q, want %q", got, rpcerr.ReasonRequestMalformed)
	}
}

func TestJSONRequestsFilter(t *testing.T) {
	t.Parallel()
	st := facadetest.Start(t, facadetest.Options{})
	// The baseline: the generated client, in binary protobuf.
	all, err := st.Goals(facadetest.Connect, sandbox.RoleSuperAdmin).ListGoals(t.Context(), &betterworksv1.ListGoalsRequest{PageSize: 100})
	if err != nil {
		t.Fatal(err)
	}
	atRisk, err := st.Goals(facadetest.Connect, sandbox.RoleSuperAdmin).ListGoals(t.Context(), &betterworksv1.ListGoalsRequest{PageSize: 100, Risk: betterworksv1.GoalRisk_GOAL_RISK_AT_RISK})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(atRisk.GetGoals()); n == 0 || n >= len(all.GetGoals()) {
		t.Fatalf("the sandbox has %d goals at risk of %d; the test needs some, not all", n, len(all.GetGoals()))
	}
	for _, tr := range transports(st) {
		t.Run(tr.name, func(t *testing.T) {
			t.Parallel()

			got, err := listGoals(t, st, tr, "json", `{"risk":"GOAL_RISK_AT_RISK","pageSize":100}`)
			if err != nil {
				t.Fatalf("ListGoals(at risk) error = %v", err)
			}

			if diff := cmp.Diff(goalIDs(atRisk), goalIDs(got)); diff != "" {
				t.Errorf("ListGoals(at risk) over JSON goals (-binary +json):\n%s", diff)
			}
		})
	}
}

func goalIDs(resp *betterworksv1.ListGoalsResponse) []int64 {
	var ids []int64
	for _, g := range resp.GetGoals() {
		ids = append(ids, g.GetId())
	}
	return ids
}

// TestJSONResponsesAreProtojsonCompacted reads a Connect JSON answer as
// bytes: it must be protojson's encoding of the same goals, without
// insignificant whitespace.
func TestJSONResponsesAreProtojsonCompacted(t *testing.T) {
	t.Parallel()
	st := facadetest.Start(t, facadetest.Options{})
	want, err := st.Goals(facadetest.Connect, sandbox.RoleSuperAdmin).ListGoals(t.Context(), &betterworksv1.ListGoalsRequest{PageSize: 100})
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost,
		st.URL+betterworksv1connect.GoalServiceListGoalsProcedure, strings.NewReader(`{"pageSize":100}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+st.Key(sandbox.RoleSuperAdmin))

	resp, err := st.HTTPClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("POST ListGoals = %d %s, read error %v", resp.StatusCode, body, err)
	}

	got := new(betterworksv1.ListGoalsResponse)
	if err := protojson.Unmarshal(body, got); err != nil {
		t.Fatalf("protojson.Unmarshal(answer) error = %v", err)
	}
	if len(got.GetGoals()) == 0 {
		t.Fatal("ListGoals answered no goals; the test needs some")
	}
	if diff := cmp.Diff(want.GetGoals(), got.GetGoals(), protocmp.Transform()); diff != "" {
		t.Errorf("ListGoals over JSON goals (-binary +json):\n%s", diff)
	}
	viaProtojson, err := protojson.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	var compacted bytes.Buffer
	if err := json.Compact(&compacted, viaProtojson); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(body, compacted.Bytes()) {
		t.Errorf("ListGoals JSON answer =\n%s\nwant protojson's, compacted:\n%s", body, compacted.Bytes())
	}
}

// TestJSONResponsesReadBackOnEveryProtocol asks in JSON over each
// protocol, unary and streaming, and compares with binary protobuf.
func TestJSONResponsesReadBackOnEveryProtocol(t *testing.T) {
	t.Parallel()
	st := facadetest.Start(t, facadetest.Options{})
	// Goals at risk fit in one page, so that the export has them all.
	listReq := &betterworksv1.ListGoalsRequest{PageSize: 100, Risk: betterworksv1.GoalRisk_GOAL_RISK_AT_RISK}
	want, err := st.Goals(facadetest.Connect, sandbox.RoleSuperAdmin).ListGoals(t.Context(), listReq)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(want.GetGoals()); n == 0 || want.GetNextPageToken() != "" {
		t.Fatalf("the sandbox has %d goals at risk (next page %q); the test needs some, on one page", n, want.GetNextPageToken())
	}
	for _, tr := range transports(st) {
		t.Run(tr.name, func(t *testing.T) {
			t.Parallel()
			client := betterworksv1connect.NewGoalServiceClient(st.HTTPClient, st.URL, append(tr.opts, connect.WithProtoJSON())...)

			got, err := client.ListGoals(t.Context(), listReq)
			if err != nil {
				t.Fatalf("ListGoals() error = %v", err)
			}
			if diff := cmp.Diff(want.GetGoals(), got.GetGoals(), protocmp.Transform()); diff != "" {
				t.Errorf("ListGoals over JSON goals (-binary +json):\n%s", diff)
			}

			stream, err := client.ExportGoals(t.Context(), &betterworksv1.ExportGoalsRequest{Filter: listReq})
			if err != nil {
				t.Fatalf("ExportGoals() error = %v", err)
			}
			var exported []*betterworksv1.Goal
			for stream.Receive() {
				exported = append(exported, stream.Msg().GetGoals()...)
			}
			if err := stream.Err(); err != nil {
				t.Fatalf("ExportGoals() stream error = %v", err)
			}
			if diff := cmp.Diff(want.GetGoals(), exported, protocmp.Transform()); diff != "" {
				t.Errorf("ExportGoals over JSON goals (-listed +exported):\n%s", diff)
			}
		})
	}
}
