package protojsonenc_test

import (
	"fmt"
	"testing"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	betterworksv1 "github.com/bwfacade/facade/gen/betterworks/v1"
	"github.com/bwfacade/facade/internal/protojsonenc"
)

// listGoalsResponse is a page of n goals filled as the facade fills them
// from the upstream: most fields set, a few children and categories.
func listGoalsResponse(n int) *betterworksv1.ListGoalsResponse {
	at := func(secs int64) *timestamppb.Timestamp {
		return &timestamppb.Timestamp{Seconds: secs, Nanos: 123456000}
	}
	user := func(id int64) *betterworksv1.UserRef {
		return &betterworksv1.UserRef{Id: id, Uuid: fmt.Sprintf("5f0c3a1e-9b7d-4c2a-8e61-%012d", id), Name: "Ada Lovelace"}
	}
	resp := &betterworksv1.ListGoalsResponse{NextPageToken: "CAEQGRoMCgpnb2Fscy5saXN0"}
	for i := range int64(n) {
		resp.Goals = append(resp.Goals, &betterworksv1.Goal{
			Id:          1000 + i,
			Uuid:        fmt.Sprintf("0b6f1d2e-4a3c-4f5e-9d8c-%012d", i),
			Name:        fmt.Sprintf("Grow quarterly recurring revenue in EMEA by 12%% (goal %d)", i),
			Description: "Expand into two new markets and lift renewals; see the \"Q3 plan\" doc.\nOwner: sales.",
			IsKeyResult: i%3 == 0,
			Start:       "2026-07-01",
			End:         "2026-09-30",
			Measurement: &betterworksv1.GoalMeasurement{
				Progress: 0.42, Initial: proto.Float64(0), Target: proto.Float64(1200000), Unit: "Dollars",
				Current: proto.Float64(504000.5), Updated: at(1780000000 + i), UpdatedBy: user(7),
				Type: betterworksv1.MeasurementType_MEASUREMENT_TYPE_AVG_OF_PROGRESS, Expected: proto.Float64(0.5),
				Condition: betterworksv1.GoalCondition_GOAL_CONDITION_YELLOW, IsNumeric: true,
			},
			Owner: &betterworksv1.GoalOwner{
				User:  user(42 + i),
				Group: &betterworksv1.GroupRef{Id: 5, Uuid: "a1b2c3d4-0000-4000-8000-000000000005", Name: "Sales EMEA"},
				Team:  &betterworksv1.TeamRef{Id: 9, Uuid: "a1b2c3d4-0000-4000-8000-000000000009", Name: "Revenue", IsActive: true},
			},
			Parent:          &betterworksv1.GoalRef{Id: 900, Uuid: "0b6f1d2e-4a3c-4f5e-9d8c-000000000900", Name: "Company revenue", ModifiedOn: at(1779000000)},
			Children:        []*betterworksv1.GoalRef{{Id: 2000 + i, Name: "Open Berlin office", ModifiedOn: at(1779500000)}, {Id: 3000 + i, Name: "Renewals at 95%", ModifiedOn: at(1779600000)}},
			Updated:         at(1780000000 + i),
			UpdatedBy:       user(7),
			Visibility:      betterworksv1.GoalVisibility_GOAL_VISIBILITY_PUBLIC,
			Stats:           &betterworksv1.GoalStats{Comments: 3, Cheers: 12, Views: 240, LastAssessed: at(1779900000)},
			Categories:      []*betterworksv1.GoalCategoryRef{{Id: 1, Uuid: "c0000000-0000-4000-8000-000000000001", Name: "Growth"}},
			AttributeType:   betterworksv1.GoalAttributeType_GOAL_ATTRIBUTE_TYPE_COMMITTED,
			AttributeScope:  betterworksv1.GoalAttributeScope_GOAL_ATTRIBUTE_SCOPE_BUSINESS,
			Created:         at(1770000000),
			CreatedBy:       user(42 + i),
			LastCheckedin:   at(1779990000),
			LastCheckedinBy: user(42 + i),
			CreatedOn:       at(1770000000),
			ModifiedOn:      at(1780000000 + i),
		})
	}
	return resp
}

// BenchmarkMarshal compares protojson and this package on a page of 25
// goals, the second appending into a reused buffer as connect-go does.
func BenchmarkMarshal(b *testing.B) {
	resp := listGoalsResponse(25)
	b.Run("ListGoalsResponse_25/protojson", func(b *testing.B) {
		b.ReportAllocs()
		var buf []byte
		for b.Loop() {
			var err error
			if buf, err = (protojson.MarshalOptions{}).MarshalAppend(buf[:0], resp); err != nil {
				b.Fatal(err)
			}
		}
		b.SetBytes(int64(len(buf)))
	})
	b.Run("ListGoalsResponse_25/protojsonenc", func(b *testing.B) {
		b.ReportAllocs()
		var buf []byte
		for b.Loop() {
			var err error
			if buf, err = protojsonenc.MarshalAppend(buf[:0], resp); err != nil {
				b.Fatal(err)
			}
		}
		b.SetBytes(int64(len(buf)))
	})
}

func TestListGoalsResponseMatchesProtojson(t *testing.T) {
	t.Parallel()
	checkMatchesProtojson(t, listGoalsResponse(25), protojson.UnmarshalOptions{})
}
