package upstream

import (
	"context"
	"net/url"
)

// Department is a Betterworks department.
type Department struct {
	ID       int64  `json:"id"`
	UUID     string `json:"uuid"`
	IsActive bool   `json:"is_active"`
	Name     string `json:"name"`
	// Parent is nil for a top-level department.
	Parent     *DepartmentRef `json:"parent"`
	CreatedOn  Time           `json:"created_on"`
	ModifiedOn Time           `json:"modified_on"`
}

// DepartmentRef is the short form of a department the upstream embeds in
// users, departments and role assignments. UUID is empty where the upstream
// omits it.
type DepartmentRef struct {
	ID   int64  `json:"id"`
	UUID string `json:"uuid"`
	Name string `json:"name"`
}

// DepartmentFilter selects departments in List Departments. A zero field
// is not sent.
type DepartmentFilter struct {
	// IncludeDeactivated sends include_deactivated=true or false; nil
	// sends nothing (the upstream default, false).
	IncludeDeactivated *bool
}

// DepartmentInput is the payload of Create Department and Update
// Department.
type DepartmentInput struct {
	// Name is required by both operations.
	Name string `json:"name"`
	// ParentID is the parent department's id; nil is not sent.
	ParentID *int64 `json:"parent_id,omitempty"`
}

// DepartmentBulkRequest is the payload of Update Departments (POST
// /departments/bulk/).
type DepartmentBulkRequest struct {
	Departments []DepartmentUpsert `json:"departments"`
}

// DepartmentUpsert is one row of Update Departments (the reference's
// "Department").
type DepartmentUpsert struct {
	// Name identifies the department, case sensitively; an unknown name
	// creates one.
	Name string `json:"name"`
	// Parent is the parent department's name; empty is not sent.
	Parent string `json:"parent,omitempty"`
}

// DepartmentBulkResult counts what Update Departments did.
type DepartmentBulkResult struct {
	Created int `json:"created"`
	Updated int `json:"updated"`
}

// ListDepartments fetches one page of departments (default 20, at most
// 100 per page upstream).
func (c *Client) ListDepartments(ctx context.Context, token Token, filter DepartmentFilter, page PageRequest) (*Page[Department], error) {
	q := url.Values{}
	page.encode(q)
	setBool(q, "include_deactivated", filter.IncludeDeactivated)
	return fetchPage[Department](ctx, c, token, call{op: opListDepartments, query: q}, page)
}

// CreateDepartment creates a department and returns it.
func (c *Client) CreateDepartment(ctx context.Context, token Token, in DepartmentInput) (*Department, error) {
	return c.departmentCall(ctx, token, call{op: opCreateDepartment, body: in})
}

// UpdateDepartment sets the name and parent of the department id (an
// integer or UUID) and returns it.
func (c *Client) UpdateDepartment(ctx context.Context, token Token, id string, in DepartmentInput) (*Department, error) {
	return c.departmentCall(ctx, token, call{op: opUpdateDepartment, id: id, body: in})
}

// DeactivateDepartment deactivates the department id, which must be empty,
// and returns it.
func (c *Client) DeactivateDepartment(ctx context.Context, token Token, id string) (*Department, error) {
	return c.departmentCall(ctx, token, call{op: opDeactivateDepartment, id: id})
}

// ReactivateDepartment reactivates the department id and returns it.
func (c *Client) ReactivateDepartment(ctx context.Context, token Token, id string) (*Department, error) {
	return c.departmentCall(ctx, token, call{op: opReactivateDepartment, id: id})
}

// UpsertDepartments creates the departments of req and sets the parents of
// existing ones.
func (c *Client) UpsertDepartments(ctx context.Context, token Token, req DepartmentBulkRequest) (*DepartmentBulkResult, error) {
	return fetch[DepartmentBulkResult](ctx, c, token, call{op: opUpsertDepartments, body: req})
}

// departmentCall performs cl, whose answer is one department.
func (c *Client) departmentCall(ctx context.Context, token Token, cl call) (*Department, error) {
	var department Department
	if err := c.do(ctx, token, cl, &department); err != nil {
		return nil, err
	}
	return &department, nil
}
