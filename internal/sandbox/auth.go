package sandbox

import (
	"net/http"
	"strings"
)

// Authentication follows the reference: every request carries
// "Authorization: APIToken <token>", and the token's user decides what the
// request may see. The sandbox answers 401 {"detail": ...} with a
// WWW-Authenticate header when
//
//   - the header is missing or uses another scheme ("Authentication
//     credentials were not provided."),
//   - the token is unknown ("Invalid token."),
//   - the key was revoked in the admin portal ("API key has been revoked."), or
//   - the key's user is deactivated ("User inactive or deleted."), which is
//     also what happens to a key once POST /users/bulk/ deactivates its user.
//
// The scheme is matched without regard to case.

// apiKey is one API key: the user it belongs to and whether it was revoked.
// A user may hold several keys, as the help page says.
type apiKey struct {
	userID  int64
	revoked bool
}

// authenticate returns the id of the user r's token belongs to.
func (s *Sandbox) authenticate(r *http.Request) (int64, *apiError) {
	scheme, token, _ := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
	token = strings.TrimSpace(token)
	if !strings.EqualFold(scheme, "APIToken") || token == "" {
		return 0, detailError(http.StatusUnauthorized, msgNoCredential)
	}
	key, ok := s.keys[token]
	switch {
	case !ok:
		return 0, detailError(http.StatusUnauthorized, "Invalid token.")
	case key.revoked:
		return 0, detailError(http.StatusUnauthorized, "API key has been revoked.")
	}
	s.mu.RLock()
	u := s.st.users.get(key.userID)
	active := u != nil && u.active
	s.mu.RUnlock()
	if !active {
		return 0, detailError(http.StatusUnauthorized, "User inactive or deleted.")
	}
	return key.userID, nil
}
