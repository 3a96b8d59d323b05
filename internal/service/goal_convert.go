package service

import (
	"math"

	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/timestamppb"

	betterworksv1 "github.com/bwfacade/facade/gen/betterworks/v1"
	"github.com/bwfacade/facade/internal/upstream"
)

var (
	goalVisibilities = newEnumMapping("GoalVisibility", map[string]betterworksv1.GoalVisibility{
		"public":  betterworksv1.GoalVisibility_GOAL_VISIBILITY_PUBLIC,
		"private": betterworksv1.GoalVisibility_GOAL_VISIBILITY_PRIVATE,
	})
	measurementTypes = newEnumMapping("MeasurementType", map[string]betterworksv1.MeasurementType{
		"avgofprogress":  betterworksv1.MeasurementType_MEASUREMENT_TYPE_AVG_OF_PROGRESS,
		"sumofcurrent":   betterworksv1.MeasurementType_MEASUREMENT_TYPE_SUM_OF_CURRENT,
		"sumofrange":     betterworksv1.MeasurementType_MEASUREMENT_TYPE_SUM_OF_RANGE,
		"manualprogress": betterworksv1.MeasurementType_MEASUREMENT_TYPE_MANUAL_PROGRESS,
		"binary":         betterworksv1.MeasurementType_MEASUREMENT_TYPE_BINARY,
		"numeric":        betterworksv1.MeasurementType_MEASUREMENT_TYPE_NUMERIC,
		"range":          betterworksv1.MeasurementType_MEASUREMENT_TYPE_RANGE,
	})
	goalConditions = newEnumMapping("GoalCondition", map[string]betterworksv1.GoalCondition{
		"green":  betterworksv1.GoalCondition_GOAL_CONDITION_GREEN,
		"yellow": betterworksv1.GoalCondition_GOAL_CONDITION_YELLOW,
		"red":    betterworksv1.GoalCondition_GOAL_CONDITION_RED,
	})
	goalAttributeTypes = newEnumMapping("GoalAttributeType", map[string]betterworksv1.GoalAttributeType{
		"committed":    betterworksv1.GoalAttributeType_GOAL_ATTRIBUTE_TYPE_COMMITTED,
		"aspirational": betterworksv1.GoalAttributeType_GOAL_ATTRIBUTE_TYPE_ASPIRATIONAL,
	})
	goalAttributeScopes = newEnumMapping("GoalAttributeScope", map[string]betterworksv1.GoalAttributeScope{
		"business":      betterworksv1.GoalAttributeScope_GOAL_ATTRIBUTE_SCOPE_BUSINESS,
		"personal":      betterworksv1.GoalAttributeScope_GOAL_ATTRIBUTE_SCOPE_PERSONAL,
		"developmental": betterworksv1.GoalAttributeScope_GOAL_ATTRIBUTE_SCOPE_DEVELOPMENTAL,
	})
	goalCreationSources = newEnumMapping("GoalCreationSource", map[string]betterworksv1.GoalCreationSource{
		"manual":    betterworksv1.GoalCreationSource_GOAL_CREATION_SOURCE_MANUAL,
		"converted": betterworksv1.GoalCreationSource_GOAL_CREATION_SOURCE_CONVERTED,
		"default":   betterworksv1.GoalCreationSource_GOAL_CREATION_SOURCE_DEFAULT,
	})
	goalPermissions = newEnumMapping("GoalPermission", map[string]betterworksv1.GoalPermission{
		"can_edit":      betterworksv1.GoalPermission_GOAL_PERMISSION_CAN_EDIT,
		"can_only_view": betterworksv1.GoalPermission_GOAL_PERMISSION_CAN_ONLY_VIEW,
	})
	goalRisks = newEnumMapping("GoalRisk", map[string]betterworksv1.GoalRisk{
		"ontrack":        betterworksv1.GoalRisk_GOAL_RISK_ON_TRACK,
		"needsattention": betterworksv1.GoalRisk_GOAL_RISK_NEEDS_ATTENTION,
		"atrisk":         betterworksv1.GoalRisk_GOAL_RISK_AT_RISK,
	})
	goalCommentTypes = newEnumMapping("GoalCommentType", map[string]betterworksv1.GoalCommentType{
		"private": betterworksv1.GoalCommentType_GOAL_COMMENT_TYPE_PRIVATE,
		"starred": betterworksv1.GoalCommentType_GOAL_COMMENT_TYPE_STARRED,
	})
)

// goalIntegrations maps the integration filter; NONE is the upstream's
// empty value, so it is not a plain enum mapping.
var goalIntegrations = map[betterworksv1.GoalIntegrationFilter]string{
	betterworksv1.GoalIntegrationFilter_GOAL_INTEGRATION_FILTER_SALESFORCE: "salesforce",
	betterworksv1.GoalIntegrationFilter_GOAL_INTEGRATION_FILTER_JIRA:       "jira",
	betterworksv1.GoalIntegrationFilter_GOAL_INTEGRATION_FILTER_TABLEAU:    "tableau",
	betterworksv1.GoalIntegrationFilter_GOAL_INTEGRATION_FILTER_NONE:       "",
}

