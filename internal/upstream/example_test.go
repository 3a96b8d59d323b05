package upstream_test

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"

	"github.com/bwfacade/facade/internal/sandbox"
	"github.com/bwfacade/facade/internal/upstream"
)

// A Client calls Betterworks with the token of the caller it acts for; a
// failure says which operation failed and how (upstream.Classify).
func ExampleClient_GetGoal() {
	sb := sandbox.New(sandbox.Config{})
	srv := httptest.NewServer(sb)
	defer srv.Close()
	client, err := upstream.New(upstream.Config{BaseURL: srv.URL + "/api/v1/"})
	if err != nil {
		panic(err)
	}
	token := upstream.NewToken(sb.Token(sandbox.RoleSuperAdmin))
	ctx := context.Background()

	goal, err := client.GetGoal(ctx, token, "1001")
	if err != nil {
		panic(err)
	}
	fmt.Println(goal.ID, goal.Name != "")

	_, err = client.GetGoal(ctx, token, "999999")
	var status *upstream.StatusError
	if errors.As(err, &status) {
		fmt.Println(status.Endpoint, status.StatusCode, upstream.Classify(err))
	}
	// Output:
	// 1001 true
	// GET /goals/{id}/ 404 rejected
}

// Every operation the client calls is declared once: its name in errors,
// spans and metrics, its circuit breaker's family, and whether it writes.
func ExampleOperations() {
	for _, op := range upstream.Operations()[15:19] {
		fmt.Println(op, op.Family(), op.Writes())
	}
	// Output:
	// GET /goals/{id}/ goals false
	// PUT /goals/{id}/ goals true
	// DELETE /goals/{id}/ goals true
	// POST /goals/ goals true
}