// goalParts holds the messages a goal has at most one of, and the small
// messages they refer to, in one block allocated with the goal: a goal
// converts in a few allocations where it would take some twenty.
type goalParts struct {
	goal        betterworksv1.Goal
	measurement betterworksv1.GoalMeasurement
	owner       betterworksv1.GoalOwner
	team        betterworksv1.TeamRef
	parent      betterworksv1.GoalRef
	stats       betterworksv1.GoalStats
	refBlock
	// A goal's first children and categories take their messages here;
	// more are allocated in a block of their own.
	children     [4]goalRefMessage
	childPtrs    [4]*betterworksv1.GoalRef
	categories   [1]betterworksv1.GoalCategoryRef
	categoryPtrs [1]*betterworksv1.GoalCategoryRef
}

// goalRefMessage is a reference to a goal with its timestamp.
type goalRefMessage struct {
	ref      betterworksv1.GoalRef
	modified timestamppb.Timestamp
}

// refs returns p's block of small messages; nil for a nil p, whose
// messages are each allocated alone.
func (p *goalParts) refs() *refBlock {
	if p == nil {
		return nil
	}
	return &p.refBlock
}

// goalRefsToProto converts a goal's children, each with its timestamp,
// into p's block when they fit, else into a block of their own: two
// allocations at most, however many there are.
func goalRefsToProto(refs []upstream.GoalRef, p *goalParts) []*betterworksv1.GoalRef {
	if len(refs) == 0 {
		return nil
	}
	block, out := room(p.children[:], len(refs)), room(p.childPtrs[:], len(refs))
	for i := range refs {
		r, m := &refs[i], &block[i].ref
		m.Id, m.Uuid, m.Name = r.ID, r.UUID, r.Name
		m.ModifiedOn = setTimestamp(&block[i].modified, r.ModifiedOn)
		out[i] = m
	}
	return out
}

func goalToProto(g *upstream.Goal) *betterworksv1.Goal {
	if g == nil {
		return nil
	}
	p := new(goalParts)
	p.goal = betterworksv1.Goal{
		Id:              g.ID,
		Uuid:            g.UUID,
		Name:            g.Name,
		Description:     g.Description,
		IsKeyResult:     g.IsKeyResult,
		Start:           g.Start,
		End:             g.End,
		Measurement:     measurementToProto(g.Measurement, p),
		Owner:           goalOwnerToProto(g.Owner, p),
		Parent:          goalRefToProto(g.Parent, p),
		Children:        goalRefsToProto(g.Children, p),
		Updated:         p.timestamp(g.Updated),
		UpdatedBy:       p.userRef(g.UpdatedBy),
		Visibility:      goalVisibilities.enum(g.Visibility),
		Integration:     g.Integration,
		Stats:           goalStatsToProto(g.Stats, p),
		Categories:      convertInto(g.Categories, p.categories[:], p.categoryPtrs[:], setCategoryRef),
		AttributeType:   attributeEnum(g.AttributeType, goalAttributeTypes),
		AttributeScope:  attributeEnum(g.AttributeScope, goalAttributeScopes),
		Created:         p.timestamp(g.Created),
		CreatedBy:       p.userRef(g.CreatedBy),
		LastCheckedin:   p.timestamp(g.LastCheckedIn),
		LastCheckedinBy: p.userRef(g.LastCheckedInBy),
		CreatedOn:       p.timestamp(g.CreatedOn),
		ModifiedOn:      p.timestamp(g.ModifiedOn),
	}
	return &p.goal
}

// attributeEnum maps a goal attribute. The enums' numbers are the upstream's
// attribute ids; a name is mapped by the upstream's strings. An id the enum
// does not define is the zero value and is counted.
func attributeEnum[E interface {
	~int32
	Descriptor() protoreflect.EnumDescriptor
}](a upstream.Attribute, names enumMapping[E]) E {
	if a.Name != "" {
		return names.enum(a.Name)
	}
	if a.ID == 0 {
		return 0
	}
	var zero E
	if a.ID < 0 || a.ID > math.MaxInt32 || zero.Descriptor().Values().ByNumber(protoreflect.EnumNumber(a.ID)) == nil {
		unknownEnumValues.Add(names.name, 1)
		return 0
	}
	return E(a.ID)
}

// measurementToProto converts a goal's measurement into p's block; a nil
// p allocates it alone.
func measurementToProto(m *upstream.Measurement, p *goalParts) *betterworksv1.GoalMeasurement {
	if m == nil {
		return nil
	}
	var out *betterworksv1.GoalMeasurement
	if p != nil {
		out = &p.measurement
	} else {
		out = new(betterworksv1.GoalMeasurement)
	}
	*out = betterworksv1.GoalMeasurement{
		Progress:   m.Progress,
		Initial:    m.Initial,
		Target:     m.Target,
		Unit:       m.Unit,
		Done:       m.Done,
		LowerLimit: m.LowerLimit,
		LowerMid:   m.LowerMid,
		UpperLimit: m.UpperLimit,
		UpperMid:   m.UpperMid,
		Current:    m.Current,
		Updated:    p.refs().timestamp(m.Updated),
		UpdatedBy:  p.refs().userRef(m.UpdatedBy),
		Type:       measurementTypes.enum(m.Type),
		Expected:   m.Expected,
		Condition:  goalConditions.enum(m.Condition),
		IsBinary:   m.IsBinary,
		IsNumeric:  m.IsNumeric,
	}
	return out
}

// goalOwnerToProto converts a goal's owner into p's block; a nil p
// allocates its messages alone.
func goalOwnerToProto(o *upstream.GoalOwner, p *goalParts) *betterworksv1.GoalOwner {
	if o == nil {
		return nil
	}
	var out *betterworksv1.GoalOwner
	if p != nil {
		out = &p.owner
	} else {
		out = new(betterworksv1.GoalOwner)
	}
	refs := p.refs()
	out.User = refs.userRef(o.User)
	out.Group = refs.groupRef(o.Group)
	if t := o.Team; t != nil {
		var team *betterworksv1.TeamRef
		if p != nil {
			team = &p.team
		} else {
			team = new(betterworksv1.TeamRef)
		}
		*team = betterworksv1.TeamRef{
			Id:          t.ID,
			Uuid:        t.UUID,
			Name:        t.Name,
			PictureUris: refs.pictureURIs(t.PictureURIs),
			IsActive:    t.IsActive,
			CreatedOn:   refs.timestamp(t.CreatedOn),
			ModifiedOn:  refs.timestamp(t.ModifiedOn),
		}
		out.Team = team
	}
	return out
}

// goalRefToProto converts a reference to a goal into p's block; a nil p
// allocates it alone.
func goalRefToProto(r *upstream.GoalRef, p *goalParts) *betterworksv1.GoalRef {
	if r == nil {
		return nil
	}
	var out *betterworksv1.GoalRef
	if p != nil {
		out = &p.parent
	} else {
		out = new(betterworksv1.GoalRef)
	}
	out.Id, out.Uuid, out.Name = r.ID, r.UUID, r.Name
	out.ModifiedOn = p.refs().timestamp(r.ModifiedOn)
	return out
}

func goalStatsToProto(s *upstream.GoalStats, p *goalParts) *betterworksv1.GoalStats {
	if s == nil {
		return nil
	}
	var out *betterworksv1.GoalStats
	if p != nil {
		out = &p.stats
	} else {
		out = new(betterworksv1.GoalStats)
	}
	*out = betterworksv1.GoalStats{
		Comments:     s.Comments,
		Cheers:       s.Cheers,
		Nudges:       s.Nudges,
		Views:        s.Views,
		LastAssessed: p.refs().timestamp(s.LastAssessed),
	}
	return out
}

// setCategoryRef fills out from c, for convertInto.
func setCategoryRef(out *betterworksv1.GoalCategoryRef, c *upstream.CategoryRef) {
	out.Id, out.Uuid, out.Name = c.ID, c.UUID, c.Name
}

func categoryToProto(c *upstream.Category) *betterworksv1.GoalCategory {
	return &betterworksv1.GoalCategory{
		Id:          c.ID,
		Name:        c.Name,
		Updated:     timestamp(c.Updated),
		UpdatedById: c.UpdatedByID,
		Created:     timestamp(c.Created),
		CreatedById: c.CreatedByID,
	}
}

func commentToProto(c *upstream.Comment) *betterworksv1.GoalComment {
	return &betterworksv1.GoalComment{
		Id:          c.ID,
		Uuid:        c.UUID,
		Created:     timestamp(c.Created),
		Edited:      timestamp(c.Edited),
		Text:        c.Text,
		Author:      userRef(c.Author),
		Goal:        goalRefToProto(c.Goal, nil),
		GoalOwner:   goalOwnerToProto(c.GoalOwner, nil),
		IsKeyResult: c.IsKeyResult,
	}
}

func assessmentToProto(a *upstream.Assessment) *betterworksv1.GoalAssessment {
	return &betterworksv1.GoalAssessment{
		Id:        a.ID,
		Uuid:      a.UUID,
		Created:   timestamp(a.Created),
		Edited:    timestamp(a.Edited),
		CreatedBy: userRef(a.CreatedBy),
		GoalId:    a.GoalID,
		Comment:   a.Comment,
		Score:     a.Score,
	}
}
